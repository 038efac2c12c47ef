"""A groupement d'employeurs' invoices and credit notes: one invoice book per GE.

Every event of the book is an invoice or a credit note, and the book numbers them: the n-th
document is number n. One aggregate for all of them is what makes the sequence continuous
with no duplicate (CGI annexe II art. 242 nonies A, 7°): two issuers at the same moment
both decide number n at version n-1, the store takes the first and refuses the second on
the version, and the ledger decides the second again on fresh state, which gives it n+1
(application/ledger.py `retrying`). Nothing else is ever appended to the book, so no
version is spent without a number.

`InvoiceIssued` snapshots everything the document prints — both parties' names, addresses
and SIRENs, the lines, the VAT regime, the terms of payment — so that the document is
rebuilt from the event alone whatever changes later. The lines are computed by the use case
(application/invoicing.py) from the read model at a position; the book checks their sums
and their rates against the contracts and rate card in force (domain/invoice_amounts.py
states the rounding).

Rules: one invoice per member and month unless the previous one is wholly credited; an
invoice needs the GE's profile, the member's billing details, a contract for each employee
and a rate card in force; a month whose sheets are not all countersigned is invoiced only
when the coordinator accepts it (`accept_unsigned_sheets`), and the invoice says so; a
credit note corrects an invoice of the same member and never exceeds what is left of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import singledispatch
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.billing import GroupProfile, MemberDetails, RateBook, Employment, provisional_rate
from domain.commands import Command
from domain.errors import InvalidCommand, NotFound, RuleViolation
from domain.events import DomainEvent
from domain.ids import Slug, aggregate_id
from domain.invoice_amounts import credit_vat_cents, line_amount_cents, reference, vat_cents
from domain.money import MAX_AMOUNT_CENTS, Cents
from domain.periods import Month, local_day
from domain.text import StoredName, StoredText, Text

InvoiceKind = Literal["invoice", "credit_note"]
# A sheet's status when the invoice's lines were read; `changed` is a countersigned sheet
# whose hours changed since its submission (its signature covers other hours).
SheetStatus = Literal["not_submitted", "submitted", "countersigned", "contested", "changed"]
LineHours = Annotated[Decimal, Field(gt=0, le=744, decimal_places=3)]
SheetRef = Annotated[str, StringConstraints(max_length=200)]


class NotBillable(RuleViolation):
    """Something an invoice needs is missing: the GE's profile, the member's billing
    details, a contract, a rate card, hours."""

    rule = "not-billable"


class InvoiceLine(BaseModel):
    """A line as printed: an employee's hours for the member at its rate, or (on a partial
    credit note) a label and an amount."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    employee_id: Slug | None = None
    employee_name: StoredName | None = None
    job_title: StoredName | None = None
    hours: LineHours | None = None
    rate_cents: int | None = None
    amount_cents: int
    sheet_id: SheetRef | None = None
    sheet_status: SheetStatus | None = None
    label: StoredText | None = None


