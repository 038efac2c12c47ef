"""What the members paid on their invoices: each payment against one invoice, at most what
is left to pay on it (its TTC less its credit notes and earlier payments). And what the GE
paid back on its year-end regularisation credit notes: each refund at most what is left to
refund (the credit note's TTC less earlier refunds).

A payment is not a document: it takes no number, so it lives beside the invoice book, one
aggregate per invoice, never in it (whose every event is the next number). What is left to
pay, and how late, is what the GE chases — and what its members' joint liability covers
when a member cannot pay (C. trav. L1253-8). A refund is not a document either: it lives in
the same per-document aggregate as the payments, the credit note's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import Command
from domain.errors import NotFound, RuleViolation
from domain.events import DomainEvent
from domain.ids import aggregate_id
from domain.invoice_amounts import reference
from domain.invoices import Issued
from domain.money import Cents
from domain.periods import Day, local_day
from domain.text import Name, StoredName


class InvoicePaymentRecorded(DomainEvent):
    number: int
    amount_cents: int
    paid_on: date
    reference: StoredName


class RecordInvoicePayment(Command):
    records = (InvoicePaymentRecorded,)
    command: Literal["record_invoice_payment"] = "record_invoice_payment"
    number: Annotated[int, Field(ge=1)]
    amount_cents: Cents
    paid_on: Day
    reference: Name


class CreditNoteRefunded(DomainEvent):
    number: int
    amount_cents: int
    refunded_on: date
    reference: StoredName


class RecordCreditNoteRefund(Command):
    records = (CreditNoteRefunded,)
    command: Literal["record_credit_note_refund"] = "record_credit_note_refund"
    number: Annotated[int, Field(ge=1)]
    amount_cents: Cents
    refunded_on: Day
    reference: Name


@dataclass(frozen=True)
class Payments:
    """What was paid on one document (an invoice) or refunded on it (a regularisation credit note)."""

    id: UUID
    version: int
    number: int
    paid_cents: int = 0
    refunded_cents: int = 0


def payments_aggregate_id(number: int) -> UUID:
    return aggregate_id("invoice-payments", str(number))


def record_payment(payments: Payments | None, invoice: Issued | None, cmd: RecordInvoicePayment,
                   stamp: Stamp) -> InvoicePaymentRecorded:
    """On an invoice (not a credit note), at most what is left to pay on it, on a day not
    before it was issued nor after the day it is recorded (Europe/Paris)."""
    if invoice is None:
        raise NotFound(f"there is no invoice {reference(cmd.number)}", field="number")
    if invoice.kind != "invoice":
        raise RuleViolation(f"{reference(cmd.number)} is a credit note: nothing is paid on it", field="number")
    today = local_day(stamp.at)
    if cmd.paid_on > today:
        raise RuleViolation(f"a payment is recorded once received: {cmd.paid_on.isoformat()} is after today, "
                            f"{today.isoformat()}", field="paid_on")
    if cmd.paid_on < invoice.event.issued_on:
        raise RuleViolation(f"{reference(cmd.number)} was issued on {invoice.event.issued_on.isoformat()}: it "
                            f"cannot be paid on {cmd.paid_on.isoformat()}", field="paid_on")
    left = invoice.total_ht_cents + invoice.vat_cents - invoice.credited_ht_cents - invoice.credited_vat_cents \
        - (payments.paid_cents if payments else 0)
    if cmd.amount_cents > left:
        raise RuleViolation(f"{left} cents are left to pay on {reference(cmd.number)}, not {cmd.amount_cents}",
                            field="amount_cents")
    fields = dict(number=cmd.number, amount_cents=cmd.amount_cents, paid_on=cmd.paid_on, reference=cmd.reference)
    if payments is None:
        return first_event(InvoicePaymentRecorded, payments_aggregate_id(cmd.number), stamp, **fields)
    return next_event(payments, InvoicePaymentRecorded, stamp, **fields)


def record_refund(payments: Payments | None, credit_note: Issued | None, cmd: RecordCreditNoteRefund,
                  stamp: Stamp) -> CreditNoteRefunded:
    """On a regularisation credit note only (a credit note on an invoice is already deducted
    from that invoice), at most what is left to refund, on a day not before it was issued nor
    after the day it is recorded (Europe/Paris)."""
    if credit_note is None:
        raise NotFound(f"there is no credit note {reference(cmd.number)}", field="number")
    if credit_note.kind != "credit_note" or credit_note.regularises is None:
        raise RuleViolation(f"{reference(cmd.number)} is not a regularisation credit note: nothing is refunded "
                            f"on it", field="number")
    today = local_day(stamp.at)
    if cmd.refunded_on > today:
        raise RuleViolation(f"a refund is recorded once paid: {cmd.refunded_on.isoformat()} is after today, "
                            f"{today.isoformat()}", field="refunded_on")
    if cmd.refunded_on < credit_note.event.issued_on:
        raise RuleViolation(f"{reference(cmd.number)} was issued on {credit_note.event.issued_on.isoformat()}: it "
                            f"cannot be refunded on {cmd.refunded_on.isoformat()}", field="refunded_on")
    left = credit_note.event.total_ttc_cents - (payments.refunded_cents if payments else 0)
    if cmd.amount_cents > left:
        raise RuleViolation(f"{left} cents are left to refund on {reference(cmd.number)}, not {cmd.amount_cents}",
                            field="amount_cents")
    fields = dict(number=cmd.number, amount_cents=cmd.amount_cents, refunded_on=cmd.refunded_on,
                  reference=cmd.reference)
    if payments is None:
        return first_event(CreditNoteRefunded, payments_aggregate_id(cmd.number), stamp, **fields)
    return next_event(payments, CreditNoteRefunded, stamp, **fields)


@singledispatch
def evolve(event: DomainEvent, state: Payments | None) -> Payments:
    raise TypeError(f"a document's payments do not take {type(event).__name__}")


@evolve.register
def _(event: InvoicePaymentRecorded, state: Payments | None) -> Payments:
    if state is None:
        return Payments(event.originator_id, event.originator_version, event.number, paid_cents=event.amount_cents)
    return replace(state, version=event.originator_version, paid_cents=state.paid_cents + event.amount_cents)


@evolve.register
def _(event: CreditNoteRefunded, state: Payments | None) -> Payments:
    if state is None:
        return Payments(event.originator_id, event.originator_version, event.number,
                        refunded_cents=event.amount_cents)
    return replace(state, version=event.originator_version, refunded_cents=state.refunded_cents + event.amount_cents)


project_payments = projector(evolve)
