"""Projections: incremental equals rebuild row for row, as-of equals what was seen then,
shares sum to the costs, and every share traces back to its cost events."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import duckdb
import pytest

from bootstrap import bootstrap
from application.ledger import Ledger
from projections import as_of
from projections.rebuild import rebuild
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings
from projections.follower import Follower
from tests.history import history, record

TABLES = {
    "events": "position",
    "partners": "partner_id",
    "membership_versions": "partner_id, valid_from",
    "resource_versions": "resource_id, valid_from",
    "allocation_keys": "resource_id, key_version",
    "usage_versions": "entry_id, valid_from",
    "cost_versions": "entry_id, valid_from",
    "cost_shares": "month, resource_id, part NULLS FIRST, line_kind, partner_id NULLS LAST",
    "periods": "month",
    "statement_numbers": "month, partner_id",
    "disputes": "dispute_id",
    "credits": "dispute_id",
    "adjustments": "booked_month, origin_month, resource_id, line_kind, part NULLS FIRST, partner_id NULLS LAST",
}


def rows(conn: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return conn.execute(f"SELECT * FROM {table} ORDER BY {TABLES[table]}").fetchall()


def shares_now(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return rows(conn, "cost_shares")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The history appended in chunks, the projection following in pages of 7 between
    chunks (with snapshots of cost_shares at each stop), then a rebuild of the same log."""
    tmp = tmp_path_factory.mktemp("projections")
    ledger = bootstrap(Settings(sqlite_path=tmp / "ledger.sqlite"))
    incremental = DuckDBTrackingRecorder(tmp / "incremental.duckdb")
    follower = Follower(ledger.recorder, incremental, page_size=7)
    runner = follower.runner
    snapshots: list[tuple[int, list[tuple]]] = []
    for i, item in enumerate(history()):
        record(ledger, item, follower)
        if i % 5 == 0:
            runner.catch_up()
            snapshots.append((runner.position, shares_now(incremental.connection)))
    runner.catch_up()
    rebuilt_path = tmp / "rebuilt.duckdb"
    rebuild(ledger.recorder, rebuilt_path, page_size=1000, progress=False)
    rebuilt = duckdb.connect(str(rebuilt_path))
    yield {"ledger": ledger, "incremental": incremental.connection, "rebuilt": rebuilt,
           "snapshots": snapshots}
    rebuilt.close()
    incremental.close()
    ledger.close()


@pytest.mark.parametrize("table", sorted(TABLES))
def test_incremental_and_rebuild_give_the_same_rows(built: dict, table: str) -> None:
    """Small pages interleaved with appends, and one rebuild, give identical tables."""
    incremental, rebuilt = rows(built["incremental"], table), rows(built["rebuilt"], table)
    assert incremental == rebuilt
    assert incremental, f"{table} should not be empty"


def test_the_history_has_corrections_voids_and_cancellations(built: dict) -> None:
    """The comparison covers entries with several versions."""
    conn = built["rebuilt"]
    statuses = dict(conn.execute("SELECT status, count(*) FROM usage GROUP BY status").fetchall())
    assert statuses.keys() == {"open", "voided", "cancelled"}
    assert conn.execute("SELECT count(*) FROM cost_versions WHERE valid_to IS NOT NULL").fetchone()[0] >= 8


def test_as_of_a_past_position_gives_what_the_projection_showed_then(built: dict) -> None:
    """cost_shares re-read as of each stop of the incremental run equals its snapshot."""
    conn = built["rebuilt"]
    assert len(built["snapshots"]) > 10
    for position, seen in built["snapshots"]:
        table = as_of.cost_shares_as_of(conn, position)
        again = sorted(table.to_pylist(), key=_share_key)
        assert [tuple(r.values()) for r in again] == sorted(seen, key=_tuple_key), position


def _share_key(row: dict) -> tuple:
    return _tuple_key(tuple(row.values()))


def _tuple_key(row: tuple) -> tuple:
    month, resource, partner, kind, part = row[:5]
    return (month, resource, -1 if part is None else part, kind, partner or "\uffff")


