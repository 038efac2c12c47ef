"""The demo GE's invoices (demo/haut_val_ge.py) on Haut-Val: every member with hours
invoiced each month at the rates worked out by hand, the last month's invoices whose sheet
is contested or unsigned marked, and a credit note."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from bootstrap import bootstrap
from demo.haut_val_data import EMPLOYEES
from demo.haut_val_ge import hourly_pay_cents, siren
from application import regularisation
from projections import billing_reads
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """Three months of Haut-Val, the first two closed, every month's sheets answered and invoiced."""
    from demo.aftermath import close_and_dispute
    from demo.haut_val import generate
    from demo.load import load

    tmp = tmp_path_factory.mktemp("demo-invoices")
    ledger = bootstrap(Settings(sqlite_path=tmp / "demo.sqlite"))
    assert load(ledger, generate(months=3)).problem is None
    aftermath = close_and_dispute(ledger, tmp / "closing.duckdb", "2026-01", 3, keep_open=1)
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "projections.duckdb"))
    follower.catch_up()
    with follower.view.transaction() as conn:
        yield aftermath, conn, follower.runner.position
    follower.view.close()
    ledger.close()


def test_hourly_pay_is_the_monthly_cost_without_charges_over_the_month_s_hours() -> None:
    """The payroll assistant: 3 200 € / 1,45 / (35 h × 52 / 12) = 14,55 € (14,5503) gross an hour."""
    assert hourly_pay_cents(EMPLOYEES[0]) == 1455
    assert siren(73282932) == "732829320"


def test_each_closed_month_invoices_every_member_at_its_rates(demo) -> None:
    """Six members with hours each month (the SISA joins in April); CDI at 1,87, CDD at 1,95,
    the sports club at its flat 18,00 €; the communauté de communes owes no 40 € indemnity."""
    aftermath, conn, at = demo
    register = billing_reads.invoices_at(conn, at)
    invoices = [r for r in register if r["kind"] == "invoice" and r["regularises"] is None]
    assert [(r["month"], len([i for i in invoices if i["month"] == r["month"]])) for r in invoices[::6]] == [
        ("2026-01", 6), ("2026-02", 6), ("2026-03", 6)]
    assert [r["number"] for r in register] == list(range(1, len(register) + 1))
    rates = {(employee, partner): rate for employee, partner, rate in conn.execute(
        "SELECT employee_id, partner_id, rate_cents FROM invoice_lines WHERE employee_id IS NOT NULL").fetchall()}
    pay = {e.id: hourly_pay_cents(e) for e in EMPLOYEES}
    by_hand = lambda e, c: int((Decimal(pay[e]) * Decimal(c)).quantize(1, ROUND_HALF_UP))  # noqa: E731
    assert rates[("assistante-paie", "creche-les-marmottes")] == by_hand("assistante-paie", "1.87") == 2721
    assert rates[("educateur-sportif", "cc-haut-val")] == by_hand("educateur-sportif", "1.95")
    assert {rate for (_, partner), rate in rates.items() if partner == "us-haut-val"} == {1800}
    assert {r["partner_id"] for r in register if not r["recovery_indemnity"]} == {"cc-haut-val"}
    assert all(r["vat_cents"] == 0 and r["vat_regime"] == "exempt_261b" for r in register)


def test_the_invoices_of_unanswered_sheets_are_marked_and_a_credit_note_corrects_the_first(demo) -> None:
    """The last month's invoices whose sheets are contested or unsigned carry the mark, no
    other; one credit note, on FA-000001."""
    aftermath, conn, at = demo
    register = billing_reads.invoices_at(conn, at)
    unanswered = {partner for (partner,) in conn.execute(
        "SELECT DISTINCT partner_id FROM invoice_lines WHERE sheet_status <> 'countersigned'").fetchall()}
    marked = [(r["partner_id"], r["month"]) for r in register if r["unsigned_sheets"]]
    assert marked and {month for _, month in marked} == {"2026-03"} and {p for p, _ in marked} == unanswered
    notes = [r for r in register if r["kind"] == "credit_note" and r["regularises"] is None]
    assert [(r["corrects"], r["partner_id"]) for r in notes] == [(1, register[0]["partner_id"])]
    assert any("GE invoices for 2026-03" in note for note in aftermath.notes)


def test_the_year_end_regularisation_settles_each_member_at_real_cost(demo) -> None:
    """2026 regularised: each member's document is its real cost less what it was billed
    (credit notes for members billed above real cost, a complementary invoice for the club
    billed at a flat fee below it), and the year's result is then zero to the cent."""
    _, conn, at = demo
    documents = [r for r in billing_reads.invoices_at(conn, at) if r["regularises"] == 2026]
    before = regularisation.year_read(conn, 2026, documents[0]["position"] - 1).regularisation
    assert {r["partner_id"]: r["total_ht_cents"] for r in documents} == {
        m.partner_id: m.difference_cents for m in before.members if m.difference_cents}
    assert {r["kind"] for r in documents} == {"invoice", "credit_note"}
    after = regularisation.year_read(conn, 2026, at).regularisation
    assert all(m.difference_cents == 0 for m in after.members) and after.result_after_cents == 0
    assert after.billed_cents == after.costs_cents
