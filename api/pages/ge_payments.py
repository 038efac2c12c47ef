"""The GE's « Paiements et impayés » (/coordination/ge/paiements), for the coordinator and the
auditor: the invoices left to pay on a day — as recorded by the end of that day (or at a log
position) — and how many days late each one is that day; a day to come shows what will be
late by then on what is recorded now. It is the read GET /ge/unpaid answers with
(projections' unpaid_invoices_at): TTC less the credit notes that correct it and the
payments — by member with its totals; the payments recorded, each leading to its event in
the log; the coordinator's form records a member's payment on an invoice
(RecordInvoicePayment, its amount typed in euros). The rules are the domain's
(domain/invoice_payments.py: at most what is left to pay, not before the invoice's day);
this module reads the form and says the refusals in French.

A regularisation's credit note corrects no invoice: what the GE owes back by it is not
deducted from any invoice. The page lists those left to refund (projections'
refunds_owed_at, the read GET /ge/refunds answers with) and the refunds recorded; the
coordinator's second form records a refund (RecordCreditNoteRefund, on its own path so that
each form keeps its fields)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import date_fr, euros, parse_euros
from api.pages.coordination_forms import Refused, after, parsed, text
from api.pages.ge_hub import today
from api.pages.ge_messages import LABELS
from api.pages.ge_terms_forms import build, execute_ge
from api.pages.payment_status import days_fr
from api.pages.render import page, redirect
from api.pages.session import AuditorDep, CoordinatorDep, FormDep
from api.reads import log_end, reading
from application.people import SignedIn
from application.permissions import AUDITORS, require_role
from domain.errors import DomainError
from domain.invoice_amounts import parse_reference, reference
from domain.invoice_payments import RecordCreditNoteRefund, RecordInvoicePayment
from domain.periods import LOCAL_TZ, check_day
from projections import billing_reads, read_model

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE = "/coordination/ge/paiements"
PAYMENT_FIELDS = ("invoice", "payment_amount", "paid_on", "payment_reference")
# The command's fields as the form names them (api/pages/ge_messages.py's labels).
PAYMENT_RENAME = {"number": "invoice", "amount_cents": "payment_amount", "reference": "payment_reference"}
REFUNDS = PAGE + "/remboursements"
REFUND_FIELDS = ("credit_note", "refund_amount", "refunded_on", "refund_reference")
REFUND_RENAME = {"number": "credit_note", "amount_cents": "refund_amount", "reference": "refund_reference"}
FORM_KEY_LENGTH = 22  # secrets.token_urlsafe(16)

Row = dict[str, Any]


@dataclass(frozen=True)
class MemberUnpaid:
    """A member's invoices left to pay, oldest due first, and their totals."""

    partner_id: str
    name: str
    invoices: list[Row]

    def total(self, column: str) -> int:
        return sum(r[column] for r in self.invoices)

    @property
    def late(self) -> list[Row]:
        return [r for r in self.invoices if r["days_late"] > 0]


@dataclass(frozen=True)
class OnDay:
    """The day the invoices' lateness is counted on, and the log they are read at: as recorded
    by the end of that day (now, for today or a day to come), or at a position."""

    day: date
    position: int | None = None

    @property
    def now(self) -> bool:
        return self.position is None and self.day >= today()

    @property
    def reading(self) -> str | None:
        if self.position is not None:
            return str(self.position)
        if self.day < today():
            return datetime.combine(self.day + timedelta(days=1), time(0), LOCAL_TZ).isoformat()
        return None


def parse_on_day(au: str | None, position: str | None) -> OnDay:
    """The page's query, checked; a refusal names its field in French."""
    day = today()
    if au:
        try:
            day = check_day(date.fromisoformat(au.strip()))
        except ValueError:
            raise Refused("au", f"« {LABELS['au']} » : ce n'est pas une date du calendrier (écrivez-la AAAA-MM-JJ, "
                                f"par exemple 2026-04-30).") from None
    if position:
        if not position.strip().isdigit() or len(position.strip()) > 18:
            raise Refused("position", "« Position du journal » : un nombre entier, par exemple 4812.")
        return OnDay(day, int(position))
    return OnDay(day)


def read_unpaid(request: Request, on: OnDay, after_position: int | None = None) -> dict[str, Any]:
    try:
        with reading(request.app.state.services, after=after_position, as_of=on.reading) as read:
            rows = billing_reads.unpaid_invoices_at(read.conn, read.position, on.day)
            payments = billing_reads.invoice_payments_at(read.conn, read.position)
            owed = billing_reads.refunds_owed_at(read.conn, read.position)
            refunds = billing_reads.credit_note_refunds_at(read.conn, read.position)
            names = read_model.partner_names(read.conn)
            files = billing_reads.member_details_at(read.conn, read.position)
            names |= {f["partner_id"]: f["legal_name"] for f in files}
            position = read.position
    except DomainError:
        # The only refusal of a read: a position past the log's end.
        raise Refused("position", f"« Position du journal » : le journal s'arrête à la position "
                                  f"{log_end(request.app.state.services)}.") from None
    by_member: dict[str, list[Row]] = {}
    for row in rows:
        by_member.setdefault(row["partner_id"], []).append(row)
    members = sorted((MemberUnpaid(p, names.get(p, p), invoices) for p, invoices in by_member.items()),
                     key=lambda m: m.name.casefold())
    return {"members": members, "rows": rows, "payments": payments, "names": names, "position": position,
            "owed": owed, "refunds": refunds, "owed_left_cents": sum(r["left_cents"] for r in owed),
            "late": [r for r in rows if r["days_late"] > 0],
            "totals": {c: sum(r[c] for r in rows) for c in ("total_ttc_cents", "credited_cents", "paid_cents",
                                                             "left_cents")}}