def test_as_of_a_time_finds_the_position_recorded_by_then(built: dict) -> None:
    """position_at(t) is the last event recorded at or before t."""
    conn = built["rebuilt"]
    position, recorded_at = conn.execute(
        "SELECT position, recorded_at FROM events ORDER BY position LIMIT 1 OFFSET 100"
    ).fetchone()
    found = as_of.position_at(conn, recorded_at)
    assert found >= position
    assert conn.execute("SELECT recorded_at FROM events WHERE position = ?", [found]).fetchone()[0] == recorded_at


def test_every_pool_is_split_exactly_into_its_cost(built: dict) -> None:
    """For every month and resource, the lines (unallocated and recovery included) sum to the open costs."""
    mismatches = built["rebuilt"].execute(
        """
        WITH c AS (SELECT resource_id, month, sum(amount_cents) FILTER (WHERE status = 'open') AS cost
                   FROM costs GROUP BY ALL),
             s AS (SELECT resource_id, month, sum(amount_cents) AS shared FROM cost_shares GROUP BY ALL)
        SELECT * FROM c FULL JOIN s USING (resource_id, month)
        WHERE coalesce(cost, 0) <> coalesce(shared, -1)
        """
    ).fetchall()
    assert mismatches == []


def test_tariff_lines_and_recovery_equal_the_costs(built: dict) -> None:
    """The copier's page tariff plus its over/under-recovery line is its real cost."""
    rows_ = built["rebuilt"].execute(
        """
        SELECT month, sum(amount_cents) FILTER (WHERE line_kind = 'tariff'),
               sum(amount_cents) FILTER (WHERE line_kind = 'recovery'), any_value(pool_cents)
        FROM cost_shares WHERE method = 'tariff' GROUP BY month
        """
    ).fetchall()
    assert rows_ and all(tariff + recovery == pool for _, tariff, recovery, pool in rows_)


def test_every_share_traces_back_to_its_cost_events(built: dict) -> None:
    """Each cost_shares row of a pool with costs has 'cost' trace rows, and they are the
    CostRecorded (or correction) events of that resource and month."""
    conn = built["rebuilt"]
    untraced = conn.execute(
        """
        SELECT count(*) FROM cost_shares s
        WHERE EXISTS (SELECT 1 FROM cost_versions c WHERE c.resource_id = s.resource_id AND c.month = s.month)
          AND NOT EXISTS (SELECT 1 FROM charge_trace t
                          WHERE t.month = s.month AND t.resource_id = s.resource_id
                            AND t.line_kind = s.line_kind AND t.part IS NOT DISTINCT FROM s.part
                            AND t.partner_id IS NOT DISTINCT FROM s.partner_id AND t.source = 'cost')
        """
    ).fetchone()[0]
    assert untraced == 0
    wrong = conn.execute(
        """
        SELECT t.*, e.event_type FROM charge_trace t JOIN events e USING (position)
        WHERE t.source = 'cost' AND (e.event_type NOT IN ('CostRecorded', 'EntryCorrected', 'EntryVoided')
              OR e.payload->>'entry_id' <> t.entry_id)
        """
    ).fetchall()
    assert wrong == []
    no_trace = conn.execute(
        "SELECT count(*) FROM cost_shares s WHERE NOT EXISTS (SELECT 1 FROM charge_trace t "
        "WHERE t.month = s.month AND t.resource_id = s.resource_id AND t.line_kind = s.line_kind "
        "AND t.part IS NOT DISTINCT FROM s.part AND t.partner_id IS NOT DISTINCT FROM s.partner_id)"
    ).fetchone()[0]
    assert no_trace == 0


def test_a_usage_share_traces_to_the_partner_s_own_usage_events(built: dict) -> None:
    """The room's share of creche-a in January lists exactly its bookings of January."""
    conn = built["rebuilt"]
    traced = conn.execute(
        "SELECT entry_id FROM charge_trace WHERE month = '2026-01' AND resource_id = 'salle-vercors' "
        "AND partner_id = 'creche-a' AND source = 'usage' ORDER BY entry_id"
    ).fetchall()
    booked = conn.execute(
        "SELECT entry_id FROM usage_versions WHERE month = '2026-01' AND resource_id = 'salle-vercors' "
        "AND partner_id = 'creche-a' ORDER BY entry_id"
    ).fetchall()
    assert traced == booked and traced


