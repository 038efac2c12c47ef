"""A tariff pool's year settled on real SQLite and DuckDB files (tests/settlement_fixtures.py's
copier, figures worked out by hand there): the settlement lines on December's statements,
the pool's year brought to zero, the trace of a line, the statements as of a position before
and after, a sealed month carrying them (and `verify` finding its seal again from the log);
every refusal with nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from application import tariff_settlement as ts
from application.close_month import close_month
from bootstrap import bootstrap
from domain.commands import RecordCost, RecordEquipmentUse
from domain.errors import DomainError, NotFound, RuleViolation
from projections import closing, settlement_reads
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from projections.verify import verify
from settings import Settings
from tests.ledger_fixtures import COORDINATOR, event_count
from tests.settlement_fixtures import COPIER, EXPECTED, copier_year


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[tuple]:
    ledger = bootstrap(Settings(sqlite_path=tmp_path / "ledger.sqlite"))
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp_path / "projections.duckdb"))
    copier_year(ledger)
    yield ledger, follower
    follower.view.close()
    ledger.close()


def read(follower: Follower, year: int = 2026, at: int | None = None) -> ts.TariffYearRead:
    follower.catch_up()
    with follower.view.transaction() as conn:
        return ts.tariff_year_read(conn, COPIER, year, follower.runner.position if at is None else at)


def settle(ledger, follower, month: str = "2026-12", year: int = 2026, seen: int | None = None):
    position = read(follower, year).position if seen is None else seen
    return ts.settle_tariff_year(ledger, follower, COPIER, year, month, position, actor=COORDINATOR)


def lines(follower: Follower, month: str, at: int | None = None) -> dict[tuple, int]:
    follower.catch_up()
    with follower.view.transaction() as conn:
        rows = closing.month_lines(conn, month, follower.runner.position if at is None else at)
    return {(r["partner_id"], r["line_kind"]): r["amount_cents"] for r in rows if r["resource_id"] == COPIER}


def test_the_year_read_as_the_statements_charge_it(pool) -> None:
    """Three months with a pool, 90,00 € of costs, 88,00 € charged; each partner's units, exact
    share, share and amount as worked out by hand."""
    _, follower = pool
    year = read(follower)
    assert (year.months, year.costs_cents, year.charged_cents, year.settled_cents) == (
        ("2026-01", "2026-02", "2026-12"), 9_000, 8_800, 0)
    assert {m.partner_id: (m.units, m.real_cost_cents, m.billed_cents, m.difference_cents)
            for m in year.settlement.members} == EXPECTED
    assert [m["recovery_cents"] for m in year.monthly] == [1_000, 200, -1_000]


def test_settlement_lines_on_decembers_statements_bring_the_pools_year_to_zero(pool) -> None:
    """December carries 1,36 € for the crèche and 0,64 € for the club (who left in March); the
    year's recovery lines (2,00 €) less the settlements are zero."""
    ledger, follower = pool
    settle(ledger, follower)
    december = lines(follower, "2026-12")
    assert (december[("creche-a", "settlement")], december[("club-b", "settlement")]) == (136, 64)
    follower.catch_up()
    conn = follower.view.connection
    recovery = conn.execute("SELECT sum(amount_cents) FROM cost_shares WHERE resource_id = ? AND line_kind = "
                            "'recovery' AND month LIKE '2026-%'", [COPIER]).fetchone()[0]
    settled = conn.execute("SELECT sum(amount_cents) FROM statement_lines WHERE resource_id = ? AND line_kind = "
                           "'settlement'", [COPIER]).fetchone()[0]
    assert (recovery, settled, recovery - settled) == (200, 200, 0)
    totals = dict(conn.execute("SELECT partner_id, total_cents FROM statements WHERE month = '2026-12'").fetchall())
    assert totals == {"creche-a": 2_000 + 136, "club-b": 64}


def test_the_settlement_lines_trace_reaches_the_costs_the_partners_uses_and_the_settlement(pool) -> None:
    """The crèche's line: the copier's three cost events, its own two uses (not the club's), the settlement."""
    ledger, follower = pool
    settled_at = settle(ledger, follower).events[0].position
    follower.catch_up()
    with follower.view.transaction() as conn:
        line = settlement_reads.partner_settlements(conn, "creche-a", "2026-12", follower.runner.position)[COPIER]
        rows = settlement_reads.settlement_trace(conn, "creche-a", COPIER, line["year"], line["tariff_months"],
                                                 follower.runner.position)
    assert (line["year"], line["amount_cents"], line["share_cents"], line["charged_cents"]) == (2026, 136, 6_136,
                                                                                                6_000)
    assert [(r[0], r[3]) for r in rows] == [("cost", "CostRecorded")] * 3 + [
        ("usage", "EquipmentUsed")] * 2 + [("settlement", "TariffYearSettled")]
    assert rows[-1][2] == settled_at
    assert all('"club-b"' not in r[6] for r in rows if r[0] == "usage")


def test_statements_as_of_a_position_before_the_settlement_show_no_settlement_line(pool) -> None:
    """As of the position just before it, December has no settlement line; as of its event, both."""
    ledger, follower = pool
    at = settle(ledger, follower).events[0].position
    assert ("creche-a", "settlement") not in lines(follower, "2026-12", at - 1)
    assert {k: v for k, v in lines(follower, "2026-12", at).items() if k[1] == "settlement"} == {
        ("creche-a", "settlement"): 136, ("club-b", "settlement"): 64}