class Party(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    legal_name: StoredName
    address: StoredText
    siren: str | None


class InvoiceIssued(DomainEvent):
    """An invoice or a credit note, number `number` of the GE's one sequence."""

    number: int
    reference: str
    kind: InvoiceKind
    corrects: int | None
    partner_id: Slug
    month: Month
    issued_on: date
    # None on a credit note: nothing is due, the member's account is credited.
    due_on: date | None
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    total_ht_cents: int
    vat_regime: Literal["exempt_261b", "liable"]
    vat_rate_bp: int | None
    vat_cents: int
    total_ttc_cents: int
    payment_days: int
    late_penalty_rate: Decimal
    recovery_indemnity: bool
    unsigned_sheets: bool
    reason: StoredText | None
    as_of_position: int
    # A year-end regularisation of that year (domain/regularisation.py): a complementary
    # invoice or a credit note of the year's difference, correcting no single invoice.
    regularises: int | None = None


class LineIn(BaseModel):
    """A line as the use case computed it from the read model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    employee_id: Slug
    employee_name: StoredName
    job_title: StoredName
    hours: LineHours
    rate_cents: Cents
    # 0 for a few thousandths of an hour at a few cents: the rounding's, not a free line.
    amount_cents: Annotated[int, Field(ge=0, le=MAX_AMOUNT_CENTS, strict=True)]
    sheet_id: SheetRef | None = None
    sheet_status: SheetStatus


class IssueInvoice(Command):
    """Sent with the lines the read model gave at `as_of_position` (application/invoicing.py)."""

    records = (InvoiceIssued,)
    partner_id: Slug
    month: Month
    lines: tuple[LineIn, ...]
    accept_unsigned_sheets: bool = False
    as_of_position: Annotated[int, Field(ge=0)]


class IssueCreditNote(Command):
    """A credit note on invoice number `corrects`: of `amount_ht_cents`, or of all that is
    left of it when None."""

    records = (InvoiceIssued,)
    corrects: Annotated[int, Field(ge=1)]
    partner_id: Slug
    amount_ht_cents: Cents | None = None
    reason: Annotated[Text, StringConstraints(min_length=1)]


# The book ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    number: int
    kind: str
    partner_id: str
    month: str
    total_ht_cents: int
    vat_cents: int
    vat_rate_bp: int | None
    # The document as issued: a credit note copies its lines and terms from it.
    event: InvoiceIssued
    credited_ht_cents: int = 0
    credited_vat_cents: int = 0
    regularises: int | None = None

    @property
    def ht_left(self) -> int:
        return self.total_ht_cents - self.credited_ht_cents

    @property
    def vat_left(self) -> int:
        return self.vat_cents - self.credited_vat_cents

    @property
    def wholly_credited(self) -> bool:
        return self.ht_left == 0 and self.vat_left == 0


@dataclass(frozen=True)
class InvoiceBook:
    id: UUID
    version: int
    documents: tuple[Issued, ...]

    @property
    def next_number(self) -> int:
        return len(self.documents) + 1

    def find(self, number: int) -> Issued | None:
        return self.documents[number - 1] if 1 <= number <= len(self.documents) else None


def invoice_book_aggregate_id() -> UUID:
    return aggregate_id("invoice-book")


def _number(book: InvoiceBook | None) -> int:
    return book.next_number if book else 1


def party(name: str, address: str, siren: str | None) -> Party:
    return Party(legal_name=name, address=address, siren=siren)


def issued_event(book: InvoiceBook | None, stamp: Stamp, **fields) -> InvoiceIssued:
    number = _number(book)
    fields.update(number=number, reference=reference(number))
    if book is None:
        return first_event(InvoiceIssued, invoice_book_aggregate_id(), stamp, **fields)
    return next_event(book, InvoiceIssued, stamp, **fields)


def require_profile(profile: GroupProfile | None) -> GroupProfile:
    if profile is None:
        raise NotBillable("the GE has no invoicing profile (name, address, SIREN, VAT regime): set it first",
                          field="profile")
    return profile


def require_details(billing: MemberDetails | None, partner_id: str) -> MemberDetails:
    if billing is None:
        raise NotBillable(f"member '{partner_id}' has no billing details (legal name, address): set them first",
                          field="partner_id")
    return billing


def check_lines(cmd: IssueInvoice, employments: dict[str, Employment | None], rates: RateBook | None) -> None:
    """Each line's rate is the provisional rate in force for its employee and member, and
    its amount is hours × rate, half up; NotBillable names a missing contract or rate card."""
    if not cmd.lines:
        raise NotBillable(f"member '{cmd.partner_id}' has no hours to invoice in {cmd.month}", field="lines")
    card = rates.in_force(cmd.month) if rates else None
    if card is None:
        raise NotBillable(f"no rate card is in force in {cmd.month}: the board sets one first", field="rate_card")
    seen = set()
    for i, line in enumerate(cmd.lines):
        if line.employee_id in seen:
            raise InvalidCommand(f"employee '{line.employee_id}' has two lines", field=f"lines.{i}.employee_id")
        seen.add(line.employee_id)
        employment = employments.get(line.employee_id)
        terms = employment.in_force(cmd.month) if employment else None
        if terms is None:
            raise NotBillable(f"employee '{line.employee_id}' has no contract in force in {cmd.month}",
                              field=f"lines.{i}.employee_id")
        rate = provisional_rate(terms, card, cmd.partner_id).cents
        if line.rate_cents != rate:
            raise RuleViolation(f"the rate of '{line.employee_id}' is {rate} cents in {cmd.month}, not "
                                f"{line.rate_cents}: the terms changed since the lines were read; issue again",
                                field=f"lines.{i}.rate_cents")
        expected = line_amount_cents(line.hours, line.rate_cents)
        if line.amount_cents != expected:
            raise InvalidCommand(f"{line.hours} h × {line.rate_cents} cents is {expected} cents (half up), "
                                 f"not {line.amount_cents}", field=f"lines.{i}.amount_cents")


def issue_invoice(book: InvoiceBook | None, cmd: IssueInvoice, profile: GroupProfile | None,
                  billing: MemberDetails | None, employments: dict[str, Employment | None],
                  rates: RateBook | None, stamp: Stamp) -> InvoiceIssued:
    profile = require_profile(profile)
    billing = require_details(billing, cmd.partner_id)
    live = [d for d in (book.documents if book else ()) if d.kind == "invoice" and d.partner_id == cmd.partner_id
            and d.month == cmd.month and not d.wholly_credited and d.regularises is None]
    if live:
        raise RuleViolation(f"member '{cmd.partner_id}' already has invoice {reference(live[0].number)} for "
                            f"{cmd.month}: credit it wholly before invoicing the month again", field="month")
    check_lines(cmd, employments, rates)
    unsigned = [line.employee_id for line in cmd.lines if line.sheet_status != "countersigned"]
    if unsigned and not cmd.accept_unsigned_sheets:
        raise RuleViolation(f"the hour sheets of {', '.join(unsigned)} for '{cmd.partner_id}' in {cmd.month} "
                            "are not countersigned: invoice them only by accepting unsigned sheets",
                            field="accept_unsigned_sheets")
    issued_on = local_day(stamp.at)
    total_ht = sum(line.amount_cents for line in cmd.lines)
    if total_ht == 0:
        raise NotBillable(f"the lines of '{cmd.partner_id}' for {cmd.month} come to 0 cents: nothing to invoice",
                          field="lines")
    vat = vat_cents(total_ht, profile.vat_rate_bp)
    return issued_event(
        book, stamp, kind="invoice", corrects=None, partner_id=cmd.partner_id, month=cmd.month,
        issued_on=issued_on, due_on=issued_on + timedelta(days=profile.payment_days),
        seller=party(profile.legal_name, profile.address, profile.siren),
        buyer=party(billing.legal_name, billing.address, billing.siren),
        lines=tuple(InvoiceLine(**line.model_dump()) for line in cmd.lines),
        total_ht_cents=total_ht, vat_regime=profile.vat_regime, vat_rate_bp=profile.vat_rate_bp,
        vat_cents=vat, total_ttc_cents=total_ht + vat, payment_days=profile.payment_days,
        late_penalty_rate=profile.late_penalty_rate, recovery_indemnity=billing.professional,
        unsigned_sheets=bool(unsigned), reason=None, as_of_position=cmd.as_of_position,
    )


def issue_credit_note(book: InvoiceBook | None, cmd: IssueCreditNote, profile: GroupProfile | None,
                      billing: MemberDetails | None, stamp: Stamp) -> InvoiceIssued:
    found = book.find(cmd.corrects) if book else None
    if found is None:
        raise NotFound(f"there is no invoice {reference(cmd.corrects)}", field="corrects")
    if found.kind != "invoice":
        raise RuleViolation(f"{reference(cmd.corrects)} is a credit note: a credit note corrects an invoice",
                            field="corrects")
    if found.partner_id != cmd.partner_id:
        raise RuleViolation(f"invoice {reference(cmd.corrects)} is not addressed to '{cmd.partner_id}': a credit "
                            "note corrects an invoice of the same member", field="partner_id")
    if found.ht_left == 0 and found.vat_left == 0:
        raise RuleViolation(f"invoice {reference(cmd.corrects)} is wholly credited already", field="corrects")
    amount = found.ht_left if cmd.amount_ht_cents is None else cmd.amount_ht_cents
    if amount > found.ht_left:
        raise RuleViolation(f"a credit note on {reference(cmd.corrects)} is at most what is left of it, "
                            f"{found.ht_left} cents HT, not {amount}", field="amount_ht_cents")
    profile = require_profile(profile)
    billing = require_details(billing, cmd.partner_id)
    corrected = found.event
    vat = credit_vat_cents(amount, found.vat_rate_bp, ht_left=found.ht_left, vat_left=found.vat_left)
    whole = amount == corrected.total_ht_cents
    what = "Solde" if amount == found.ht_left else "Avoir partiel"
    lines = corrected.lines if whole else (InvoiceLine(
        amount_cents=amount, label=f"{what} de la facture {corrected.reference}"),)
    return issued_event(
        book, stamp, kind="credit_note", corrects=cmd.corrects, partner_id=cmd.partner_id, month=found.month,
        issued_on=local_day(stamp.at), due_on=None,
        seller=party(profile.legal_name, profile.address, profile.siren),
        buyer=party(billing.legal_name, billing.address, billing.siren),
        lines=lines, total_ht_cents=amount, vat_regime=corrected.vat_regime, vat_rate_bp=found.vat_rate_bp,
        vat_cents=vat, total_ttc_cents=amount + vat, payment_days=corrected.payment_days,
        late_penalty_rate=corrected.late_penalty_rate, recovery_indemnity=corrected.recovery_indemnity,
        unsigned_sheets=False, reason=cmd.reason, as_of_position=corrected.as_of_position,
    )


# Folding -------------------------------------------------------------------------------


@singledispatch
def evolve(event: DomainEvent, state: InvoiceBook | None) -> InvoiceBook:
    raise TypeError(f"the invoice book does not take {type(event).__name__}")


@evolve.register
def _(event: InvoiceIssued, state: InvoiceBook | None) -> InvoiceBook:
    documents = list(state.documents) if state else []
    if event.kind == "credit_note" and event.corrects is not None:
        old = documents[event.corrects - 1]
        documents[event.corrects - 1] = replace(old, credited_ht_cents=old.credited_ht_cents + event.total_ht_cents,
                                                credited_vat_cents=old.credited_vat_cents + event.vat_cents)
    documents.append(Issued(event.number, event.kind, event.partner_id, event.month, event.total_ht_cents,
                            event.vat_cents, event.vat_rate_bp, event, regularises=event.regularises))
    return InvoiceBook(event.originator_id, event.originator_version, tuple(documents))


project_invoice_book = projector(evolve)
