"""End-to-end fixtures: the API served by a real `uvicorn` process on loopback.

Each session fixture prepares a store (the small pool of tests/history.py and a token per
role, tests/api_fixtures.prepare), starts uvicorn on it (bench/server.py), yields its
base URL and tokens, and stops it. The HTTP tests and Schemathesis get a server each, so
that the fuzzer's random writes (a random month closed, say) cannot change what the HTTP
tests read. Starting, waiting and stopping are all bounded in time.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import httpx
import pytest

from settings import Settings
from tests.api_fixtures import api_settings, prepare
from bench.server import Server, serve


@dataclass(frozen=True)
class Live:
    server: Server
    settings: Settings
    tokens: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def headers(self, who: str, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30)


@contextmanager
def _live(tmp_path_factory: pytest.TempPathFactory, name: str, **overrides: object) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp(name)
    settings = api_settings(tmp).model_copy(update=overrides)
    tokens = prepare(settings)
    with serve(settings, log=tmp / "uvicorn.log") as server:
        yield Live(server, settings, tokens)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The server the HTTP tests talk to."""
    with _live(tmp_path_factory, "e2e-http") as live:
        yield live


@pytest.fixture(scope="session")
def live_fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The server Schemathesis fuzzes (its writes land in a store of their own). A read with
    `after` beyond the projections waits 0.25 s here rather than 2 s, to keep the run short."""
    with _live(tmp_path_factory, "e2e-fuzz", read_wait_s=0.25) as live:
        yield live
