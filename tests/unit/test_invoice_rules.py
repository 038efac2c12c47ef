"""Given the GE's terms, when an invoice or a credit note, then its sums — pure, no store:
HT + TVA = TTC with the documented rounding, for random lines and rates, and an invoice
wholly credited nets to zero to the cent."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, strategies as st

from domain import billing, invoices
from domain.aggregate import Stamp
from domain.billing_terms import ContractTermsSet, GroupProfileSet, MemberDetailsSet, RateCardSet
from domain.errors import InvalidCommand, RuleViolation
from domain.invoice_amounts import parse_reference, reference
from domain.invoices import IssueCreditNote, IssueInvoice, LineIn, NotBillable
from tests.strategies import credit_amounts, invoice_lines, vat_rates_bp

STAMP = Stamp(actor="test", at=datetime(2026, 2, 3, 9, tzinfo=timezone.utc))
UUID0 = billing.group_profile_aggregate_id()


def profile(vat_rate_bp: int | None) -> billing.GroupProfile:
    event = GroupProfileSet(originator_id=UUID0, originator_version=1, timestamp=STAMP.at, actor="t",
                            profile_version=1, legal_name="GE", address="1 place", siren="732829320",
                            vat_regime="exempt_261b" if vat_rate_bp is None else "liable", vat_rate_bp=vat_rate_bp,
                            payment_days=30, late_penalty_rate=Decimal("12"))
    return billing.evolve(event, None)


MEMBER = billing.evolve(MemberDetailsSet(originator_id=UUID0, originator_version=1, timestamp=STAMP.at, actor="t",
                                         partner_id="creche-a", legal_name="Les Marmots", address="1 rue",
                                         siren="443061841", professional=True, local_authority=False), None)
# A coefficient of 1: each employee's rate is its gross hourly pay, so any rate can be drawn.
CARD = billing.evolve(RateCardSet(originator_id=UUID0, originator_version=1, timestamp=STAMP.at, actor="t",
                                  card_version=1, applies_from="2026-01", default_coefficient=Decimal(1)), None)


def employment(employee_id: str, pay_cents: int) -> billing.Employment:
    return billing.evolve(ContractTermsSet(
        originator_id=UUID0, originator_version=1, timestamp=STAMP.at, actor="t", employee_id=employee_id,
        terms_version=1, applies_from="2026-01", contract_kind="cdi", working_time="full_time",
        weekly_hours=Decimal(35), hourly_pay_cents=pay_cents, job_title="Agent"), None)


def half_up(value: Fraction) -> int:
    """Round half up, independently of Decimal: floor(x + 1/2) for x >= 0."""
    return int((value + Fraction(1, 2)) // 1)


def command(lines: list[tuple[Decimal, int]], **overrides) -> IssueInvoice:
    return IssueInvoice(partner_id="creche-a", month="2026-01", as_of_position=10, lines=tuple(
        LineIn(employee_id=f"e{i}", employee_name=f"E {i}", job_title="Agent", hours=hours, rate_cents=rate,
               amount_cents=half_up(Fraction(hours) * rate), sheet_id=f"e{i}:creche-a:2026-01",
               sheet_status="countersigned") for i, (hours, rate) in enumerate(lines)), **overrides)


def issue(lines, vat_rate_bp=None, book=None, **overrides) -> invoices.InvoiceIssued:
    employments = {f"e{i}": employment(f"e{i}", rate) for i, (_, rate) in enumerate(lines)}
    return invoices.issue_invoice(book, command(lines, **overrides), profile(vat_rate_bp), MEMBER, employments,
                                  CARD, STAMP)


@given(invoice_lines(), vat_rates_bp)
def test_ht_plus_vat_is_ttc_with_vat_rounded_half_up_once_on_the_total(lines, vat_rate_bp) -> None:
    """Each line is hours × rate half up, HT their sum, VAT HT × rate half up, TTC HT + VAT."""
    assume(sum(half_up(Fraction(h) * r) for h, r in lines) > 0)
    event = issue(lines, vat_rate_bp)
    assert [line.amount_cents for line in event.lines] == [half_up(Fraction(h) * r) for h, r in lines]
    assert event.total_ht_cents == sum(line.amount_cents for line in event.lines)
    expected_vat = 0 if vat_rate_bp is None else half_up(Fraction(event.total_ht_cents * vat_rate_bp, 10_000))
    assert event.vat_cents == expected_vat
    assert event.total_ttc_cents == event.total_ht_cents + event.vat_cents


@given(invoice_lines(max_size=3), st.sampled_from([None, 550, 2000, 1]), st.data())
def test_partial_credit_notes_then_the_rest_credit_the_invoice_exactly(lines, vat_rate_bp, data) -> None:
    """Partial credit notes, each HT + TVA = TTC, never more VAT than is left; the credit of
    what is left brings HT and VAT credited to the invoice's own, to the cent."""
    assume(sum(half_up(Fraction(h) * r) for h, r in lines) > 0)
    first = issue(lines, vat_rate_bp)
    book = invoices.evolve(first, None)
    notes = []
    for amount in [*data.draw(credit_amounts(first.total_ht_cents)), None]:
        note = invoices.issue_credit_note(book, IssueCreditNote(corrects=1, partner_id="creche-a", reason="r",
                                                                amount_ht_cents=amount), profile(vat_rate_bp),
                                          MEMBER, STAMP)
        assert note.total_ttc_cents == note.total_ht_cents + note.vat_cents and note.vat_cents >= 0
        book = invoices.evolve(note, book)
        notes.append(note)
    assert sum(n.total_ht_cents for n in notes) == first.total_ht_cents
    assert sum(n.vat_cents for n in notes) == first.vat_cents
    assert [n.number for n in notes] == list(range(2, len(notes) + 2))
    assert book.find(1).wholly_credited


