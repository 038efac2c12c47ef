"""A member's "Mes factures": the GE's invoices and credit notes addressed to it, and each
document (HTML, PDF, CSV: api/invoice_documents.py, through the session rather than a token),
and each invoice's payment today: paid, partly paid, to pay by its due date or so many days
late (api/pages/payment_status.py, from the read GET /ge/unpaid answers with).
The coordination and the auditors open a member's list with `?partenaire=<id>` and any
document; a member naming another member's invoice gets a 403 page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.documents import CsvResponse
from api.invoice_documents import InvoiceDocument, invoice_document, render_invoice_csv, render_invoice_html
from api.pages.ge_hub import today
from api.pages.partner import Apres, PartnerQuery, scope_of
from api.pages.payment_status import payment_status, refund_status
from api.pages.render import page
from api.pages.session import PageError, PersonDep
from api.pdf import render_invoice_pdf
from api.reads import known_partner_name, reading
from application.people import SignedIn
from application.permissions import require_reader
from domain.invoice_amounts import parse_reference
from projections import billing_reads

router = APIRouter(tags=["pages"], include_in_schema=False)

ReferencePath = Annotated[str, Path()]


@router.get("/factures", response_class=HTMLResponse)
def invoices(request: Request, who: PersonDep, partenaire: PartnerQuery = None, apres: Apres = None) -> HTMLResponse:
    scope = scope_of(who, partenaire)
    with reading(request.app.state.services, after=apres) as read:
        rows = billing_reads.invoices_at(read.conn, read.position, partner_id=scope.partner_id)
        unpaid = {r["number"]: r for r in billing_reads.unpaid_invoices_at(read.conn, read.position, today())
                  if r["partner_id"] == scope.partner_id}
        owed_back = {r["number"]: r for r in billing_reads.refunds_owed_at(read.conn, read.position)
                     if r["partner_id"] == scope.partner_id}
        name = known_partner_name(read, scope.partner_id)
    owed = sum(r["total_ttc_cents"] for r in rows)
    return page(request, "partner_invoices.html", title="Mes factures" if scope.own else f"Factures de {name}",
                scope=scope, partner_name=name, rows=rows, owed_cents=owed, unpaid=unpaid,
                left_cents=sum(r["left_cents"] for r in unpaid.values()), payment_status=payment_status,
                owed_back=owed_back, refund_status=refund_status)


def _document(request: Request, who: SignedIn, reference: str) -> InvoiceDocument:
    number = parse_reference(reference)
    if number is None:
        raise PageError(404, f"« {reference} » n'est pas un numéro de facture.")
    if who.role != "partner":
        require_reader(who)  # before reading: a role with no invoices to read is not told which exist
    with reading(request.app.state.services) as read:
        row = billing_reads.invoice_at(read.conn, number, read.position)
    if row is None:
        raise PageError(404, f"Il n'y a pas de facture {reference}.")
    if who.role == "partner" and row["partner_id"] != who.partner_id:
        raise PageError(403, "Cette facture est adressée à un autre adhérent : vous ne voyez que les vôtres.")
    return invoice_document(row)


@router.get("/factures/{reference}/facture.html", response_class=HTMLResponse)
def invoice_html(request: Request, who: PersonDep, reference: ReferencePath) -> HTMLResponse:
    document = _document(request, who, reference)
    return HTMLResponse(render_invoice_html(document), headers={
        "Content-Disposition": f'inline; filename="{document.filename}.html"'})


@router.get("/factures/{reference}/facture.pdf", response_class=Response)
def invoice_pdf(request: Request, who: PersonDep, reference: ReferencePath) -> Response:
    document = _document(request, who, reference)
    return Response(render_invoice_pdf(document), media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{document.filename}.pdf"'})


@router.get("/factures/{reference}/facture.csv", response_class=CsvResponse)
def invoice_csv(request: Request, who: PersonDep, reference: ReferencePath) -> CsvResponse:
    document = _document(request, who, reference)
    return CsvResponse(render_invoice_csv(document), headers={
        "Content-Disposition": f'attachment; filename="{document.filename}.csv"'})
