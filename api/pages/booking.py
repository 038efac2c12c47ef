"""Booking a room (or equipment, a service) by the hour: a resource's week — the slots
already booked, day by day in Paris time, the partner's own named and the others' shown
only as taken — and a form (day, start, end) that records BookSlot for the partner. A
refusal (overlap beyond capacity, not a member that day, a retired resource, a day
outside the calendar…) is shown in French on the form, naming the field to change."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api.french import date_fr, time_fr, weekday_fr
from api.pages.messages import french
from api.pages.partner import Apres, scope_of
from api.pages.render import page, redirect
from api.pages.session import FormDep, PersonDep
from api.reads import reading
from application.people import SignedIn
from application.permissions import require_reader
from domain.commands import BookSlot
from domain.errors import DomainError
from domain.periods import FIRST_DAY, LAST_DAY, LOCAL_TZ
from projections import read_model

router = APIRouter(tags=["pages"], include_in_schema=False)

# The command's fields, as the form names them.
FORM_FIELD = {"starts_at": "start", "ends_at": "end", "partner_id": "day", "resource_id": "resource_id"}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:h]([0-5]\d)$")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _parse_day(text: str | None) -> date | None:
    if not text or not _DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _week(request: Request, who: SignedIn, resource_id: str | None, day: date, apres: int | None) -> dict:
    """The week from Monday of `day`: the resources one can book, the chosen one's slots."""
    monday = _monday(day)
    start = datetime.combine(monday, time(0), LOCAL_TZ)
    end = datetime.combine(monday + timedelta(days=7), time(0), LOCAL_TZ)
    with reading(request.app.state.services, after=apres) as read:
        resources = read_model.bookable_resources(read.conn, monday)
        chosen = next((r for r in resources if r["resource_id"] == resource_id), resources[0] if resources else None)
        bookings = read_model.resource_bookings(read.conn, chosen["resource_id"], start, end) if chosen else []
    days = [{"day": monday + timedelta(days=i), "slots": []} for i in range(7)]
    for booking in bookings:
        local = booking["starts_at"].astimezone(LOCAL_TZ).date()
        if monday <= local < monday + timedelta(days=7):
            days[(local - monday).days]["slots"].append({
                "start": time_fr(booking["starts_at"]), "end": time_fr(booking["ends_at"]),
                "own": booking["partner_id"] == who.partner_id})
    return {"resources": resources, "chosen": chosen, "days": days, "monday": monday,
            "previous": (monday - timedelta(days=7)).isoformat(), "next": (monday + timedelta(days=7)).isoformat(),
            "sunday": monday + timedelta(days=6)}


def _page(request: Request, who: SignedIn, resource_id: str | None, day: date, *, apres: int | None = None,
          status: int = 200, error: str | None = None, field: str | None = None, sent: dict | None = None):
    week = _week(request, who, resource_id, day, apres)
    return page(request, "booking.html", status=status, title="Réserver une salle ou un équipement",
                week=week, error=error, field=field, sent=sent or {}, can_book=who.role == "partner",
                first_day=FIRST_DAY.isoformat(), last_day=LAST_DAY.isoformat())


@router.get("/reservations", response_class=HTMLResponse)
def booking_page(request: Request, who: PersonDep, ressource: Annotated[str | None, Query(max_length=64)] = None,
                 jour: Annotated[str | None, Query(max_length=10)] = None, apres: Apres = None) -> HTMLResponse:
    if who.role != "partner":
        require_reader(who)  # the coordination and auditors may look; analysts get a 403
    day = _parse_day(jour) or datetime.now(LOCAL_TZ).date()
    return _page(request, who, ressource, day, apres=apres)


def _at(day: date, text: str, field: str) -> datetime:
    found = _TIME.match(text.strip())
    if not found:
        raise _Refused(field, f"« {'Heure de début' if field == 'start' else 'Heure de fin'} » : "
                              f"écrivez une heure comme 14:30.")
    return datetime.combine(day, time(int(found[1]), int(found[2])), LOCAL_TZ)


class _Refused(Exception):
    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message


@router.post("/reservations", response_class=HTMLResponse)
def book(request: Request, who: PersonDep, form: FormDep) -> HTMLResponse:
    if who.role != "partner":
        require_reader(who)  # the coordination and auditors are told who books; other roles get a 403
    scope = scope_of(who, None) if who.role == "partner" else None
    sent = {name: str(form.get(name, "")).strip() for name in ("resource_id", "day", "start", "end")}
    day = _parse_day(sent["day"])
    try:
        if scope is None:
            raise _Refused("resource_id", "Seule une personne d'un partenaire réserve, pour son partenaire.")
        if not sent["resource_id"]:
            raise _Refused("resource_id", "« Ressource » : choisissez la salle ou l'équipement à réserver.")
        if day is None:
            raise _Refused("day", "« Jour » : choisissez un jour (par exemple 2026-03-02).")
        if not FIRST_DAY <= day <= LAST_DAY:
            raise _Refused("day", f"« Jour » : le jour doit être compris entre le {date_fr(FIRST_DAY)} "
                                  f"et le {date_fr(LAST_DAY)}.")
        command = BookSlot(resource_id=sent["resource_id"], partner_id=scope.partner_id,
                           starts_at=_at(day, sent["start"], "start"), ends_at=_at(day, sent["end"], "end"))
        outcome = request.app.state.services.ledger.execute(command, actor=who)
    except _Refused as refused:
        return _page(request, who, sent["resource_id"] or None, day or datetime.now(LOCAL_TZ).date(), status=422,
                     error=refused.message, field=refused.field, sent=sent)
    except (DomainError, ValidationError) as refused:
        field, message = french(refused)
        # A day out of the calendar, a retired resource, a non-member: the day is what to change.
        field = "day" if message.startswith("« Jour »") else FORM_FIELD.get(field or "", field)
        status = 422 if isinstance(refused, ValidationError) or getattr(refused, "rule", "") == "invalid-command" else 409
        return _page(request, who, sent["resource_id"], day, status=status, error=message,
                     field=field, sent=sent)
    request.app.state.services.follower.nudge()
    return redirect(request, f"/reservations?ressource={sent['resource_id']}&jour={day.isoformat()}"
                             f"&apres={outcome.position}",
                    message=f"Réservation enregistrée : {weekday_fr(day)}, de {time_fr(command.starts_at)} "
                            f"à {time_fr(command.ends_at)}.")