def test_a_closed_december_keeps_its_settlement_and_a_late_cost_is_settled_again_in_january(pool) -> None:
    """January to December closed with the settlement sealed in; a 1,10 € invoice for December
    arrives: December as issued is unchanged, the late cost reaches January as an adjustment of
    the recovery line, and settling again in January issues 75 and 35 cents; the year is zero."""
    ledger, follower = pool
    settle(ledger, follower)
    for month in range(1, 13):
        close_month(ledger, follower, f"2026-{month:02d}", actor=COORDINATOR)
    follower.catch_up()
    with follower.view.transaction() as conn:
        seal = dict(closing.closed_months(conn))["2026-12"]
        sealed = closing.statements_digest(conn, "2026-12", seal)
    ledger.execute(RecordCost(resource_id=COPIER, month="2026-12", amount_cents=110, category="maintenance",
                              document_ref="MNT-12-bis"), actor=COORDINATOR)
    settle(ledger, follower, "2027-01")
    follower.catch_up()
    with follower.view.transaction() as conn:
        assert closing.statements_digest(conn, "2026-12", seal) == sealed
        now = closing.issued_vs_now(conn, "2026-12", follower.runner.position)
        period = conn.execute("SELECT statements_sha256 FROM periods WHERE month = '2026-12'").fetchone()[0]
    assert period == sealed
    assert verify(ledger.recorder).ok, "the log replayed gives December's seal, its settlement lines included"
    assert {(r["partner_id"], r["line_kind"]): r["difference_cents"] for r in now
            if r["resource_id"] == COPIER and r["difference_cents"]} == {(None, "recovery"): 110}
    january = lines(follower, "2027-01")
    assert (january[("creche-a", "settlement")], january[("club-b", "settlement")]) == (75, 35)
    assert january[(None, "adjustment")] == 110
    assert read(follower).settled_cents == 310 == read(follower).costs_cents - read(follower).charged_cents


def _refused(ledger, follower, error: type[DomainError], field: str, words: str, **call) -> None:
    before = event_count(ledger)
    with pytest.raises(error, match=words) as refused:
        settle(ledger, follower, **call)
    assert refused.value.field == field
    assert event_count(ledger) == before


def test_each_refusal_names_its_field_and_stores_nothing(pool) -> None:
    """A year with no tariff key, a month before the year's end, nothing left to settle, a second
    settlement on the same month's statements, a position past the log's end."""
    ledger, follower = pool
    _refused(ledger, follower, RuleViolation, "year", "no tariff key in 2025", year=2025, month="2025-12")
    _refused(ledger, follower, RuleViolation, "month", "last month or later", month="2026-11")
    _refused(ledger, follower, RuleViolation, "as_of_position", "the log ends", seen=10_000)
    settle(ledger, follower)
    _refused(ledger, follower, RuleViolation, "year", "nothing to settle", month="2027-01")
    ledger.execute(RecordCost(resource_id=COPIER, month="2026-02", amount_cents=50, category="location",
                              document_ref="LOC-02-bis"), actor=COORDINATOR)
    _refused(ledger, follower, RuleViolation, "month", "settle again in a later month")


def test_an_unknown_resource_is_refused(pool) -> None:
    """No such resource: NotFound on `resource_id`, nothing stored."""
    ledger, follower = pool
    follower.catch_up()
    before = event_count(ledger)
    with pytest.raises(NotFound) as refused:
        ts.settle_tariff_year(ledger, follower, "photocopieuse", 2026, "2026-12", follower.runner.position,
                              actor=COORDINATOR)
    assert (refused.value.field, event_count(ledger)) == ("resource_id", before)


def test_a_closed_month_is_refused(pool) -> None:
    """December closed: its statements take no settlement."""
    ledger, follower = pool
    for month in range(1, 13):
        close_month(ledger, follower, f"2026-{month:02d}", actor=COORDINATOR)
    _refused(ledger, follower, RuleViolation, "month", "month 2026-12 is closed")


def test_a_figure_moved_since_the_read_is_refused(pool) -> None:
    """Read, then a use recorded: settling what was read is refused (`as_of_position`); read again, it settles."""
    ledger, follower = pool
    seen = read(follower).position
    ledger.execute(RecordEquipmentUse(resource_id=COPIER, partner_id="creche-a", used_on="2026-12-02",
                                      quantity=10, unit="page"), actor=COORDINATOR)
    _refused(ledger, follower, RuleViolation, "as_of_position", "moved since position", seen=seen)
    settle(ledger, follower)


def test_a_settlement_issued_since_the_read_is_refused_by_the_book(pool) -> None:
    """Two commands from one read: the second is refused on `settlements_seen`, nothing stored."""
    ledger, follower = pool
    year = read(follower)
    ledger.execute(year.command("2026-12"), actor=COORDINATOR)
    before = event_count(ledger)
    with pytest.raises(RuleViolation, match="read it again") as refused:
        ledger.execute(year.command("2027-01"), actor=COORDINATOR)
    assert (refused.value.field, event_count(ledger)) == ("settlements_seen", before)
