"""Members' payments on their invoices, on real SQLite and DuckDB files: what is left to pay
and how many days late, as of any position; each rule refused naming its field with nothing
stored. January's invoices of tests/invoice_fixtures.py: FA-000001 the club (67,20 €),
FA-000002 the crèche (315,81 €), FA-000003 the mda (51,75 €), exempt from VAT, due 30 days
after they were issued."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

import pytest

from application import invoicing
from bootstrap import bootstrap
from domain.errors import NotFound, RuleViolation
from domain.invoice_payments import RecordInvoicePayment
from projections import billing_reads
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings
from tests import invoice_fixtures as ge
from tests.ledger_fixtures import event_count


@pytest.fixture
def billed(tmp_path: Path) -> Iterator[tuple]:
    ledger = bootstrap(Settings(sqlite_path=tmp_path / "ledger.sqlite"))
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp_path / "projections.duckdb"))
    ge.pool(ledger)
    ge.terms(ledger)
    ge.sign_sheets(ledger, follower)
    invoicing.issue_month(ledger, follower, "2026-01", actor=ge.ACTOR)
    yield ledger, follower
    follower.view.close()
    ledger.close()


def unpaid(follower: Follower, on: date, at: int | None = None) -> dict[str, tuple]:
    follower.catch_up()
    with follower.view.transaction() as conn:
        rows = billing_reads.unpaid_invoices_at(conn, follower.runner.position if at is None else at, on)
    return {r["reference"]: (r["partner_id"], r["left_cents"], r["days_late"]) for r in rows}


def test_what_is_left_to_pay_and_how_late(billed) -> None:
    """The crèche pays 200,00 € then the rest; a credit note of 10,00 € on the club's; 40 days
    after issue, the unpaid ones are 10 days late; as of before the payments, all three."""
    ledger, follower = billed
    today = date.today()
    first = ledger.execute(RecordInvoicePayment(number=2, amount_cents=20_000, paid_on=today, reference="vir. 1"),
                           actor=ge.ACTOR)
    invoicing.issue_credit_note(ledger, follower, 1, reason="une heure de trop", amount_ht_cents=1_000, actor=ge.ACTOR)
    later = today + timedelta(days=40)
    assert unpaid(follower, later) == {"FA-000001": ("club-b", 5_720, 10), "FA-000002": ("creche-a", 11_581, 10),
                                       "FA-000003": ("mda", 5_175, 10)}
    ledger.execute(RecordInvoicePayment(number=2, amount_cents=11_581, paid_on=today, reference="vir. 2"),
                   actor=ge.ACTOR)
    assert set(unpaid(follower, later)) == {"FA-000001", "FA-000003"}
    assert unpaid(follower, today, at=first.position - 1)["FA-000002"] == ("creche-a", 31_581, 0)


@pytest.mark.parametrize("number, amount, days, error, field", [
    (9, 100, 0, NotFound, "number"),
    (2, 31_582, 0, RuleViolation, "amount_cents"),
    (2, 100, -1, RuleViolation, "paid_on"),
    (2, 100, 2, RuleViolation, "paid_on"),
])
def test_a_payment_is_refused_naming_its_field(billed, number, amount, days, error, field) -> None:
    """No such invoice; more than is left to pay; paid before it was issued; paid on a day to come."""
    ledger, _ = billed
    before = event_count(ledger)
    with pytest.raises(error) as refused:
        ledger.execute(RecordInvoicePayment(number=number, amount_cents=amount,
                                            paid_on=date.today() + timedelta(days=days), reference="x"),
                       actor=ge.ACTOR)
    assert refused.value.field == field and event_count(ledger) == before


def test_nothing_is_paid_on_a_credit_note(billed) -> None:
    """A payment against a credit note is refused."""
    ledger, follower = billed
    invoicing.issue_credit_note(ledger, follower, 1, reason="erreur", actor=ge.ACTOR)
    before = event_count(ledger)
    with pytest.raises(RuleViolation) as refused:
        ledger.execute(RecordInvoicePayment(number=4, amount_cents=100, paid_on=date.today(), reference="x"),
                       actor=ge.ACTOR)
    assert refused.value.field == "number" and event_count(ledger) == before
