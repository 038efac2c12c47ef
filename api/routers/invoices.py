"""A GE's invoices and credit notes: the register, one document (JSON, PDF, CSV), issuing a
month's invoices and a credit note. The coordinator issues; a member reads its own; an
auditor reads all (application/invoicing.py decides, api/invoice_documents.py prints)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, Field

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.documents import CsvResponse
from api.invoice_documents import invoice_document, render_invoice_csv
from api.pdf import render_invoice_pdf
from api.reads import After, AsOf, reading
from api.recording import Recorded, public
from api.response_examples import EXAMPLES
from application import invoicing
from application.idempotency import scoped_key
from application.permissions import READERS, require_partner_scope, require_role
from domain.errors import NotFound
from domain.ids import Slug
from domain.invoice_amounts import parse_reference
from domain.money import Cents
from domain.periods import Month
from domain.text import Text
from projections import billing_reads

router = APIRouter(prefix="/ge/invoices", tags=["groupement d'employeurs"])

Reference = Annotated[str, Path(description="The printed number, e.g. FA-000123", examples=["FA-000001"])]


class InvoicePublic(BaseModel):
    """A row of the register: a credit note's amounts are negative, as the register counts them."""

    number: int
    reference: str
    kind: str
    corrects: int | None
    partner_id: str
    partner_name: str | None
    month: str
    issued_on: date
    due_on: date | None
    buyer_name: str
    total_ht_cents: int
    vat_regime: str
    vat_rate_bp: int | None
    vat_cents: int
    total_ttc_cents: int
    recovery_indemnity: bool
    unsigned_sheets: bool
    as_of_position: int
    position: int
    credited_ht_cents: int
    credited_vat_cents: int
    wholly_credited: bool


class InvoicesPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["InvoicesPublic"]]}}

    position: int
    invoices: list[InvoicePublic]


class InvoiceDetail(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["InvoiceDetail"]]}}

    """The document as issued (its event's fields: amounts as printed, positive), and its
    entry in the register as it stands (credited so far)."""

    position: int
    entry: InvoicePublic
    document: dict[str, Any]


class IssueInvoices(BaseModel):
    month: Month
    # None: every member with hours in the month and no invoice yet, in one transaction.
    partner_id: Slug | None = None
    accept_unsigned_sheets: bool = False


class CreditNoteIn(BaseModel):
    # None: all that is left of the invoice.
    amount_ht_cents: Cents | None = None
    reason: Annotated[Text, Field(min_length=1)]


def _number(reference: str) -> int:
    number = parse_reference(reference)
    if number is None:
        raise NotFound(f"'{reference}' is not an invoice number (FA- and six digits)", field="reference")
    return number


def _found(services, token, reference: str, after: int | None, as_of: str | None = None):
    require_role(token, *READERS)
    number = _number(reference)
    with reading(services, after=after, as_of=as_of) as read:
        row = billing_reads.invoice_at(read.conn, number, read.position)
        register = next((r for r in billing_reads.invoices_at(read.conn, read.position, partner_id=row["partner_id"])
                         if r["number"] == number), None) if row else None
    if row is None or register is None:
        raise NotFound(f"there is no invoice {reference}", field="reference")
    require_partner_scope(token, row["partner_id"], "read the invoice")
    return read.position, row, register


@router.get("", response_model=InvoicesPublic, summary="The register of invoices and credit notes")
def invoices(*, services: ServicesDep, token: TokenDep, month: Annotated[Month | None, Query()] = None,
             partner_id: Annotated[Slug | None, Query()] = None, after: After = None,
             as_of: AsOf = None) -> InvoicesPublic:
    require_role(token, *READERS)
    if token.role == "partner":
        require_partner_scope(token, partner_id or token.partner_id, "read the invoices")
        partner_id = token.partner_id
    with reading(services, after=after, as_of=as_of) as read:
        rows = billing_reads.invoices_at(read.conn, read.position, month=month, partner_id=partner_id)
    return InvoicesPublic(position=read.position, invoices=[InvoicePublic(**row) for row in rows])


@router.get("/{reference}.pdf", response_class=Response, summary="An invoice or credit note as PDF (in French)",
            responses={200: {"content": {"application/pdf": {}}}})
def invoice_pdf(*, services: ServicesDep, token: TokenDep, reference: Reference, after: After = None) -> Response:
    _, row, _ = _found(services, token, reference, after)
    document = invoice_document(row)
    return Response(render_invoice_pdf(document), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{document.filename}.pdf"'})


@router.get("/{reference}.csv", response_class=CsvResponse, summary="An invoice's lines and totals as CSV",
            responses={200: {"content": {"text/csv": {}}}})
def invoice_csv(*, services: ServicesDep, token: TokenDep, reference: Reference, after: After = None) -> CsvResponse:
    _, row, _ = _found(services, token, reference, after)
    document = invoice_document(row)
    return CsvResponse(render_invoice_csv(document),
                       headers={"Content-Disposition": f'attachment; filename="{document.filename}.csv"'})


@router.get("/{reference}", response_model=InvoiceDetail, summary="An invoice or credit note as issued")
def invoice(*, services: ServicesDep, token: TokenDep, reference: Reference, after: After = None,
            as_of: AsOf = None) -> InvoiceDetail:
    position, row, register = _found(services, token, reference, after, as_of)
    return InvoiceDetail(position=position, entry=InvoicePublic(**register),
                         document=invoice_document(row).event.model_dump(mode="json"))


@router.post("", status_code=201, response_model=Recorded,
             summary="Issue a member's invoice for a month, or every member's")
def issue(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
          body: Annotated[IssueInvoices, Body(examples=[{"month": "2026-01", "partner_id": "creche-a"}])]) -> Recorded:
    key = scoped_key(token.token_sha256, idempotency_key)
    if body.partner_id is None:
        return public(invoicing.issue_month(services.ledger, services.follower, body.month, actor=token,
                                            accept_unsigned_sheets=body.accept_unsigned_sheets, idempotency_key=key))
    return public(invoicing.issue_invoice(services.ledger, services.follower, body.partner_id, body.month,
                                          actor=token, accept_unsigned_sheets=body.accept_unsigned_sheets,
                                          idempotency_key=key))


@router.post("/{reference}/credit-note", status_code=201, response_model=Recorded,
             summary="Issue a credit note on an invoice: of an amount HT, or of all that is left")
def credit_note(*, services: ServicesDep, token: TokenDep, reference: Reference,
                idempotency_key: IdempotencyKey = None,
                body: Annotated[CreditNoteIn, Body(examples=[{"amount_ht_cents": 2244,
                                                              "reason": "Une heure comptée deux fois"}])]) -> Recorded:
    return public(invoicing.issue_credit_note(services.ledger, services.follower, _number(reference),
                                              reason=body.reason, amount_ht_cents=body.amount_ht_cents,
                                              actor=token, idempotency_key=scoped_key(token.token_sha256,
                                                                                      idempotency_key)))