def _page(request: Request, who: SignedIn, on: OnDay | None, *, after_position: int | None = None,
          status: int = 200, error: Refused | None = None, form: str = "", sent: dict[str, str] | None = None,
          query: dict[str, str] | None = None) -> HTMLResponse:
    shown = on or OnDay(today())
    read = read_unpaid(request, shown, after_position)
    payment_sent = sent if form == "payment" and sent is not None else {"paid_on": today().isoformat()}
    refund_sent = sent if form == "refund" and sent is not None else {"refunded_on": today().isoformat()}
    return page(request, "ge_payments.html", status=status, title="Paiements et impayés", on=shown,
                today=today(), query=query or {}, can_post=who.role == "coordinator", now=shown.now,
                days_fr=days_fr, payment_sent=payment_sent, refund_sent=refund_sent,
                form_key=payment_sent.get("form_key") or secrets.token_urlsafe(16),
                refund_key=refund_sent.get("form_key") or secrets.token_urlsafe(16), form=form,
                error=error.message if error else None, field=error.field if error else None, **read)


@router.get(PAGE, response_class=HTMLResponse)
def payments(request: Request, who: AuditorDep, au: str | None = None, position: str | None = None,
             apres: int | None = None) -> HTMLResponse:
    require_role(who, *AUDITORS)
    query = {"au": au or "", "position": position or ""}
    try:
        return _page(request, who, parse_on_day(au, position), after_position=apres, query=query)
    except Refused as error:
        return _page(request, who, None, status=422, form="as_of", error=error, query=query)


def _invoice_number(value: str) -> int:
    """The invoice chosen: its number as the list sends it, or its reference as printed."""
    number = int(value) if value.isdigit() and len(value) < 10 else parse_reference(value.upper())
    if not number:
        raise Refused("invoice", "« Facture » : choisissez dans la liste la facture sur laquelle le paiement a été "
                                 "reçu.")
    return number


def payment_command(sent: dict[str, str]) -> RecordInvoicePayment:
    number = _invoice_number(sent["invoice"])
    amount = parsed("payment_amount", lambda v: parse_euros(v, LABELS["payment_amount"]), sent["payment_amount"])
    return build(lambda: RecordInvoicePayment(number=number, amount_cents=amount, paid_on=sent["paid_on"],
                                              reference=sent["payment_reference"]), rename=PAYMENT_RENAME)


def _idempotency_key(who: SignedIn, form_key: str) -> str | None:
    """The form's key, the person's own: a form sent twice (a double click, a page sent again)
    records its payment once. A key the page did not write is no key."""
    if len(form_key) != FORM_KEY_LENGTH or not all(c.isalnum() or c in "-_" for c in form_key):
        return None
    return f"page:{who.actor}:{form_key}"


@router.post(PAGE, response_class=HTMLResponse)
def record_payment(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = {name: text(form, name) for name in (*PAYMENT_FIELDS, "form_key")}
    try:
        cmd = payment_command(sent)
        outcome = execute_ge(request, who, cmd, rename=PAYMENT_RENAME,
                             idempotency_key=_idempotency_key(who, sent["form_key"]))
    except Refused as error:
        return _page(request, who, None, status=422, form="payment", error=error, sent=sent)
    return redirect(request, after(PAGE, outcome) + "#paiements",
                    message=f"Paiement de {euros(cmd.amount_cents)} enregistré sur {reference(cmd.number)}, reçu le "
                            f"{date_fr(cmd.paid_on)} ({cmd.reference}).")


def _credit_note_number(value: str) -> int:
    """The credit note chosen: its number as the list sends it, or its reference as printed."""
    number = int(value) if value.isdigit() and len(value) < 10 else parse_reference(value.upper())
    if not number:
        raise Refused("credit_note", "« Avoir » : choisissez dans la liste l'avoir de régularisation remboursé.")
    return number


def refund_command(sent: dict[str, str]) -> RecordCreditNoteRefund:
    number = _credit_note_number(sent["credit_note"])
    amount = parsed("refund_amount", lambda v: parse_euros(v, LABELS["refund_amount"]), sent["refund_amount"])
    return build(lambda: RecordCreditNoteRefund(number=number, amount_cents=amount, refunded_on=sent["refunded_on"],
                                                reference=sent["refund_reference"]), rename=REFUND_RENAME)


@router.post(REFUNDS, response_class=HTMLResponse)
def record_refund(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = {name: text(form, name) for name in (*REFUND_FIELDS, "form_key")}
    try:
        cmd = refund_command(sent)
        outcome = execute_ge(request, who, cmd, rename=REFUND_RENAME,
                             idempotency_key=_idempotency_key(who, sent["form_key"]))
    except Refused as error:
        return _page(request, who, None, status=422, form="refund", error=error, sent=sent)
    return redirect(request, after(PAGE, outcome) + "#remboursements",
                    message=f"Remboursement de {euros(cmd.amount_cents)} enregistré sur l'avoir "
                            f"{reference(cmd.number)}, versé le {date_fr(cmd.refunded_on)} ({cmd.reference}).")
