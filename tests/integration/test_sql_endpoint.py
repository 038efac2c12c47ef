"""POST /sql: one SELECT over the analysts' snapshot, as JSON, CSV or Parquet (real files)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from projections.sandbox import open_locked
from projections.snapshot import SNAPSHOT_PREFIX, TEMP_SUFFIX, Snapshot, publish
from tests.api_fixtures import Api, api_settings, prepare

BOOKING = {"resource_id": "salle-vercors", "partner_id": "creche-a",
           "starts_at": "2026-03-02T14:00:00+01:00", "ends_at": "2026-03-02T16:00:00+01:00"}
# Employees of the ledger: tests/history.py registers Anne Martin; these tests add two more.
BRUNO = {"resource_id": "bruno", "name": "Bruno Lefèvre", "kind": "staff", "unit": "hour"}
CLAIRE = {"resource_id": "aaa-claire", "name": "Claire « Zoé » Dupont-Ødegård", "kind": "staff",
          "unit": "hour"}


def start_api(tmp: Path, **overrides: object) -> Api:
    """tests/api_fixtures.start, with settings overridden (snapshot_every_s is 0 there)."""
    settings = api_settings(tmp).model_copy(update=overrides)
    tokens = prepare(settings)
    client = TestClient(create_app(settings))
    client.__enter__()
    return Api(client, settings, tokens)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    api = start_api(tmp_path)
    yield api
    api.client.__exit__(None, None, None)


def write(api: Api, url: str, body: dict) -> int:
    response = api.client.post(url, json=body, headers=api.headers("coordinator"))
    assert response.status_code == 201, response.text
    return response.json()["position"]


def sql(api: Api, query: str, who: str = "analyst", after: int | None = None, accept: str | None = None):
    headers = api.headers(who) | ({"Accept": accept} if accept else {})
    return api.client.post("/sql", json={"sql": query}, headers=headers,
                           params={} if after is None else {"after": after})


@contextmanager
def locked(snapshot: Snapshot) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the snapshot opened as the sandbox's workers open theirs, in this
    process, to look inside."""
    temp = Path(tempfile.mkdtemp(dir=snapshot.path.with_name(snapshot.path.name + TEMP_SUFFIX)))
    conn = open_locked(snapshot.path, snapshot.limits, temp)
    try:
        yield conn
    finally:
        conn.close()
        shutil.rmtree(temp, ignore_errors=True)


def snapshot_files(api: Api) -> list[str]:
    return sorted(p.name for p in api.settings.snapshot_dir.iterdir() if p.suffix == ".duckdb")


def test_an_analyst_reads_the_projections_as_of_a_position(api: Api) -> None:
    """columns (name, type), rows as lists, row_count, truncated, and the snapshot's position."""
    position = write(api, "/bookings", BOOKING)
    response = sql(api, "SELECT entry_id, partner_id, quantity, happened_on, starts_at FROM usage",
                   after=position)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["columns"] == [
        {"name": "entry_id", "type": "VARCHAR"}, {"name": "partner_id", "type": "VARCHAR"},
        {"name": "quantity", "type": "DECIMAL(18,3)"}, {"name": "happened_on", "type": "DATE"},
        {"name": "starts_at", "type": "TIMESTAMP WITH TIME ZONE"}]
    assert body["rows"] == [["salle-vercors:2026-03-02:1", "creche-a", "2.000", "2026-03-02",
                             "2026-03-02T13:00:00+00:00"]]
    assert body["row_count"] == 1 and body["truncated"] is False and body["position"] == position
    assert response.headers["Encommun-Position"] == str(position)


def test_analysts_coordinators_and_auditors_may_query_partners_may_not(api: Api) -> None:
    """The analyst role is what /sql is for; a partner token gets 403, no token 401."""
    for who in ("analyst", "coordinator", "auditor"):
        assert sql(api, "SELECT count(*) FROM partners", who).status_code == 200
    for who in ("creche", "club"):
        refused = sql(api, "SELECT count(*) FROM partners", who)
        assert refused.status_code == 403 and "partner token" in refused.json()["detail"]
    assert api.client.post("/sql", json={"sql": "SELECT 1"}).status_code == 401


