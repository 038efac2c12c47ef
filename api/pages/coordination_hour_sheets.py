"""The coordinator's "Feuilles d'heures": for a month, each employee's sheet per member, its
hours and status, a button to submit each sheet that awaits it, and one to submit them all.
Employees with an account submit their own (employee_hour_sheets.py); the coordination may too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.french import de_fr, month_fr
from api.pages.coordination_forms import Refused, after, refused, text
from api.pages.hour_sheet_view import awaits_submission, status_fr
from api.pages.render import page, redirect
from api.pages.session import CoordinatorDep, FormDep
from api.reads import reading
from application.hour_sheets import submit_month, submit_sheet
from domain.errors import DomainError
from domain.periods import Month, check_month
from projections import hour_sheets, read_model

router = APIRouter(tags=["pages"], include_in_schema=False)
URL = "/coordination/feuilles-heures"


def _sheets_page(request: Request, month: str | None, *, after_position: int | None = None, status: int = 200,
                 error: Refused | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=after_position) as read:
        months = hour_sheets.staff_hour_months(read.conn)
        month = month or (months[0] if months else None)
        rows = read_model.hour_sheets_of_month(read.conn, month, read.position) if month else []
    sheets = [row | {"status_text": status_fr(row), "awaits": awaits_submission(row)} for row in rows]
    return page(request, "coordination_hour_sheets.html", status=status, title="Feuilles d'heures",
                month=month, month_label=month_fr(month) if month else None,
                months=[(m, month_fr(m)) for m in sorted(set(months) | ({month} if month else set()), reverse=True)],
                sheets=sheets, due=sum(1 for s in sheets if s["awaits"]),
                error=error.message if error else None, field=error.field if error else None)


@router.get(URL, response_class=HTMLResponse)
def sheets_page(request: Request, _: CoordinatorDep, mois: Annotated[Month | None, Query()] = None,
                apres: Annotated[int | None, Query(ge=0)] = None) -> HTMLResponse:
    return _sheets_page(request, mois, after_position=apres)


@router.post(URL + "/soumettre", response_class=HTMLResponse)
def submit(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    month, sheet_id = _month(form), text(form, "sheet_id")
    services = request.app.state.services
    try:
        if sheet_id:
            outcome = submit_sheet(services.ledger, services.follower, sheet_id, actor=who)
        else:
            outcome = submit_month(services.ledger, services.follower, month, actor=who)
    except DomainError as error:
        return _sheets_page(request, month, status=409, error=refused(error))
    count = len(outcome.events)
    message = (f"Feuille d'heures soumise au partenaire, qui peut maintenant la signer ou la contester."
               if sheet_id else f"{count} feuille{'s' if count > 1 else ''} d'heures {de_fr(month_fr(month))} "
                                f"soumise{'s' if count > 1 else ''} aux partenaires.")
    return redirect(request, after(f"{URL}?mois={month}", outcome), message=message)


def _month(form) -> str:
    try:
        return check_month(text(form, "mois"))
    except ValueError:
        return ""
