"""Haut-Val's groupement d'employeurs over ten months (the SISA joins on 16 April, the
micro-crèche leaves after 20 September): its member register on three days, its changes and
their notification, each member's share of the GE's outstanding debts computed here
independently from the hours, the deposit returned to the member who left, and the year's
regularisation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from application.joint_liability import exposure, member_totals
from application.member_register import register_changes
from bootstrap import bootstrap
from demo.haut_val_data import GE_MEMBERS, JOINER, LEAVER
from projections import billing_reads, register_reads
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings

MEMBERS = {pid for pid, _, _ in GE_MEMBERS}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    from demo.aftermath import close_and_dispute
    from demo.haut_val import generate
    from demo.load import load

    tmp = tmp_path_factory.mktemp("demo-ge-year")
    ledger = bootstrap(Settings(sqlite_path=tmp / "demo.sqlite"))
    assert load(ledger, generate(months=10)).problem is None
    close_and_dispute(ledger, tmp / "closing.duckdb", "2026-01", 10, keep_open=2)
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "projections.duckdb"))
    follower.catch_up()
    with follower.view.transaction() as conn:
        yield conn, follower.runner.position
    follower.view.close()
    ledger.close()


@pytest.mark.parametrize("day, members", [
    (date(2026, 2, 1), MEMBERS - {JOINER}),
    (date(2026, 5, 1), MEMBERS),
    (date(2026, 10, 1), MEMBERS - {LEAVER}),
])
def test_the_register_on_three_days(demo, day: date, members: set[str]) -> None:
    """1 February: the six founding members; 1 May: the SISA too; 1 October: the micro-crèche
    is gone. Every member listed with its activity and headcount."""
    conn, at = demo
    found = register_reads.register_on(conn, day, at)
    assert {m["partner_id"] for m in found} == members
    assert all(m["activity"] and m["headcount"] for m in found)


def test_the_joiners_file_was_notified_and_the_departure_is_overdue(demo) -> None:
    """The SISA's join and file were notified on 26 April; the micro-crèche's departure of
    20 September (due 20 October) was not."""
    conn, at = demo
    changes = register_changes(conn, at)
    joiner = [c for c in changes if c.partner_id == JOINER]
    assert joiner and all(c.notified_on == date(2026, 4, 26) for c in joiner)
    left = next(c for c in changes if c.partner_id == LEAVER and c.event_type == "PartnerLeft")
    assert (left.change_on, left.due_on, left.notified_on) == (date(2026, 9, 20), date(2026, 10, 20), None)
    assert left.overdue(date(2026, 12, 1))


def _largest_remainder(amount: int, weights: dict[str, Decimal]) -> dict[str, int]:
    """Written here again, from the rule: floors, then a cent each to the largest remainders,
    ties to the smaller id."""
    total = sum(weights.values())
    exact = {p: Fraction(amount) * Fraction(w) / Fraction(total) for p, w in weights.items()}
    shares = {p: int(x) for p, x in exact.items()}
    for p in sorted(exact, key=lambda p: (-(exact[p] - shares[p]), p))[:amount - sum(shares.values())]:
        shares[p] += 1
    return shares


def test_each_members_exposure_is_its_share_of_the_debts_by_its_hours(demo) -> None:
    """The outstanding debts (the last quarter's URSSAF contributions, October's salaries; the
    quarter before was paid): each split by the members' hours of its months, read here from
    the usage table, sums to its amount; each member's exposure is the sum of its shares."""
    conn, at = demo
    debts = exposure(conn, at)
    assert [d.creditor_kind for d in debts] == ["social_bodies", "employees"]
    expected: dict[str, int] = {}
    for debt in debts:
        hours = dict(conn.execute(
            "SELECT partner_id, sum(quantity) FROM usage WHERE usage_kind = 'staff_hours' AND status = 'open' "
            "AND month BETWEEN ? AND ? GROUP BY partner_id", [debt.first_month, debt.last_month]).fetchall())
        shares = _largest_remainder(debt.amount_cents, hours)
        assert debt.shares == shares and sum(shares.values()) == debt.amount_cents
        for partner, cents in shares.items():
            expected[partner] = expected.get(partner, 0) + cents
    assert member_totals(debts) == expected


def test_the_member_who_left_got_its_deposit_back(demo) -> None:
    """The micro-crèche's deposit, a month of forecast billing, returned whole; every other
    member still holds its deposit and paid its 2026 fee of 150,00 €."""
    conn, at = demo
    rows = billing_reads.member_funds_at(conn, at)
    held: dict[str, int] = {}
    for row in rows:
        if row["movement"] != "fee":
            held[row["partner_id"]] = held.get(row["partner_id"], 0) + row["amount_cents"] * (
                1 if row["movement"] == "deposit" else -1)
    assert held[LEAVER] == 0 and all(cents > 0 for p, cents in held.items() if p != LEAVER)
    fees = {r["partner_id"]: r["amount_cents"] for r in rows if r["movement"] == "fee"}
    assert fees == {p: 15_000 for p in MEMBERS}


def test_the_members_paid_every_invoice_but_the_last_months(demo) -> None:
    """Every invoice of January to August paid (less its credit note), each by a transfer on the
    day it was issued; of September's, the first half paid (the cent rounded down) and the
    others in full; October's and the regularisation's complementary invoices left whole."""
    conn, at = demo
    unpaid = billing_reads.unpaid_invoices_at(conn, at, date(2026, 12, 31))
    september = [r for r in unpaid if r["month"] == "2026-09"]
    assert min(r["month"] for r in unpaid) == "2026-09" and len(september) == 1
    owed = september[0]["total_ttc_cents"] - september[0]["credited_cents"]
    assert (september[0]["paid_cents"], september[0]["left_cents"]) == (owed // 2, owed - owed // 2)
    assert all(r["paid_cents"] == 0 and r["month"] in ("2026-10", "2026-12") for r in unpaid if r is not september[0])
    issued = {r["number"]: r["issued_on"] for r in billing_reads.invoices_at(conn, at)}
    payments = billing_reads.invoice_payments_at(conn, at)
    assert payments and all(p["paid_on"] == issued[p["number"]] for p in payments)


def test_the_ge_refunded_one_regularisation_credit_note_in_full_and_another_in_half(demo) -> None:
    """Of the regularisation's credit notes (what the GE owes back), the first refunded in full
    and the second half refunded (the cent rounded down), each by a transfer on the day it was
    issued; any other still owed whole."""
    conn, at = demo
    notes = [r for r in billing_reads.invoices_at(conn, at) if r["kind"] == "credit_note" and r["regularises"]]
    assert len(notes) >= 2
    owed = {r["number"]: r for r in billing_reads.refunds_owed_at(conn, at)}
    first, second = notes[0], notes[1]
    assert first["number"] not in owed
    ttc = -second["total_ttc_cents"]
    assert (owed[second["number"]]["refunded_cents"], owed[second["number"]]["left_cents"]) == (ttc // 2,
                                                                                                 ttc - ttc // 2)
    assert all(owed[r["number"]]["refunded_cents"] == 0 for r in notes[2:])
    refunds = billing_reads.credit_note_refunds_at(conn, at)
    assert sorted((r["number"], r["amount_cents"], r["refunded_on"]) for r in refunds) == [
        (first["number"], -first["total_ttc_cents"], first["issued_on"]),
        (second["number"], ttc // 2, second["issued_on"])]