def test_csv_when_the_client_accepts_text_csv(api: Api) -> None:
    """A header line, then the rows; nested values as JSON text, NULL as an empty field."""
    response = sql(api, "SELECT partner_id, name, [1, 2] AS l, NULL AS n FROM partners ORDER BY partner_id",
                   accept="text/csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["partner_id", "name", "l", "n"]
    assert rows[1:] == [["club-b", "Club de foot", "[1, 2]", ""],
                        ["creche-a", "Crèche Les Marmots", "[1, 2]", ""],
                        ["mda", "Maison des associations", "[1, 2]", ""]]
    assert response.headers["Encommun-Row-Count"] == "3" and response.headers["Encommun-Truncated"] == "false"


@pytest.mark.parametrize("media_type", ["application/vnd.apache.parquet", "application/x-parquet"])
def test_parquet_when_the_client_accepts_it(api: Api, media_type: str) -> None:
    """The same rows and types as JSON, with the position in the file's metadata."""
    position = write(api, "/bookings", BOOKING)
    query = "SELECT entry_id, quantity, happened_on, recorded_position FROM usage"
    response = sql(api, query, after=position, accept=media_type)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(response.content))
    assert table.column_names == ["entry_id", "quantity", "happened_on", "recorded_position"]
    assert str(table.schema.field("quantity").type) == "decimal128(18, 3)"
    as_json = sql(api, query).json()["rows"]
    assert [[r["entry_id"], str(r["quantity"]), r["happened_on"].isoformat(), r["recorded_position"]]
            for r in table.to_pylist()] == as_json
    assert table.schema.metadata[b"encommun.position"] == str(position).encode()


def test_json_is_the_default_and_an_unknown_accept_is_406(api: Api) -> None:
    assert sql(api, "SELECT 1", accept="*/*").headers["content-type"] == "application/json"
    preferred = sql(api, "SELECT 1", accept="text/csv;q=0.4, application/json;q=0.9")
    assert preferred.headers["content-type"] == "application/json"
    refused = sql(api, "SELECT 1", accept="application/xml")
    assert refused.status_code == 406 and refused.headers["content-type"] == "application/problem+json"


def test_values_keep_their_exactness_in_json(api: Api) -> None:
    """Decimals and HUGEINTs exact, times ISO 8601, blobs base64, nested values as JSON,
    duplicate column names kept (rows are lists)."""
    response = sql(api, "SELECT 1.005::DECIMAL(18, 3) AS d, "
                        "170141183460469231731687303715884105727::HUGEINT AS h, "
                        "DATE '2026-03-02' AS day, TIMESTAMPTZ '2026-03-02 14:00:00+01' AS t, "
                        "'\\x01'::BLOB AS b, [1, NULL] AS l, {'a': 1.5} AS s, 'inf'::DOUBLE AS f, "
                        "'{\"k\": 1}'::JSON AS j, 1 AS x, 2 AS x")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [c["name"] for c in body["columns"]] == ["d", "h", "day", "t", "b", "l", "s", "f", "j", "x", "x"]
    assert body["rows"] == [["1.005", "170141183460469231731687303715884105727", "2026-03-02",
                             "2026-03-02T13:00:00+00:00", "AQ==", [1, None], {"a": "1.5"}, "inf",
                             '{"k": 1}', 1, 2]]


def test_a_parquet_answer_names_columns_it_cannot_write(api: Api) -> None:
    response = sql(api, "SELECT INTERVAL 1 DAY AS iv", accept="application/vnd.apache.parquet")
    assert response.status_code == 422 and "VARCHAR" in response.json()["detail"]


