"""The coordinator's "Factures": a month's draft invoices, member by member (lines, totals,
sheet statuses, what is missing), issuing one member's or every member's, the register of
invoices and credit notes, an invoice's page and its credit-note form.

The drafts are application/invoicing.py's, read at the page's position: what the button
issues is what the page showed, unless something was recorded in between (then the book
decides on the lines as they stand). Refusals are the domain's, in French.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.french import euros, month_fr, parse_euros
from api.invoice_documents import SHEET_STATUS_FR, invoice_document
from api.pages.coordination import month_choices, month_to_close
from api.pages.coordination_forms import Refused, after, parsed, refused, typed
from api.pages.render import page, redirect
from api.pages.session import CoordinatorDep, FormDep, PageError
from api.reads import reading
from application import invoicing
from domain.errors import DomainError
from domain.invoice_amounts import parse_reference
from domain.periods import check_month
from projections import billing_reads, read_model

router = APIRouter(tags=["pages"], include_in_schema=False)

ReferencePath = Annotated[str, Path()]
MISSING_FR = {
    "profile": "l'identité de facturation du groupement (raison sociale, adresse, SIREN, régime de TVA)",
    "member_details": "les coordonnées de facturation de l'adhérent",
    "no_rate_card": "une grille de facturation en vigueur pour le mois",
    "no_contract": "le contrat du salarié",
}


def _shown_month(value: str | None, months: list[dict]) -> str | None:
    """The month asked for, else the last closed one (the month to invoice), else the month to close."""
    if value:
        try:
            return check_month(value)
        except ValueError:
            pass
    closed = [m["month"] for m in months if m["position"] is not None]
    return closed[-1] if closed else month_to_close(months)


def missing_fr(draft: invoicing.Draft) -> list[str]:
    words = []
    for what, detail in draft.missing:
        text = MISSING_FR[what]
        if what == "no_contract":
            employee = detail.split("'")[1]
            name = next((line.employee_name for line in draft.lines if line.employee_id == employee), employee)
            text = f"{text} {name}"
        words.append(text)
    return words


def _invoices_page(request: Request, *, month: str | None = None, after_position: int | None = None,
                   status: int = 200, error: Refused | None = None, sent: dict | None = None) -> HTMLResponse:
    services = request.app.state.services
    with reading(services, after=after_position) as read:
        months = read_model.coordination_months(read.conn)
        shown = _shown_month(month, months)
        drafts = invoicing.drafts(read.conn, shown, read.position) if shown else []
        register = billing_reads.invoices_at(read.conn, read.position, month=shown) if shown else []
    choices = month_choices(months)
    if shown and shown not in choices:
        choices = sorted({*choices, shown}, reverse=True)
    due = [d for d in drafts if d.invoiced is None]
    return page(request, "coordination_invoices.html", status=status, title="Factures", month=shown,
                month_choices=choices, closed={m["month"] for m in months if m["position"] is not None},
                drafts=drafts, due=due, any_unsigned=any(d.unsigned for d in due),
                ready=[d for d in due if not d.missing], register=register, missing_fr=missing_fr,
                sheet_fr=SHEET_STATUS_FR, error=error.message if error else None,
                field=error.field if error else None, sent=sent or {})


@router.get("/coordination/factures", response_class=HTMLResponse)
def invoices_page(request: Request, _: CoordinatorDep, mois: str | None = None,
                  apres: int | None = None) -> HTMLResponse:
    return _invoices_page(request, month=mois, after_position=apres)


@router.post("/coordination/factures", response_class=HTMLResponse)
def issue(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = typed(form, "month", "partner_id", "accept_unsigned_sheets")
    services = request.app.state.services
    accept = sent["accept_unsigned_sheets"] == "oui"
    try:
        month = parsed("month", check_month, sent["month"])
        if sent["partner_id"]:
            outcome = invoicing.issue_invoice(services.ledger, services.follower, sent["partner_id"], month,
                                              accept_unsigned_sheets=accept, actor=who)
        else:
            outcome = invoicing.issue_month(services.ledger, services.follower, month,
                                            accept_unsigned_sheets=accept, actor=who)
    except DomainError as error:
        return _invoices_page(request, month=sent["month"], status=422, error=refused(error), sent=sent)
    except Refused as error:
        return _invoices_page(request, month=sent["month"], status=422, error=error, sent=sent)
    count = len(outcome.events)
    message = (f"{count} factures émises pour {month_fr(month)}." if count > 1
               else f"Facture émise pour {month_fr(month)}.")
    return redirect(request, after(f"/coordination/factures?mois={month}", outcome), message=message)


def _number(reference: str) -> int:
    number = parse_reference(reference)
    if number is None:
        raise PageError(404, f"« {reference} » n'est pas un numéro de facture (FA- suivi de six chiffres).")
    return number


def _invoice_page(request: Request, reference: str, *, after_position: int | None = None, status: int = 200,
                  error: Refused | None = None, sent: dict | None = None) -> HTMLResponse:
    number = _number(reference)
    with reading(request.app.state.services, after=after_position) as read:
        row = billing_reads.invoice_at(read.conn, number, read.position)
        if row is None:
            raise PageError(404, f"Il n'y a pas de facture {reference}.")
        register = billing_reads.invoices_at(read.conn, read.position, partner_id=row["partner_id"])
    here = next(r for r in register if r["number"] == number)
    notes = [r for r in register if r["corrects"] == number]
    doc = invoice_document(row)
    left = here["total_ht_cents"] - here["credited_ht_cents"] if here["kind"] == "invoice" else 0
    return page(request, "coordination_invoice.html", status=status, title=doc.title, doc=doc, row=here,
                notes=notes, left_cents=left, error=error.message if error else None,
                field=error.field if error else None, sent=sent or {})


@router.get("/coordination/factures/{reference}", response_class=HTMLResponse)
def invoice_page(request: Request, _: CoordinatorDep, reference: ReferencePath,
                 apres: int | None = None) -> HTMLResponse:
    return _invoice_page(request, reference, after_position=apres)


@router.post("/coordination/factures/{reference}/avoir", response_class=HTMLResponse)
def credit_note(request: Request, who: CoordinatorDep, form: FormDep, reference: ReferencePath) -> Response:
    sent = typed(form, "amount", "credit_reason")
    services = request.app.state.services
    number = _number(reference)
    rename = {"reason": "credit_reason", "amount_ht_cents": "credit_amount"}
    try:
        amount = parsed("credit_amount", lambda v: parse_euros(v, "Montant HT de l'avoir"),
                        sent["amount"]) if sent["amount"] else None
        outcome = invoicing.issue_credit_note(services.ledger, services.follower, number,
                                              reason=sent["credit_reason"], amount_ht_cents=amount, actor=who)
    except DomainError as error:
        return _invoice_page(request, reference, status=422, error=refused(error, rename), sent=sent)
    except Refused as error:
        return _invoice_page(request, reference, status=422, error=error, sent=sent)
    except ValueError as error:  # pydantic: the reason or the amount out of bounds
        return _invoice_page(request, reference, status=422, error=refused(error, rename), sent=sent)
    what = f"de {euros(amount)} HT" if amount is not None else "du solde"
    return redirect(request, after(f"/coordination/factures/{reference}", outcome),
                    message=f"Avoir {what} émis sur la facture {reference}.")
