"""An API on real stores (SQLite file, DuckDB file) with one token per role."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from bootstrap import bootstrap
from application.tokens import issue_token, token_keys
from settings import Settings
from tests.history import ACTOR, setup


@dataclass
class Api:
    client: TestClient
    settings: Settings
    tokens: dict[str, str]

    def headers(self, who: str, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers


def api_settings(tmp: Path) -> Settings:
    return Settings(sqlite_path=tmp / "ledger.sqlite", projection_path=tmp / "projections.duckdb",
                    snapshot_dir=tmp / "snapshots", snapshot_every_s=0)


def prepare(settings: Settings) -> dict[str, str]:
    """The small pool of tests/history.py, and a token per role (two partners)."""
    keys = token_keys(settings, create=True)
    with bootstrap(settings) as ledger:
        ledger.execute_batch(setup(), actor=ACTOR)
        return {
            "coordinator": issue_token(ledger, "coordinator", label="coord", keys=keys),
            "auditor": issue_token(ledger, "auditor", label="audit", keys=keys),
            "analyst": issue_token(ledger, "analyst", label="analyse", keys=keys),
            "creche": issue_token(ledger, "partner", partner_id="creche-a", label="creche", keys=keys),
            "club": issue_token(ledger, "partner", partner_id="club-b", label="club", keys=keys),
        }


def start(tmp: Path) -> Api:
    settings = api_settings(tmp)
    tokens = prepare(settings)
    client = TestClient(create_app(settings))
    client.__enter__()
    return Api(client, settings, tokens)