@pytest.mark.parametrize("query, fragment", [
    ("SELEC 1", "Parser Error"),
    ("SELECT * FROM no_such_table", "Catalog Error"),
    ("SELECT no_such_column FROM events", "Binder Error"),
    ("SELECT CAST('x' AS INTEGER)", "Conversion Error"),
    ("SELECT ?", "parameters"),
])
def test_bad_sql_is_a_422_with_duckdb_s_message(api: Api, query: str, fragment: str) -> None:
    response = sql(api, query)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/sql-invalid") and problem["field"] == "sql"
    assert fragment in problem["detail"]


@pytest.mark.parametrize("query, fragment", [
    ("SELECT 1; SELECT 2", "exactly one SELECT statement, not 2"),
    ("  ;  ", "not 0 statements"),
    ("-- a comment only", "not 0 statements"),
    ("EXPLAIN SELECT 1", "not EXPLAIN"),
    ("CALL pragma_version()", "not CALL"),
    ("PIVOT partners ON kind", "not MULTI"),
])
def test_anything_but_one_select_is_a_422(api: Api, query: str, fragment: str) -> None:
    response = sql(api, query)
    assert response.status_code == 422 and response.json()["type"].endswith("/sql-one-select")
    assert fragment in response.json()["detail"]


def test_reading_statements_that_duckdb_types_as_select_are_accepted(api: Api) -> None:
    """DESCRIBE, SHOW, SUMMARIZE, FROM-first, TABLE and VALUES are SELECTs to DuckDB's parser."""
    for query in ("DESCRIBE events", "SHOW TABLES", "SUMMARIZE partners", "FROM partners", "TABLE partners",
                  "VALUES (1)", "SELECT * FROM usage_at(10)", "SELECT position_at(now())"):
        assert sql(api, query).status_code == 200, query


def test_a_result_is_cut_at_the_row_limit_and_says_so(tmp_path: Path) -> None:
    api = start_api(tmp_path, sql_row_limit=100)
    try:
        exact = sql(api, "SELECT * FROM range(100)").json()
        assert exact["row_count"] == 100 and exact["truncated"] is False
        cut = sql(api, "SELECT i FROM range(1000000000000) t(i)").json()  # streamed: stops at the cut
        assert cut["row_count"] == 100 and cut["truncated"] is True and cut["rows"][-1] == [99]
        as_csv = sql(api, "SELECT * FROM range(1000)", accept="text/csv")
        assert as_csv.headers["Encommun-Truncated"] == "true" and len(as_csv.text.splitlines()) == 101
        as_parquet = sql(api, "SELECT * FROM range(1000)", accept="application/vnd.apache.parquet")
        assert pq.read_table(io.BytesIO(as_parquet.content)).num_rows == 100
        assert as_parquet.headers["Encommun-Truncated"] == "true"
    finally:
        api.client.__exit__(None, None, None)


def test_a_query_needing_more_memory_than_allowed_is_refused(tmp_path: Path) -> None:
    api = start_api(tmp_path, sql_memory_limit="64MB")
    try:
        response = sql(api, "SELECT string_agg(repeat('x', 1000), '') FROM range(1000000)")
        assert response.status_code == 422
        assert response.json()["type"].endswith("/sql-out-of-memory") and "64MB" in response.json()["detail"]
    finally:
        api.client.__exit__(None, None, None)


# The snapshot: refreshed as the projections advance, old files deleted -----------------


def test_with_snapshot_every_s_0_each_query_sees_the_projections_as_they_are(api: Api) -> None:
    """No `after` needed once the follower has folded a write: a stale snapshot is refreshed,
    and the previous snapshot's files are deleted."""
    first = write(api, "/bookings", BOOKING)
    assert sql(api, "SELECT count(*) FROM usage", after=first).json()["rows"] == [[1]]
    files = snapshot_files(api)
    assert len(files) == 1 and files[0].startswith(f"{SNAPSHOT_PREFIX}p{first}-")
    second = write(api, "/bookings", {**BOOKING, "starts_at": "2026-03-03T09:00:00+01:00",
                                      "ends_at": "2026-03-03T10:00:00+01:00"})
    assert api.client.app.state.services.follower.wait_for(second, timeout=10)
    body = sql(api, "SELECT count(*) FROM usage").json()
    assert body["rows"] == [[2]] and body["position"] == second
    assert snapshot_files(api) == [f for f in snapshot_files(api) if f"p{second}-" in f]
    assert len(snapshot_files(api)) == 1
    # Unchanged projections: the same snapshot serves the next query.
    assert sql(api, "SELECT 1").json()["position"] == second and len(snapshot_files(api)) == 1


