"""The rules of a refund of a regularisation credit note (domain/invoice_payments.py), each
refused naming its field, and what is left to refund after earlier refunds."""

from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from domain.aggregate import Stamp
from domain.errors import NotFound, RuleViolation
from domain.invoice_payments import RecordCreditNoteRefund, evolve, record_refund
from domain.invoices import Issued

# 2 March 2026 at 23:30 UTC is already 3 March in Paris.
STAMP = Stamp(actor="test", at=datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc))


def document(kind: str = "credit_note", regularises: int | None = 2025) -> Issued:
    event = SimpleNamespace(issued_on=date(2026, 1, 31), total_ttc_cents=2_937)
    return Issued(number=5, kind=kind, partner_id="creche-a", month="2025-12", total_ht_cents=2_937, vat_cents=0,
                  vat_rate_bp=None, event=event, regularises=regularises)


def refund(amount: int = 1_000, on: date = date(2026, 2, 10)) -> RecordCreditNoteRefund:
    return RecordCreditNoteRefund(number=5, amount_cents=amount, refunded_on=on, reference="vir.")


def test_refunds_until_nothing_is_left() -> None:
    """10,00 € then the 19,37 € left; then not one cent more."""
    first = record_refund(None, document(), refund(1_000), STAMP)
    state = evolve(first, None)
    second = record_refund(state, document(), refund(1_937), STAMP)
    state = evolve(second, state)
    assert (state.refunded_cents, state.paid_cents, state.version) == (2_937, 0, 2)
    with pytest.raises(RuleViolation) as refused:
        record_refund(state, document(), refund(1), STAMP)
    assert refused.value.field == "amount_cents"


@pytest.mark.parametrize("doc, cmd, error, field", [
    (None, refund(), NotFound, "number"),
    (document(kind="invoice"), refund(), RuleViolation, "number"),
    # A credit note on an invoice is deducted from that invoice: never refunded.
    (document(regularises=None), refund(), RuleViolation, "number"),
    (document(), refund(2_938), RuleViolation, "amount_cents"),
    (document(), refund(on=date(2026, 1, 30)), RuleViolation, "refunded_on"),
    (document(), refund(on=date(2026, 3, 4)), RuleViolation, "refunded_on"),
])
def test_each_rule_is_refused_naming_its_field(doc, cmd, error, field) -> None:
    """No such document; an invoice; a credit note on an invoice; more than its TTC; before it
    was issued; after today in Paris."""
    with pytest.raises(error) as refused:
        record_refund(None, doc, cmd, STAMP)
    assert refused.value.field == field


def test_today_is_paris_s_day() -> None:
    """At 23:30 UTC on 2 March it is 3 March in Paris: a refund on the 3rd is not to come."""
    assert record_refund(None, document(), refund(on=date(2026, 3, 3)), STAMP).refunded_on == date(2026, 3, 3)
