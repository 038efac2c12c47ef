"""What an analyst's SQL cannot do, checked by experiment on the DuckDB this project runs.

DuckDB's defaults change between versions, so nothing here is assumed: each statement is
sent to POST /sql and must be refused (4xx) or cut, with the snapshot's tables and the live
projection file unchanged afterwards; and the same statements are run directly on the
snapshot's connection, bypassing the one-SELECT check, to prove the connection itself
refuses them. Controls show that, without the lockdown, the same DuckDB would comply.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa
import pytest

import projections.sandbox
from projections.sandbox import Limits, SqlOutOfMemory, run_select
from projections.snapshot import Snapshot, publish
from tests.api_fixtures import Api
from tests.integration.test_sql_endpoint import BOOKING, locked, start_api, write

TIMEOUT_S = 1.0
ROW_LIMIT = 100
# A Python variable of the server's process, and of this module: a replacement scan would
# serve it as a table to `SELECT * FROM some_variable`.
some_variable = pa.table({"secret": ["the server's memory"]})
SECRET_ROWS = [{"secret": "the server's memory"}]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp("sql-security")
    api = start_api(tmp, sql_timeout_s=TIMEOUT_S, sql_row_limit=ROW_LIMIT)
    # Some data recorded through the API: a booking, hours, a cost and a correction.
    write(api, "/bookings", BOOKING)
    write(api, "/staff-hours", {"employee_id": "anne", "partner_id": "creche-a",
                                "work_date": "2026-03-02", "hours": "3"})
    write(api, "/costs", {"resource_id": "salle-vercors", "month": "2026-03", "amount_cents": 50_000,
                          "category": "loyer", "document_ref": "FAC-1"})
    position = write(api, "/entries/salle-vercors:2026-03:1/corrections",
                     {"amount_cents": 49_000, "reason": "avoir"})
    assert api.client.app.state.services.follower.wait_for(position, timeout=10)
    assert api.client.post("/sql", json={"sql": "SELECT 1"}, headers=api.headers("analyst"),
                           params={"after": position}).json()["position"] == position
    yield api
    api.client.__exit__(None, None, None)


@pytest.fixture
def server_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variable in the module whose frame runs the analysts' queries (in the workers, and
    here in the test process for the controls)."""
    monkeypatch.setattr(projections.sandbox, "some_variable", some_variable, raising=False)


def services(api: Api):
    return api.client.app.state.services


def table_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = conn.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                          "ORDER BY table_name").fetchall()
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for (t,) in tables}