def test_a_snapshot_stays_open_for_its_queries_and_closes_after_them(api: Api) -> None:
    """A refresh swaps a new snapshot in for new queries; the old one serves its running
    query to the end, then is closed and its file deleted."""
    services = api.client.app.state.services
    with services.snapshots.snapshot() as old:
        position = write(api, "/bookings", BOOKING)
        assert services.follower.wait_for(position, timeout=10)
        fresh = services.snapshots.refresh()
        assert fresh is not old and fresh.position == position
        assert old.path.exists() and old.query("SELECT count(*) FROM usage").table.to_pylist() == [
            {"count_star()": 0}]
        assert sql(api, "SELECT count(*) FROM usage").json()["rows"] == [[1]]
    assert old.closed and not old.path.exists()
    assert snapshot_files(api) == [fresh.path.name]


def test_a_periodic_publisher_refreshes_on_its_own(tmp_path: Path) -> None:
    """snapshot_every_s > 0: a thread publishes when the projections advance."""
    api = start_api(tmp_path, snapshot_every_s=0.2)
    try:
        position = write(api, "/bookings", BOOKING)
        deadline = time.monotonic() + 20
        while sql(api, "SELECT 1").json()["position"] < position:
            assert time.monotonic() < deadline, "the snapshot never reached the write"
            time.sleep(0.1)
        assert sql(api, "SELECT count(*) FROM usage").json()["rows"] == [[1]]
    finally:
        api.client.__exit__(None, None, None)
    assert snapshot_files(api) == []  # stop deletes what it published


def test_after_waits_for_the_write_and_refreshes_the_snapshot(tmp_path: Path) -> None:
    """Even with a long refresh interval, `after` gets a snapshot that includes the write."""
    api = start_api(tmp_path, snapshot_every_s=3600)
    try:
        assert sql(api, "SELECT count(*) FROM usage").json()["rows"] == [[0]]
        position = write(api, "/bookings", BOOKING)
        body = sql(api, "SELECT count(*) FROM usage", after=position).json()
        assert body["rows"] == [[1]] and body["position"] >= position
        too_far = sql(api, "SELECT 1", after=position + 1000)
        assert too_far.status_code == 422 and too_far.json()["field"] == "after"
    finally:
        api.client.__exit__(None, None, None)


# Staff names are pseudonymised ------------------------------------------------------------


def employee_names(api: Api) -> set[str]:
    """Every employee name the ledger holds, read from the live projections."""
    conn = api.client.app.state.services.follower.cursor()
    try:
        return {name for (name,) in conn.execute(
            "SELECT DISTINCT payload->>'name' FROM events "
            "WHERE event_type = 'ResourceRegistered' AND payload->>'kind' = 'staff'").fetchall()}
    finally:
        conn.close()


def occurrences(conn: duckdb.DuckDBPyConnection, names: set[str]) -> list[tuple[str, str, str]]:
    """(table, column, name) for every name found in any column of any table or view."""
    needles = set()
    for name in names:
        needles |= {name, json.dumps(name)[1:-1]}  # as written, and JSON-escaped
        needles |= {part for part in name.replace(",", " ").split() if len(part) > 3}
    found = []
    columns = conn.execute("SELECT table_name, column_name FROM duckdb_columns() "
                           "WHERE NOT internal AND database_name = current_database()").fetchall()
    assert {table for table, _ in columns} >= {"events", "resource_versions", "resources", "statement_lines"}
    for table, column in columns:
        for needle in needles:
            hits = conn.execute(
                f'SELECT count(*) FROM "{table}" WHERE contains(CAST("{column}" AS VARCHAR), ?)',
                [needle]).fetchone()[0]
            if hits:
                found.append((table, column, needle))
    return found


