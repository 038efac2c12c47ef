"""The GE's member register (/coordination/ge/registre), for the coordinator and the auditor:
the members on a day with what C. trav. D1253-1 5° asks of each (head office and
establishments, activity, headcount), as the register stands now or as it was recorded on
a day or at a log position; its changes with their deadline to notify (within the month,
D1253-3) and the notification that covered each, overdue ones marked; the coordinator's form
that records a notification (NotifyRegisterChanges) up to the position the page was read
at; and the register of a day as a PDF, as the labour inspectorate is sent it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import date_fr
from api.pages.coordination_forms import Refused, after, text
from api.pages.ge_hub import today
from api.pages.ge_messages import LABELS
from api.pages.ge_terms_forms import build, execute_ge, siren_fr
from api.pages.ge_register_document import register_pdf
from api.pages.render import page, redirect
from api.pages.session import AuditorDep, CoordinatorDep, FormDep, PageError
from api.reads import log_end, reading
from application.member_register import RegisterChange, register_changes
from application.permissions import AUDITORS, require_role
from domain.errors import DomainError
from domain.member_register import NotifyRegisterChanges
from domain.periods import LOCAL_TZ, check_day
from projections import billing_reads, register_reads

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE = "/coordination/ge/registre"
NATURE_FR = {"PartnerJoined": "adhésion", "PartnerLeft": "départ", "PartnerRejoined": "retour",
             "MemberDetailsSet": "fiche modifiée"}


@dataclass(frozen=True)
class Asked:
    """What the page was asked: the register's day, and as of when (None: as it stands)."""

    day: date
    recorded_on: date | None
    position: int | None

    @property
    def as_of(self) -> str | None:
        """For api.reads.reading: a position, or the end of the day asked (Paris time)."""
        if self.position is not None:
            return str(self.position)
        if self.recorded_on is not None:
            return datetime.combine(self.recorded_on + timedelta(days=1), time(0), LOCAL_TZ).isoformat()
        return None

    def query(self) -> str:
        sent = {"jour": self.day.isoformat(), "position": self.position,
                "enregistre_le": self.recorded_on.isoformat() if self.recorded_on else None}
        return urlencode({k: v for k, v in sent.items() if v is not None})


def _day(field: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return check_day(date.fromisoformat(value.strip()))
    except ValueError:
        raise Refused(field, f"« {LABELS[field]} » : ce n'est pas une date du calendrier (écrivez-la AAAA-MM-JJ, "
                             f"par exemple 2026-04-30).") from None


def parse_asked(jour: str | None, enregistre_le: str | None, position: str | None) -> Asked:
    """The page's query, checked; a refusal names its field in French."""
    day = _day("jour", jour) or today()
    recorded_on = _day("enregistre_le", enregistre_le)
    if recorded_on is not None and recorded_on >= today():
        recorded_on = None  # recorded by the end of today, or later: as it stands
    at = None
    if position:
        if not position.strip().isdigit() or len(position.strip()) > 18:
            raise Refused("position", "« Position du journal » : un nombre entier, par exemple 4812.")
        if recorded_on is not None:
            raise Refused("position", "« Position du journal » : choisissez une date d'enregistrement ou une "
                                      "position, pas les deux.")
        at = int(position)
    return Asked(day, recorded_on, at)


def _worded_changes(changes: list[RegisterChange]) -> list[tuple[RegisterChange, str]]:
    """Each change with its nature in words: a member's first file is its entry in the register."""
    seen: set[str] = set()
    worded = []
    for change in changes:
        nature = NATURE_FR.get(change.event_type, change.event_type)
        if change.event_type == "MemberDetailsSet" and change.partner_id not in seen:
            nature = "fiche créée"
        if change.event_type == "MemberDetailsSet":
            seen.add(change.partner_id)
        worded.append((change, nature))
    return worded


def read_register(request: Request, asked: Asked, after_position: int | None = None) -> dict:
    try:
        with reading(request.app.state.services, after=after_position, as_of=asked.as_of) as read:
            members = register_reads.register_on(read.conn, asked.day, read.position)
            changes = register_changes(read.conn, read.position)
            notifications = register_reads.register_notifications_at(read.conn, read.position)
            profile = billing_reads.group_profile_at(read.conn, read.position)
            files = billing_reads.member_details_at(read.conn, read.position)
            position = read.position
    except DomainError:
        # The only refusal of a read: a position past the log's end.
        raise Refused("position", f"« Position du journal » : le journal s'arrête à la position "
                                  f"{log_end(request.app.state.services)}.") from None
    return {"members": members, "changes": _worded_changes(changes), "notifications": notifications,
            "profile": profile, "position": position, "legal_names": {f["partner_id"]: f["legal_name"] for f in files},
            "pending": [c for c in changes if c.notified_on is None]}


def _page(request: Request, who, asked: Asked | None, *, after_position: int | None = None, status: int = 200,
          error: Refused | None = None, sent: dict[str, str] | None = None,
          query: dict[str, str] | None = None) -> HTMLResponse:
    shown = asked or Asked(today(), None, None)
    read = read_register(request, shown, after_position)
    return page(request, "ge_register.html", status=status, title="Registre des adhérents", asked=shown,
                query=query or {"jour": shown.day.isoformat()}, today=today(),
                can_notify=who.role == "coordinator", sent=sent or {"notified_on": today().isoformat()},
                error=error.message if error else None, field=error.field if error else None,
                pdf=f"{PAGE}/registre.pdf?{shown.query()}", siren_fr=siren_fr, **read)


@router.get(PAGE, response_class=HTMLResponse)
def register(request: Request, who: AuditorDep, jour: str | None = None, enregistre_le: str | None = None,
             position: str | None = None, apres: int | None = None) -> HTMLResponse:
    require_role(who, *AUDITORS)
    query = {"jour": jour or "", "enregistre_le": enregistre_le or "", "position": position or ""}
    try:
        asked = parse_asked(jour, enregistre_le, position)
        return _page(request, who, asked, after_position=apres, query=query)
    except Refused as error:
        return _page(request, who, None, status=422, error=error, query=query)


@router.post(f"{PAGE}/notifications", response_class=HTMLResponse)
def notify(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = {name: text(form, name) for name in ("up_to_position", "notified_on", "reference")}
    up_to = sent["up_to_position"]
    try:
        cmd = build(lambda: NotifyRegisterChanges(
            up_to_position=int(up_to) if up_to.isdigit() and len(up_to) < 19 else up_to,
            notified_on=sent["notified_on"], reference=sent["reference"]))
        outcome = execute_ge(request, who, cmd)
    except Refused as error:
        return _page(request, who, None, status=422, error=error, sent=sent)
    return redirect(request, after(PAGE, outcome),
                    message=f"Notification enregistrée : les changements du registre jusqu'à la position "
                            f"{cmd.up_to_position}, envoyés le {date_fr(cmd.notified_on)} (référence {cmd.reference}).")


@router.get(f"{PAGE}/registre.pdf")
def register_document(request: Request, who: AuditorDep, jour: str | None = None, enregistre_le: str | None = None,
                      position: str | None = None) -> Response:
    require_role(who, *AUDITORS)
    try:
        asked = parse_asked(jour, enregistre_le, position)
        read = read_register(request, asked)
    except Refused as error:
        raise PageError(422, error.message) from None
    return Response(register_pdf(asked, read), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="registre-des-adherents-{asked.day.isoformat()}.pdf"'})
