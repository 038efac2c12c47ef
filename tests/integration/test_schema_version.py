"""The projection file says which schema wrote it; a file of another version (or of none, as
every file written before versions) is refused with the command that rebuilds it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli import main as cli
from api.app import create_app
from bootstrap import bootstrap
from projections.queries import SQL_DIR
from projections.rebuild import rebuild
from projections.recorder import SCHEMA_VERSION, DuckDBTrackingRecorder, OutdatedProjections, schema_version
from settings import Settings
from tests.history import ACTOR, setup

TABLES = ("partners", "resource_versions", "allocation_keys", "membership_versions", "events")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite"
    with bootstrap(Settings(sqlite_path=path)) as ledger:
        ledger.execute_batch(setup(), actor=ACTOR)
    return path


def built(store: Path, projections: Path) -> Path:
    with bootstrap(Settings(sqlite_path=store)) as ledger:
        rebuild(ledger.recorder, projections, progress=False)
    return projections


def rows(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def mark(path: Path, comment: str | None) -> None:
    """As an older encommun left the file: no version (or another one) on its tracking table."""
    with duckdb.connect(str(path)) as conn:
        if comment is None:
            conn.execute("COMMENT ON TABLE tracking IS NULL")
        else:
            conn.execute("COMMENT ON TABLE tracking IS " + "'" + comment + "'")


def test_a_new_projection_file_records_the_current_schema_version(store: Path, tmp_path: Path) -> None:
    """A rebuilt file, read back with plain DuckDB, carries the version on its tracking table."""
    path = built(store, tmp_path / "projections.duckdb")
    with duckdb.connect(str(path), read_only=True) as conn:
        assert schema_version(conn) == SCHEMA_VERSION
        assert conn.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'tracking'").fetchall() == [
            (f"encommun projections, schema version {SCHEMA_VERSION}",)]


def test_an_unversioned_file_is_refused_everywhere_until_encommun_rebuild(store: Path, tmp_path: Path) -> None:
    """A file as today's code wrote it minus its version is refused by the recorder, the API's
    start and the CLI, each naming `encommun rebuild`; that command rebuilds it to the same rows."""
    path = built(store, tmp_path / "projections.duckdb")
    before = rows(path)
    mark(path, None)

    with pytest.raises(OutdatedProjections) as refused:
        DuckDBTrackingRecorder(path)
    assert str(refused.value) == (
        f"the projection file {path} has no schema version (an older encommun), this encommun reads "
        f"schema version {SCHEMA_VERSION}: rebuild it from the event log with "
        f"`encommun rebuild --store <event store> --projections {path}`")

    settings = Settings(sqlite_path=store, projection_path=path, snapshot_dir=tmp_path / "snapshots")
    with pytest.raises(OutdatedProjections, match="encommun rebuild"):
        with TestClient(create_app(settings)):
            pass

    listed = CliRunner().invoke(cli.app, ["period", "list", "--store", str(store), "--projections", str(path)])
    assert listed.exit_code == 2
    assert "no schema version" in listed.output and "encommun rebuild" in listed.output
    assert "Traceback" not in listed.output
    assert rows(path) == before  # refused, not touched

    rebuilt = CliRunner().invoke(cli.app, ["rebuild", "--store", str(store), "--projections", str(path)])
    assert rebuilt.exit_code == 0, rebuilt.output
    DuckDBTrackingRecorder(path).close()
    assert rows(path) == before
    with duckdb.connect(str(path), read_only=True) as conn:
        assert schema_version(conn) == SCHEMA_VERSION


def test_a_file_of_a_newer_schema_version_is_refused_naming_its_version(store: Path, tmp_path: Path) -> None:
    """A file some later encommun wrote is not read as if it were of this version."""
    path = built(store, tmp_path / "projections.duckdb")
    mark(path, f"encommun projections, schema version {SCHEMA_VERSION + 1}")
    with pytest.raises(OutdatedProjections, match=f"has schema version {SCHEMA_VERSION + 1}, this encommun reads"):
        DuckDBTrackingRecorder(path)


def test_a_rebuild_left_half_done_by_another_version_starts_again(store: Path, tmp_path: Path) -> None:
    """An interrupted `<file>.rebuild` of an older version is not resumed (nor refused): it is
    started again from position 0."""
    path = tmp_path / "projections.duckdb"
    leftover = built(store, tmp_path / "old.duckdb").rename(path.with_name(path.name + ".rebuild"))
    mark(leftover, None)
    with bootstrap(Settings(sqlite_path=store)) as ledger:
        assert rebuild(ledger.recorder, path, progress=False) == ledger.recorder.max_notification_id()
    assert rows(path) == rows(built(store, tmp_path / "fresh.duckdb"))


# The SQL that decides what the tables hold, as of each schema version (comments left out).
SQL_DIGESTS = {
    1: "e80eb8c717a21ffbbb09df70e175ac4155a865ac1e86442a0a200cdd62ede0b4",
    # A booking's hours computed exactly, half up (a double's rounding could differ).
    2: "897ec3250efaa0e75a96169d39bcb7e76ff43da1b28f1b73ca2efedba383b4c9",
    # A groupement d'employeurs: monthly hour sheets and invoices; its billing terms, register, debts, fees
    # and deposits; timed staff hours (their quantity computed from their times, as a
    # booking's); whether costs are HT or TTC; tariff pools' year settlements; the refunds of
    # regularisation credit notes.
    3: "e43a700f490029b5fe99c3d81af73cd3211bfdfda946eff9c6ce2353c9689201",
}


def sql_digest() -> str:
    digest = hashlib.sha256()
    for name in ("schema.sql", "apply_page.sql"):
        code = [line.split("--")[0].rstrip() for line in (SQL_DIR / name).read_text().splitlines()]
        digest.update("\n".join(line for line in code if line).encode() + b"\0")
    return digest.hexdigest()


def test_the_tables_sql_has_not_changed_without_a_look_at_the_schema_version() -> None:
    """schema.sql or apply_page.sql changed: the one who changed it decides whether older
    files still hold what this code expects (else SCHEMA_VERSION is raised), and says so here."""
    assert SQL_DIGESTS.get(SCHEMA_VERSION) == sql_digest(), (
        f"projections/sql/schema.sql or apply_page.sql changed (digest {sql_digest()}): if files "
        f"written before hold other rows than this SQL would write, raise SCHEMA_VERSION in "
        f"projections/recorder.py (older files are then refused until rebuilt); either way, put the "
        f"digest in SQL_DIGESTS for that version")