def test_a_printed_number_reads_back_and_has_six_digits() -> None:
    """123 prints FA-000123 and reads back; what is not one of its numbers reads as None."""
    assert reference(123) == "FA-000123" and parse_reference("FA-000123") == 123
    assert reference(1_234_567) == "FA-1234567" and parse_reference("FA-1234567") == 1_234_567
    assert [parse_reference(t) for t in ("FA-123", "FA-0000123", "FA-000000", "AV-000001", "FA-00001x")] == [None] * 5


def test_a_line_whose_amount_is_not_hours_times_rate_half_up_is_refused() -> None:
    """2,25 h × 22,44 € is 50,49 € (50,490): 50,48 € is refused, naming the line's amount."""
    cmd = command([(Decimal("2.25"), 2244)])
    wrong = cmd.model_copy(update={"lines": (cmd.lines[0].model_copy(update={"amount_cents": 5048}),)})
    with pytest.raises(InvalidCommand) as refused:
        invoices.issue_invoice(None, wrong, profile(None), MEMBER, {"e0": employment("e0", 2244)}, CARD, STAMP)
    assert refused.value.field == "lines.0.amount_cents"


def test_a_rate_other_than_the_rate_card_s_is_refused_and_a_missing_contract_named() -> None:
    """The book recomputes each rate from the contract and card in force."""
    with pytest.raises(RuleViolation) as refused:
        invoices.issue_invoice(None, command([(Decimal(1), 2000)]), profile(None), MEMBER,
                               {"e0": employment("e0", 1999)}, CARD, STAMP)
    assert refused.value.field == "lines.0.rate_cents"
    with pytest.raises(NotBillable) as missing:
        invoices.issue_invoice(None, command([(Decimal(1), 2000)]), profile(None), MEMBER, {"e0": None}, CARD, STAMP)
    assert missing.value.field == "lines.0.employee_id"


def test_the_due_date_is_the_issue_date_plus_the_payment_days_in_paris() -> None:
    """Issued on 3 February 2026 (Paris), due 30 days later, on 5 March 2026."""
    event = issue([(Decimal(1), 100)])
    assert (str(event.issued_on), str(event.due_on)) == ("2026-02-03", "2026-03-05")