def fingerprint(path: Path) -> dict[str, str | None]:
    """The bytes of the live projection file and of its write-ahead log, if any."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
            for p in (path, path.with_name(path.name + ".wal"))}


def state(api: Api) -> tuple:
    live = services(api).follower.cursor()
    try:
        live_counts = table_counts(live)
    finally:
        live.close()
    with services(api).snapshots.snapshot() as snapshot, locked(snapshot) as conn:
        snapshot_counts = table_counts(conn)
        position = snapshot.position
    assert live_counts["events"] > 0 and live_counts == snapshot_counts
    return position, snapshot_counts, live_counts, fingerprint(api.settings.projection_path)


def post(api: Api, sql: str):
    return api.client.post("/sql", json={"sql": sql}, headers=api.headers("analyst"))


# Through the API ---------------------------------------------------------------------------

REFUSED = [
    # (statement, status, problem type, fragment of the detail)
    ("SELECT * FROM read_csv('/etc/passwd')", 403, "sql-forbidden", "disabled by configuration"),
    ("SELECT * FROM read_text('/etc/passwd')", 403, "sql-forbidden", "disabled by configuration"),
    ("SELECT * FROM read_blob('/etc/passwd')", 403, "sql-forbidden", "disabled by configuration"),
    ("SELECT * FROM glob('/etc/*')", 403, "sql-forbidden", "disabled by configuration"),
    ("SELECT * FROM sniff_csv('/etc/passwd')", 403, "sql-forbidden", "disabled by configuration"),
    ("SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')", 403, "sql-forbidden", "disabled"),
    ("SELECT * FROM read_parquet('https://example.com/x.parquet')", 403, "sql-forbidden", "disabled"),
    ("SELECT * FROM '/etc/passwd'", 422, "sql-invalid", "does not exist"),
    ("SELECT * FROM some_variable", 422, "sql-invalid", "some_variable does not exist"),
    ("SELECT * FROM query_table('some_variable')", 422, "sql-invalid", "does not exist"),
    ("COPY events TO '/tmp/encommun-sql-x.csv'", 422, "sql-one-select", "not COPY"),
    ("EXPORT DATABASE '/tmp/encommun-sql-export'", 422, "sql-one-select", "not EXPORT"),
    ("ATTACH '/tmp/encommun-sql-x.duckdb'", 422, "sql-one-select", "not ATTACH"),
    ("INSTALL httpfs", 422, "sql-one-select", "not LOAD"),
    ("LOAD httpfs", 422, "sql-one-select", "not LOAD"),
    ("SET memory_limit = '10GB'", 422, "sql-one-select", "not SET"),
    ("SET max_execution_time = 0", 422, "sql-one-select", "not SET"),
    ("RESET lock_configuration", 422, "sql-one-select", "not"),
    ("PRAGMA enable_profiling", 422, "sql-one-select", "not PRAGMA"),
    ("PRAGMA memory_limit = '10GB'", 422, "sql-one-select", "not"),
    ("CREATE TABLE x AS SELECT * FROM events", 422, "sql-one-select", "not CREATE"),
    ("CREATE TEMP TABLE x (a INT)", 422, "sql-one-select", "not CREATE"),
    ("INSERT INTO events SELECT * FROM events", 422, "sql-one-select", "not INSERT"),
    ("UPDATE resource_versions SET name = 'x'", 422, "sql-one-select", "not UPDATE"),
    ("DELETE FROM events", 422, "sql-one-select", "not DELETE"),
    ("DELETE FROM events; COMMIT", 422, "sql-one-select", "not 2 statements"),
    ("SELECT 1; DELETE FROM events", 422, "sql-one-select", "not 2 statements"),
    ("BEGIN; DELETE FROM events; COMMIT", 422, "sql-one-select", "not 3 statements"),
    ("CHECKPOINT", 422, "sql-one-select", "not"),
    ("DETACH DATABASE IF EXISTS system", 422, "sql-one-select", "not DETACH"),
    # Typed SELECT by DuckDB's parser, yet it writes: the read-only connection refuses it.
    ("WITH gone AS (DELETE FROM events RETURNING *) SELECT count(*) FROM gone", 422, "sql-invalid",
     "read-only mode"),
]


@pytest.mark.parametrize("statement, status, rule, fragment", REFUSED, ids=[r[0][:50] for r in REFUSED])
def test_the_api_refuses_and_nothing_changes(api: Api, server_variable: None, statement: str, status: int,
                                             rule: str, fragment: str) -> None:
    before = state(api)
    response = post(api, statement)
    assert response.status_code == status, response.text
    problem = response.json()
    assert problem["type"].endswith("/" + rule) and fragment in problem["detail"], problem
    assert "the server's memory" not in response.text and "root:" not in response.text
    assert state(api) == before
    for leftover in ("/tmp/encommun-sql-x.csv", "/tmp/encommun-sql-x.duckdb", "/tmp/encommun-sql-export"):
        assert not Path(leftover).exists()


def test_a_long_query_is_stopped_at_the_time_limit(api: Api) -> None:
    """max_execution_time interrupts both a blocking and a streaming query (each would run
    for minutes), with a 408 naming the limit."""
    before = state(api)
    for statement in ("SELECT sum(hash(i)) FROM range(10000000000) t(i)",
                      "SELECT i FROM range(10000000000) t(i) WHERE hash(i) % 100000000000 = 0"):
        started = time.monotonic()
        response = post(api, statement)
        elapsed = time.monotonic() - started
        assert response.status_code == 408, response.text
        problem = response.json()
        assert problem["type"].endswith("/sql-timeout") and f"{TIMEOUT_S:g} s" in problem["detail"]
        assert TIMEOUT_S * 0.9 <= elapsed < TIMEOUT_S + 15
    assert state(api) == before
    assert post(api, "SELECT count(*) FROM events").status_code == 200  # the snapshot still serves


def test_more_rows_than_the_limit_are_cut(api: Api) -> None:
    before = state(api)
    body = post(api, "SELECT e.position, r.range FROM events e, range(1000) r").json()
    assert body["row_count"] == ROW_LIMIT and len(body["rows"]) == ROW_LIMIT and body["truncated"] is True
    assert state(api) == before


def test_publishing_a_snapshot_leaves_the_live_file_unchanged(api: Api, tmp_path: Path) -> None:
    before = fingerprint(api.settings.projection_path)
    path = publish(services(api).follower.view.connection, tmp_path)
    assert fingerprint(api.settings.projection_path) == before
    Snapshot.open(path).retire()


# Below the API: the snapshot's connection itself ---------------------------------------

OUTSIDE = "/tmp/encommun-sql-guard"
GUARDED = [
    # (statement run on a cursor of the snapshot's connection, the error DuckDB raises)
    ("SELECT * FROM read_csv('/etc/passwd')", duckdb.PermissionException),
    ("SELECT * FROM read_text('/etc/passwd')", duckdb.PermissionException),
    ("SELECT * FROM glob('/etc/*')", duckdb.PermissionException),
    ("SELECT * FROM read_duckdb('{live}')", duckdb.PermissionException),
    ("SELECT * FROM some_variable", duckdb.CatalogException),
    (f"COPY events TO '{OUTSIDE}.csv'", duckdb.PermissionException),
    (f"EXPORT DATABASE '{OUTSIDE}'", duckdb.PermissionException),
    (f"ATTACH '{OUTSIDE}.duckdb' AS elsewhere", duckdb.PermissionException),
    # The live file: already attached in this process by the follower, so refused as in use
    # before access is even checked.
    ("ATTACH '{live}' AS live", (duckdb.PermissionException, duckdb.ResourceInUseException)),
    ("INSTALL httpfs", duckdb.PermissionException),
    ("LOAD httpfs", duckdb.PermissionException),
    ("SET memory_limit = '10GB'", duckdb.InvalidInputException),
    ("SET GLOBAL max_execution_time = 0", duckdb.InvalidInputException),
    ("SET SESSION max_execution_time = 0", duckdb.InvalidInputException),
    ("RESET max_execution_time", duckdb.InvalidInputException),
    ("SET enable_external_access = true", duckdb.InvalidInputException),
    ("SET python_enable_replacements = true", duckdb.InvalidInputException),
    ("SET autoload_known_extensions = true", duckdb.InvalidInputException),
    ("SET temp_directory = '/tmp'", duckdb.InvalidInputException),
    ("SET lock_configuration = false", duckdb.InvalidInputException),
    ("PRAGMA memory_limit = '10GB'", duckdb.InvalidInputException),
    ("PRAGMA enable_profiling", duckdb.InvalidInputException),
    ("CREATE TABLE x (a INT)", duckdb.InvalidInputException),
    ("CREATE VIEW x AS SELECT 1", duckdb.InvalidInputException),
    ("INSERT INTO events SELECT * FROM events", duckdb.InvalidInputException),
    ("UPDATE resource_versions SET name = 'x'", duckdb.InvalidInputException),
    ("DELETE FROM events", duckdb.InvalidInputException),
    ("DELETE FROM events; COMMIT", duckdb.InvalidInputException),
    ("WITH gone AS (DELETE FROM events RETURNING *) SELECT count(*) FROM gone", duckdb.InvalidInputException),
]


@pytest.mark.parametrize("statement, error", GUARDED, ids=[g[0][:50] for g in GUARDED])
def test_the_snapshot_connection_itself_refuses(api: Api, server_variable: None, statement: str,
                                                error: type[Exception] | tuple[type[Exception], ...]) -> None:
    before = state(api)
    statement = statement.replace("{live}", str(api.settings.projection_path))
    with services(api).snapshots.snapshot() as snapshot, locked(snapshot) as conn:
        with pytest.raises(error):
            conn.execute(statement).fetchall()
    assert state(api) == before
    assert not any(Path(f"{OUTSIDE}{suffix}").exists() for suffix in ("", ".csv", ".duckdb"))


def test_the_lockdown_is_global_so_every_cursor_has_it(api: Api) -> None:
    """On DuckDB 2.0.1 a plain SET of max_execution_time or python_enable_replacements stays
    on the connection that ran it; the snapshot sets them GLOBAL, so fresh cursors see them."""
    with services(api).snapshots.snapshot() as snapshot, locked(snapshot) as connection:
        cursor = connection.cursor()
        conn = cursor.cursor()  # a cursor of a cursor, too
        try:
            shown = dict(conn.execute("SELECT name, value FROM duckdb_settings()").fetchall())
        finally:
            conn.close()
            cursor.close()
    assert {name: shown[name] for name in (
        "access_mode", "enable_external_access", "python_enable_replacements", "autoload_known_extensions",
        "autoinstall_known_extensions", "allow_community_extensions", "allow_unsigned_extensions",
        "lock_configuration", "max_execution_time")} == {
        "access_mode": "read_only", "enable_external_access": "false", "python_enable_replacements": "false",
        "autoload_known_extensions": "false", "autoinstall_known_extensions": "false",
        "allow_community_extensions": "false", "allow_unsigned_extensions": "false",
        "lock_configuration": "true", "max_execution_time": str(round(TIMEOUT_S * 1000))}
    assert shown["temp_directory"].startswith(str(api.settings.snapshot_dir))
    assert shown["max_temp_directory_size"] != "90% of available disk space"


def test_what_the_connection_still_allows_stays_in_one_cursor(api: Api) -> None:
    """Temp tables and variables live in memory, per cursor; each query gets a new cursor
    (and the API refuses them anyway)."""
    before = state(api)
    with services(api).snapshots.snapshot() as snapshot, locked(snapshot) as conn:
        one, other = conn.cursor(), conn.cursor()
        try:
            one.execute("CREATE TEMP TABLE scratch AS SELECT 1 AS a")
            with pytest.raises(duckdb.CatalogException):
                other.execute("SELECT * FROM scratch")
        finally:
            one.close()
            other.close()
    assert state(api) == before


def test_spilling_is_bounded_by_the_memory_and_temp_directory_limits(api: Api, tmp_path: Path) -> None:
    """A sort bigger than memory_limit spills to the snapshot's own temp directory, up to
    max_temp_directory_size, then fails; it writes nowhere else."""
    path = publish(services(api).follower.view.connection, tmp_path)
    snapshot = Snapshot.open(path, Limits(memory_limit="32MB", temp_limit="16MB", timeout_s=30))
    try:
        with pytest.raises(SqlOutOfMemory, match="max_temp_directory_size"):
            snapshot.query("SELECT count(*) FROM (SELECT i, repeat('x', 100) AS s "
                           "FROM range(10000000) t(i) ORDER BY hash(i))")
        temp = snapshot.query("SELECT current_setting('temp_directory') AS t").table.to_pylist()[0]["t"]
        assert temp.startswith(str(path) + ".tmp/")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, path.name + ".tmp"])
    finally:
        snapshot.retire()
    assert list(tmp_path.iterdir()) == []


# Controls: the threats are real without the lockdown -----------------------------------


def test_controls_without_the_lockdown_duckdb_complies(api: Api, server_variable: None,
                                                       tmp_path: Path) -> None:
    """On DuckDB 2.0.1 a read_only=True connection with default settings reads local files
    and the server's Python variables, and writes files with COPY. If this test fails,
    DuckDB's defaults changed: review projections/snapshot.py's lockdown against them."""
    copy = publish(services(api).follower.view.connection, tmp_path)
    plain = duckdb.connect(str(copy), read_only=True)
    try:
        assert plain.execute("SELECT count(*) FROM read_text('/etc/passwd')").fetchone() == (1,)
        assert plain.execute("SELECT count(*) > 0 FROM glob('/etc/*')").fetchone() == (True,)
        assert plain.execute("SELECT * FROM some_variable").fetchall() == [("the server's memory",)]
        plain.execute(f"COPY events TO '{tmp_path / 'out.csv'}'")
        assert (tmp_path / "out.csv").exists()
        # The same code that runs analysts' queries in the workers, on an unlocked connection,
        # sees the variable of its module: python_enable_replacements is what stops it.
        assert run_select(duckdb.connect(), "SELECT * FROM some_variable", Limits()).table.to_pylist() == SECRET_ROWS
    finally:
        plain.close()


def test_control_the_live_file_cannot_be_opened_a_second_way(api: Api) -> None:
    """Why the snapshot exists: DuckDB refuses a read-only connection to the live file while
    the follower holds it (same process, another configuration)."""
    with pytest.raises(duckdb.Error):
        duckdb.connect(str(api.settings.projection_path), read_only=True)
