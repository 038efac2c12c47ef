"""Shared fixtures: a ledger on a real SQLite file, and on a real PostgreSQL server."""

from __future__ import annotations

import itertools
import os
import warnings
from pathlib import Path
from typing import Iterator

import psycopg
import pytest
from hypothesis import settings as hypothesis_settings

from bootstrap import bootstrap
from application.ledger import Ledger
from settings import Settings
from bench import postgres_server

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Tests never assert on time: a loaded machine must not fail a money property.
hypothesis_settings.register_profile("encommun", deadline=None)
hypothesis_settings.load_profile("encommun")
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[postgres_server.PostgresServer]:
    bindir = postgres_server.find_bindir()
    if bindir is None:
        reason = (
            "PostgreSQL binaries not found (apt-get install postgresql): "
            "the PostgreSQL tests did NOT run"
        )
        if IN_CI:
            pytest.fail(reason + " — in CI they must", pytrace=False)
        warnings.warn(reason)
        pytest.skip(reason)
    server = postgres_server.start(bindir)
    yield server
    postgres_server.stop(server, bindir)


def new_database(server: postgres_server.PostgresServer) -> str:
    name = f"encommun_test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def postgres_settings(server: postgres_server.PostgresServer, **overrides: object) -> Settings:
    return Settings(
        store="postgres",
        postgres_host=server.host,
        postgres_port=server.port,
        postgres_user=server.user,
        postgres_dbname=new_database(server),
        **overrides,
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh, empty store of each kind."""
    if request.param == "sqlite":
        return Settings(sqlite_path=tmp_path / "ledger.sqlite")
    return postgres_settings(request.getfixturevalue("postgres"))


@pytest.fixture
def ledger(store_settings: Settings) -> Iterator[Ledger]:
    app = bootstrap(store_settings)
    yield app
    app.close()


@pytest.fixture
def renamed_topic_unknown() -> Iterator[None]:
    """The stall tests' renamed event class has its old topic unknown before and after."""
    from tests.unfoldable import forget_renamed_topic

    forget_renamed_topic()
    yield
    forget_renamed_topic()
