"""On the demo history with closes, a late credit note and disputes: the rules the read side
keeps for speed agree with their one definition (booking hours in the fold and in the
domain; a trace and adjustments "now" and as of the tracked position)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap import bootstrap
from demo.load import stored_events
from domain.entries import evolve
from domain.events import SlotBooked
from projections import as_of, closing
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """Three months of Haut-Val, the first two closed, then the late credit note and two
    disputes on February; projections followed to the end of the log."""
    from demo.aftermath import close_and_dispute
    from demo.haut_val import generate
    from demo.load import load

    tmp = tmp_path_factory.mktemp("demo-reads")
    ledger = bootstrap(Settings(sqlite_path=tmp / "demo.sqlite"))
    assert load(ledger, generate(months=3)).problem is None
    aftermath = close_and_dispute(ledger, tmp / "closing.duckdb", "2026-01", 3, keep_open=1)
    assert aftermath.closed == ["2026-01", "2026-02"]
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "projections.duckdb"))
    follower.catch_up()
    yield ledger, follower
    follower.view.close()
    ledger.close()


def test_a_booking_s_hours_in_the_fold_are_those_the_domain_computes(demo) -> None:
    """Every booking's first usage version holds the hours `domain.entries` derives from
    its start and end (the fold computes them again in SQL, for speed)."""
    ledger, follower = demo
    domain_hours = {event.entry_id: evolve(event, None).entries[0].quantity
                    for event in stored_events(ledger, SlotBooked)}
    folded = dict(follower.view.connection.execute(
        "SELECT entry_id, quantity FROM usage_versions WHERE usage_kind = 'booking' "
        "AND valid_from = recorded_position").fetchall())
    assert len(domain_hours) > 100 and folded == domain_hours


def test_every_line_s_trace_now_is_its_trace_as_of_the_tracked_position(demo) -> None:
    """`charge_trace` (the trace as things stand) and `trace_as_of` at the tracked position
    list the same events for every line (pool lines too), disputed lines of closed months
    included."""
    _, follower = demo
    conn = follower.view.connection
    tracked = follower.runner.position
    lines = conn.execute(
        "SELECT DISTINCT month, resource_id, partner_id, line_kind, part, basis_kind, key_version "
        "FROM cost_shares").fetchall()
    now: dict[tuple, set] = {}
    for month, resource_id, partner_id, line_kind, part, source, entry_id, position in conn.execute(
            "SELECT * FROM charge_trace").fetchall():
        now.setdefault((month, resource_id, partner_id, line_kind, part), set()).add((source, entry_id, position))
    disputed = 0
    for month, resource_id, partner_id, line_kind, part, basis_kind, key_version in lines:
        then = as_of.trace_as_of(conn, partner_id=partner_id, month=month, resource_id=resource_id,
                                 line_kind=line_kind, part=part, basis_kind=basis_kind,
                                 key_version=key_version, position=tracked)
        rows = {(source, entry_id, position) for source, entry_id, position, *_ in then}
        assert rows == now.get((month, resource_id, partner_id, line_kind, part), set())
        disputed += any(source == "dispute" for source, _, _ in rows)
    assert disputed == 2


def test_adjustments_as_of_the_tracked_position_are_those_stored(demo) -> None:
    """For every month, the adjustments read as of the tracked position are the rows of
    `adjustments` booked into it (the late credit note's, in March)."""
    _, follower = demo
    conn = follower.view.connection
    tracked = follower.runner.position
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        stored = conn.execute(
            "SELECT origin_month, resource_id, partner_id, line_kind, part, amount_cents FROM adjustments "
            "WHERE booked_month = ? ORDER BY ALL", [month]).fetchall()
        read = sorted((r["origin_month"], r["resource_id"], r["partner_id"], r["line_kind"], r["part"],
                       r["amount_cents"]) for r in closing.adjustments_at(conn, month, tracked))
        assert read == stored, month
        assert bool(stored) == (month == "2026-03")


def test_as_of_just_before_the_late_credit_note_march_has_no_adjustment(demo) -> None:
    """March as of the position before the credit note has no adjustment line; as of the
    note, all of them."""
    _, follower = demo
    conn = follower.view.connection
    (note,) = conn.execute("SELECT DISTINCT unnest(caused_by) FROM adjustments").fetchall()[0]
    assert closing.adjustments_at(conn, "2026-03", note - 1) == []
    stored = conn.execute("SELECT count(*) FROM adjustments").fetchone()[0]
    assert len(closing.adjustments_at(conn, "2026-03", note)) == stored > 0
