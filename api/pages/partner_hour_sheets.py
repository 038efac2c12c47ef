"""A member's "Mes feuilles d'heures": for a month, each sheet submitted to it, with the
entries the submission named (day, hours, start–end when recorded); the member signs it
(the digest of what it was shown goes with the form: if the sheet was submitted again
meanwhile, the signature is refused) or contests it with a reason. Each sheet prints as a
document (PDF)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.french import month_fr
from api.pages.coordination_forms import text
from api.pages.hour_sheet_view import SheetView, render_sheet_pdf, sheet_views
from api.pages.messages import french
from api.pages.partner import Apres, PartnerQuery, Scope, scope_of
from api.pages.render import page, redirect
from api.pages.session import FormDep, PartnerDep, PersonDep
from api.reads import known_partner_name, reading
from application.people import SignedIn
from domain.commands import invalid_command
from domain.errors import DomainError
from domain.hour_sheets import ContestHourSheet, CountersignHourSheet, SheetId, parse_sheet_id
from domain.periods import Month
from projections import hour_sheets

router = APIRouter(tags=["pages"], include_in_schema=False)
URL = "/feuilles-heures"


def _sheets_page(request: Request, scope: Scope, month: str | None, *, after_position: int | None = None,
                 status: int = 200, error: str | None = None, field: str | None = None,
                 sent: dict[str, str] | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=after_position) as read:
        name = known_partner_name(read, scope.partner_id)
        months = hour_sheets.staff_hour_months(read.conn, scope.partner_id)
        month = month or (months[0] if months else None)
        sheets = sheet_views(read, month, scope.partner_id) if month else []
    title = "Mes feuilles d'heures" if scope.own else f"Feuilles d'heures — {name}"
    return page(request, "partner_hour_sheets.html", status=status, title=title, scope=scope, partner_name=name,
                month=month, month_label=month_fr(month) if month else None,
                months=[(m, month_fr(m)) for m in sorted(set(months) | ({month} if month else set()), reverse=True)],
                sheets=sheets, error=error, field=field, sent=sent or {})


@router.get(URL, response_class=HTMLResponse)
def sheets_page(request: Request, who: PersonDep, mois: Annotated[Month | None, Query()] = None,
                partenaire: PartnerQuery = None, apres: Apres = None) -> HTMLResponse:
    return _sheets_page(request, scope_of(who, partenaire), mois, after_position=apres)


@router.post(URL + "/repondre", response_class=HTMLResponse)
def answer(request: Request, who: PartnerDep, form: FormDep) -> Response:
    """Sign (`decision=signer`, with the digest shown) or contest (`decision=contester`, with a reason)."""
    sent = {name: text(form, name) for name in ("sheet_id", "decision", "entries_sha256", "contest_reason")}
    try:
        _, partner_id, month = parse_sheet_id(sent["sheet_id"])
    except DomainError:
        return page(request, "error.html", status=404, title="Feuille introuvable",
                    message="Cette feuille d'heures n'existe pas.")
    scope = scope_of(who, partner_id)  # another member's sheet: 403, in words
    services = request.app.state.services
    try:
        if sent["decision"] == "contester":
            command = ContestHourSheet(sheet_id=sent["sheet_id"], reason=sent["contest_reason"])
        else:
            command = CountersignHourSheet(sheet_id=sent["sheet_id"], signed_by=_signer(who),
                                           entries_sha256=sent["entries_sha256"])
        outcome = services.ledger.execute(command, actor=who)
    except (DomainError, ValidationError) as refused:
        field, message = french(_renamed(refused))
        return _sheets_page(request, scope, month, status=422 if isinstance(refused, ValidationError) else 409,
                            error=message, field=field, sent=sent)
    services.follower.nudge()
    message = ("Feuille d'heures contestée : la coordination voit votre motif, corrige les heures et vous la "
               "soumet à nouveau." if sent["decision"] == "contester" else
               "Feuille d'heures signée. Merci ; elle figure signée dans le registre.")
    return redirect(request, f"{URL}?mois={month}&apres={outcome.position}", message=message)


@router.get(URL + "/{sheet_id}/feuille.pdf")
def sheet_pdf(request: Request, who: PersonDep, sheet_id: Annotated[SheetId, Path()]) -> Response:
    _, partner_id, month = parse_sheet_id(sheet_id)
    scope = scope_of(who, partner_id)
    with reading(request.app.state.services) as read:
        name = known_partner_name(read, scope.partner_id)
        sheet = next((s for s in sheet_views(read, month, partner_id) if s.sheet_id == sheet_id), None)
    if sheet is None:
        return page(request, "error.html", status=404, title="Feuille introuvable",
                    message="Cette feuille d'heures n'a pas été soumise.")
    return Response(render_sheet_pdf(sheet, name), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{sheet.filename}.pdf"'})


def _signer(who: SignedIn) -> str:
    return who.person.name


def _renamed(error: DomainError | ValidationError) -> DomainError | ValidationError:
    """The contest's `reason` is the form's « Motif » field (the disputes' reason has its own label)."""
    if isinstance(error, ValidationError):
        error = invalid_command(error)
    if error.field == "reason":
        return type(error)(error.message, field="contest_reason")
    return error
