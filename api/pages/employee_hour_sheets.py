"""An employee's « Mes feuilles d'heures »: for a month, its sheet for each member it worked
for, generated from the recorded time (the coordinator's read of the month, kept to this
employee), each with its lines (date, start–end, hours) and its status; « Soumettre au
membre » submits it as the employee (application/permissions.py: its own sheets only). The
page shows no money and no other employee's hours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.french import decimal_fr, month_fr
from api.pages.coordination_forms import after, refused, text
from api.pages.hour_sheet_view import EntryView, awaits_submission, status_fr
from api.pages.partner import Apres
from api.pages.render import page, redirect
from api.pages.session import EmployeeDep, FormDep, PageError
from api.reads import Reading, reading
from application.hour_sheets import submit_sheet
from application.permissions import Forbidden
from domain.errors import DomainError
from domain.hour_sheets import parse_sheet_id
from domain.periods import Month
from projections import hour_sheets, read_model

router = APIRouter(tags=["pages"], include_in_schema=False)
URL = "/salarie/feuilles-heures"


@dataclass(frozen=True)
class OwnSheet:
    """One of the employee's sheets of the month: its row of the month's list and the lines
    it covers now (what « Soumettre au membre » sends)."""

    row: dict[str, Any]
    entries: tuple[EntryView, ...]

    @property
    def sheet_id(self) -> str:
        return self.row["sheet_id"]

    @property
    def status_label(self) -> str:
        text = status_fr(self.row)
        return text[:1].upper() + text[1:]

    @property
    def total_text(self) -> str:
        return decimal_fr(self.row["hours"], max_places=3)

    @property
    def awaits(self) -> bool:
        return awaits_submission(self.row)


def own_sheets(read: Reading, employee_id: str, month: str) -> list[OwnSheet]:
    """The employee's sheets of the month at the reading's position, one per member."""
    rows = [row for row in read_model.hour_sheets_of_month(read.conn, month, read.position)
            if row["employee_id"] == employee_id]
    return [OwnSheet(row, tuple(EntryView(e["happened_on"], e["quantity"], e["starts_at"], e["ends_at"])
                                for e in hour_sheets.sheet_entries_at(read.conn, employee_id, row["partner_id"],
                                                                      month, read.position)))
            for row in rows]


def _sheets_page(request: Request, employee_id: str, month: str | None, *, after_position: int | None = None,
                 status: int = 200, error: str | None = None, sheet_id: str | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=after_position) as read:
        months = hour_sheets.staff_hour_months(read.conn, employee_id=employee_id)
        month = month or (months[0] if months else None)
        sheets = own_sheets(read, employee_id, month) if month else []
    return page(request, "employee_hour_sheets.html", status=status, title="Mes feuilles d'heures",
                month=month, month_label=month_fr(month) if month else None,
                months=[(m, month_fr(m)) for m in sorted(set(months) | ({month} if month else set()), reverse=True)],
                sheets=sheets, error=error,
                # A refusal shows beside its sheet, or above the month if the sheet is not on it.
                refused_sheet=sheet_id if any(s.sheet_id == sheet_id for s in sheets) else None)


@router.get(URL, response_class=HTMLResponse)
def sheets_page(request: Request, who: EmployeeDep, mois: Annotated[Month | None, Query()] = None,
                apres: Apres = None) -> HTMLResponse:
    return _sheets_page(request, who.employee_id, mois, after_position=apres)


@router.post(URL + "/soumettre", response_class=HTMLResponse)
def submit(request: Request, who: EmployeeDep, form: FormDep) -> Response:
    sheet_id = text(form, "sheet_id")
    try:
        _, _, month = parse_sheet_id(sheet_id)
    except DomainError:
        raise PageError(404, "Cette feuille d'heures n'existe pas.") from None
    services = request.app.state.services
    try:
        outcome = submit_sheet(services.ledger, services.follower, sheet_id, actor=who)
    except Forbidden:
        raise PageError(403, "Cette feuille d'heures est celle d'un autre salarié : vous ne soumettez que "
                             "les vôtres.") from None
    except DomainError as error:
        return _sheets_page(request, who.employee_id, month, status=409, error=refused(error).message,
                            sheet_id=sheet_id)
    return redirect(request, after(f"{URL}?mois={month}", outcome),
                    message="Feuille d'heures soumise au membre, qui peut maintenant la signer ou la contester.")
