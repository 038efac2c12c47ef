"""The coordinator's staff hours: an employee's time for a member, typed as a day, a start
and an end (Paris time) — the form the working-time rules need (domain/working_time.py).
A refusal (more than 10 h a day or 48 h a week, the 12-week average, the daily rest, a
missing break, an overlap, a partner not a member that day) is shown in French on the
form, naming the employee, the dates and the figures."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import date_fr, time_fr
from api.pages.coordination_forms import Refused, after, command, execute, typed
from api.pages.render import page, redirect
from api.pages.session import CoordinatorDep, FormDep
from api.reads import reading
from domain.commands import LogStaffHours
from domain.entries import booked_hours
from domain.periods import FIRST_DAY, LAST_DAY, LOCAL_TZ
from projections import read_model

router = APIRouter(tags=["pages"], include_in_schema=False)

FIELDS = ("employee_id", "partner_id", "day", "start", "end")
# The command's fields, as the form names them.
# The member is "member_id" for the messages: the partner's pages say "your structure".
RENAME = {"starts_at": "start", "ends_at": "end", "work_date": "day", "hours": "end", "partner_id": "member_id"}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:h]([0-5]\d)$")


def _hours_page(request: Request, *, after_position: int | None = None, status: int = 200,
                error: Refused | None = None, sent: dict[str, str] | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=after_position) as read:
        employees = {r["resource_id"]: r["name"] for r in read_model.resource_directory(read.conn)
                     if r["kind"] == "staff" and r["retired_on"] is None}
        partners = read_model.partner_names(read.conn)
    return page(request, "coordination_hours.html", status=status, title="Heures de personnel",
                employees=employees, partners=partners, error=error.message if error else None,
                field=error.field if error else None, sent=sent or {},
                first_day=FIRST_DAY.isoformat(), last_day=LAST_DAY.isoformat())


@router.get("/coordination/heures", response_class=HTMLResponse)
def hours_page(request: Request, _: CoordinatorDep, apres: int | None = None) -> HTMLResponse:
    return _hours_page(request, after_position=apres)


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Refused("day", "« Jour » : choisissez un jour (par exemple 2026-03-02).") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Refused("day", f"« Jour » : le jour doit être compris entre le {date_fr(FIRST_DAY)} "
                             f"et le {date_fr(LAST_DAY)}.")
    return day


def _at(day: date, text: str, field: str) -> datetime:
    found = _TIME.match(text)
    if not found:
        label = "Heure de début" if field == "start" else "Heure de fin"
        raise Refused(field, f"« {label} » : écrivez une heure comme 08:30.")
    return datetime.combine(day, time(int(found[1]), int(found[2])), LOCAL_TZ)


@router.post("/coordination/heures", response_class=HTMLResponse)
def log_hours(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = typed(form, *FIELDS)
    try:
        if not sent["employee_id"]:
            raise Refused("employee_id", "« Salarié » : choisissez le salarié.")
        if not sent["partner_id"]:
            raise Refused("member_id", "« Membre » : choisissez le membre pour qui il a travaillé.")
        day = _day(sent["day"])
        starts, ends = _at(day, sent["start"], "start"), _at(day, sent["end"], "end")
        cmd = command(lambda: LogStaffHours(employee_id=sent["employee_id"], partner_id=sent["partner_id"],
                                            starts_at=starts, ends_at=ends), RENAME)
        outcome = execute(request, who, cmd, RENAME)
    except Refused as error:
        return _hours_page(request, status=422 if error.field in ("day", "start", "end") and
                           "écrivez" in error.message else 409, error=error, sent=sent)
    return redirect(request, after("/coordination/heures", outcome),
                    message=f"Heures enregistrées : le {date_fr(day)}, de {time_fr(starts)} à {time_fr(ends)} "
                            f"({_hours_fr(booked_hours(starts, ends))} h).")


def _hours_fr(hours: Decimal) -> str:
    return f"{hours.normalize():f}".replace(".", ",")