def test_a_key_change_applies_from_its_month(built: dict) -> None:
    """Rent in January uses key version 1, from February version 2."""
    versions = dict(built["rebuilt"].execute(
        "SELECT month, any_value(key_version) FROM cost_shares WHERE resource_id = 'loyer' GROUP BY month"
    ).fetchall())
    assert versions == {"2026-01": 1, "2026-02": 2, "2026-03": 2, "2026-04": 2}


def test_a_partner_who_leaves_mid_month_pays_the_days_it_was_a_member(built: dict) -> None:
    """club-b left on 15 March: its rent weight in March is 65.5 x 15/31."""
    basis = built["rebuilt"].execute(
        "SELECT basis FROM cost_shares WHERE resource_id = 'loyer' AND month = '2026-03' AND partner_id = 'club-b'"
    ).fetchone()[0]
    assert float(basis) == pytest.approx(65.5 * 15 / 31, abs=1e-6)


def test_a_tariff_charges_usage_before_the_month_s_costs_are_in(built: dict) -> None:
    """No copier invoice for April yet: pages are charged, and the over-recovery shows it."""
    lines = built["rebuilt"].execute(
        "SELECT line_kind, sum(amount_cents), any_value(pool_cents) FROM cost_shares "
        "WHERE resource_id = 'copieur' AND month = '2026-04' GROUP BY line_kind"
    ).fetchall()
    by_kind = {kind: (amount, pool) for kind, amount, pool in lines}
    assert by_kind["tariff"][0] > 0 and by_kind["tariff"][1] == 0
    assert by_kind["recovery"][0] == -by_kind["tariff"][0]


def test_a_partner_who_has_left_gets_no_lines(built: dict) -> None:
    """club-b left on 15 March: it has lines in March, none in April."""
    months = {m for (m,) in built["rebuilt"].execute(
        "SELECT DISTINCT month FROM statements WHERE partner_id = 'club-b'").fetchall()}
    assert "2026-03" in months and "2026-04" not in months


def test_the_chain_hash_is_recomputable_from_the_store_alone(built: dict) -> None:
    """Reading the stored rows with plain sqlite3 and chaining them gives the same last hash."""
    import sqlite3

    from projections.chain import GENESIS, link

    store = built["ledger"].recorder.datastore.pool.db_name
    previous = GENESIS
    for position, originator_id, version, topic, state in sqlite3.connect(store).execute(
        "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
    ):
        previous = link(previous, position, str(UUID(originator_id)), version, topic, state)
    last = built["rebuilt"].execute("SELECT max_by(chain_hash, position) FROM events").fetchall()[0][0]
    assert last == previous


def test_the_demo_followed_incrementally_equals_its_rebuild(tmp_path: Path) -> None:
    """Three months of Haut-Val (corrections, voids, cancellations, refusals), followed in
    pages of 50 while it loads, then closed with a late credit note and disputes: every
    table equals a rebuild of the same log."""
    from demo.aftermath import close_and_dispute
    from demo.haut_val import generate
    from demo.load import load

    ledger = bootstrap(Settings(sqlite_path=tmp_path / "demo.sqlite"))
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp_path / "incremental.duckdb"), page_size=50)
    steps = 0

    def follow(*_: object) -> None:
        nonlocal steps
        steps += 1
        if steps % 25 == 0:
            follower.catch_up()

    report = load(ledger, generate(months=3), follow)
    assert report.problem is None and report.refusals
    close_and_dispute(ledger, tmp_path / "closing.duckdb", "2026-01", 3, keep_open=1)
    follower.catch_up()
    rebuild(ledger.recorder, tmp_path / "rebuilt.duckdb", page_size=10_000, progress=False)
    with duckdb.connect(str(tmp_path / "rebuilt.duckdb")) as rebuilt:
        for table in TABLES:
            assert rows(follower.view.connection, table) == rows(rebuilt, table), table
        assert rows(rebuilt, "adjustments") and rows(rebuilt, "credits")
    follower.view.close()
    ledger.close()