def test_no_employee_name_reaches_the_snapshot(api: Api) -> None:
    """Staff get employee-<n> by order of registration, in resource_versions (every version)
    and in their ResourceRegistered payloads; nothing else in the snapshot names them."""
    write(api, "/resources", BRUNO)
    write(api, "/resources", CLAIRE)
    write(api, "/resources/bruno/retire", {"retired_on": "2026-06-01"})
    position = write(api, "/staff-hours", {"employee_id": "anne", "partner_id": "creche-a",
                                           "work_date": "2026-03-02", "hours": "3"})
    assert api.client.app.state.services.follower.wait_for(position, timeout=10)
    names = employee_names(api)
    assert names == {"Anne Martin", BRUNO["name"], CLAIRE["name"]}
    body = sql(api, "SELECT resource_id, name, valid_to IS NULL AS current FROM resource_versions "
                    "WHERE kind = 'staff' ORDER BY resource_id, valid_from", after=position).json()
    # Their ids too (tests/integration/test_pseudonyms.py): the id is the pseudonym.
    assert body["rows"] == [["employee-1", "employee-1", True], ["employee-2", "employee-2", False],
                            ["employee-2", "employee-2", True], ["employee-3", "employee-3", True]]
    payloads = sql(api, "SELECT payload FROM events WHERE event_type = 'ResourceRegistered' "
                        "AND payload->>'kind' = 'staff' ORDER BY position").json()["rows"]
    assert [json.loads(p)["name"] for (p,) in payloads] == ["employee-1", "employee-2", "employee-3"]
    assert [json.loads(p)["resource_id"] for (p,) in payloads] == ["employee-1", "employee-2", "employee-3"]
    others = sql(api, "SELECT name FROM resources WHERE kind <> 'staff' ORDER BY name").json()["rows"]
    assert ["Salle Vercors"] in others  # other resources keep their names
    with api.client.app.state.services.snapshots.snapshot() as snapshot, locked(snapshot) as conn:
        assert occurrences(conn, names) == []
    live = api.client.app.state.services.follower.cursor()
    try:  # the live projections are not touched: the masking happens on the way to the copy
        assert ("resource_versions", "name", "Anne Martin") in occurrences(live, {"Anne Martin"})
    finally:
        live.close()


def test_pseudonyms_do_not_move_when_an_employee_is_added(api: Api) -> None:
    first = sql(api, "SELECT resource_id, name FROM resources WHERE kind = 'staff'").json()["rows"]
    position = write(api, "/resources", {**CLAIRE, "resource_id": "aa-first-by-id"})
    later = sql(api, "SELECT resource_id, name FROM resources WHERE kind = 'staff' ORDER BY name",
                after=position).json()["rows"]
    assert first == [["employee-1", "employee-1"]]
    assert later == [["employee-1", "employee-1"], ["employee-2", "employee-2"]]


def test_publish_from_a_file_no_one_writes(tmp_path: Path) -> None:
    """publish() also takes the path of a projection file (e.g. a rebuilt one)."""
    api = start_api(tmp_path)
    position = write(api, "/bookings", BOOKING)
    assert api.client.app.state.services.follower.wait_for(position, timeout=10)
    api.client.__exit__(None, None, None)
    path = publish(api.settings.projection_path, tmp_path / "elsewhere")
    snapshot = Snapshot.open(path)
    try:
        assert snapshot.position == position
        assert snapshot.query("SELECT name FROM resources WHERE resource_id = 'employee-1'").table.to_pylist() == [
            {"name": "employee-1"}]
    finally:
        snapshot.retire()
    assert not path.exists()
