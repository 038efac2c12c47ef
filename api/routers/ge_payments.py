"""What the GE's members owe it and what it owes them back: the invoices left to pay and the
members' payments on them; the regularisation credit notes left to refund and the GE's
refunds of them (domain/invoice_payments.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.reads import After, AsOf, reading
from api.recording import Recorded, record
from api.response_examples import EXAMPLES
from application.permissions import AUDITORS, require_role
from domain.invoice_payments import RecordCreditNoteRefund, RecordInvoicePayment
from domain.periods import Day, local_day
from projections import billing_reads

router = APIRouter(prefix="/ge", tags=["groupement d'employeurs"])


class UnpaidPublic(BaseModel):
    number: int
    reference: str
    partner_id: str
    partner_name: str | None
    month: str
    issued_on: date
    due_on: date | None
    total_ttc_cents: int
    credited_cents: int
    paid_cents: int
    left_cents: int
    days_late: int


class UnpaidListPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["UnpaidListPublic"]]}}

    position: int
    on: date
    invoices: list[UnpaidPublic]


@router.get("/unpaid", response_model=UnpaidListPublic,
            summary="The invoices with something left to pay, and how many days late they are on a day")
def unpaid(*, services: ServicesDep, token: TokenDep, on: Annotated[Day | None, Query(examples=["2026-12-01"])] = None,
           after: After = None, as_of: AsOf = None) -> UnpaidListPublic:
    require_role(token, *AUDITORS)
    day = on or local_day(datetime.now().astimezone())
    with reading(services, after=after, as_of=as_of) as read:
        rows = billing_reads.unpaid_invoices_at(read.conn, read.position, day)
    return UnpaidListPublic(position=read.position, on=day, invoices=[UnpaidPublic(**r) for r in rows])


@router.post("/payments", status_code=201, response_model=Recorded, summary="Record a member's payment on an invoice")
def record_payment(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                   body: Annotated[RecordInvoicePayment, Body(examples=[{
                       "number": 1, "amount_cents": 150_000, "paid_on": "2026-02-20", "reference": "virement 0220"}])]
                   ) -> Recorded:
    return record(services, token, [body], idempotency_key)


class RefundOwedPublic(BaseModel):
    number: int
    reference: str
    partner_id: str
    partner_name: str | None
    regularises: int
    issued_on: date
    total_ttc_cents: int
    refunded_cents: int
    left_cents: int


class RefundsOwedPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["RefundsOwedPublic"]]}}

    position: int
    credit_notes: list[RefundOwedPublic]


@router.get("/refunds", response_model=RefundsOwedPublic,
            summary="The regularisation credit notes with something left to refund to their members")
def refunds_owed(*, services: ServicesDep, token: TokenDep, after: After = None,
                 as_of: AsOf = None) -> RefundsOwedPublic:
    require_role(token, *AUDITORS)
    with reading(services, after=after, as_of=as_of) as read:
        rows = billing_reads.refunds_owed_at(read.conn, read.position)
    return RefundsOwedPublic(position=read.position, credit_notes=[RefundOwedPublic(**r) for r in rows])


@router.post("/refunds", status_code=201, response_model=Recorded,
             summary="Record the GE's refund of a regularisation credit note to its member")
def record_refund(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                  body: Annotated[RecordCreditNoteRefund, Body(examples=[{
                      "number": 69, "amount_cents": 179_866, "refunded_on": "2026-12-02",
                      "reference": "virement SEPA FA-000069"}])]
                  ) -> Recorded:
    return record(services, token, [body], idempotency_key)
