"""The auditor's timeline (/controle): every event of the log, newest first, filtered by
type, partner, resource, recording period and who recorded it — the same read as
`GET /audit` (read_model.audit_events), in French words and local time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.pages.event_words import EVENT_GROUPS, EVENT_TYPES_FR, Names, actor_fr, event_views, person_ids
from api.pages.render import page
from api.pages.session import AuditorDep
from api.reads import Reading, reading
from application.permissions import AUDITORS, require_role
from domain.periods import LOCAL_TZ, check_day, check_month, month_bounds
from projections import read_model

router = APIRouter(tags=["pages"], include_in_schema=False)

# Newest first: an auditor opens the journal to see what happened lately; the oldest page is
# a link away. 40 a page keeps the page light (and under DuckDB's late-materialisation limit).
PAGE_SIZE = 40
FIELDS = ("type", "partenaire", "ressource", "auteur", "mois", "du", "au")
LABELS = {"type": "Type d'événement", "partenaire": "Partenaire", "ressource": "Ressource",
          "auteur": "Enregistré par", "mois": "Mois d'enregistrement", "du": "Enregistré du", "au": "au",
          "avant": "Page"}


class FilterRefused(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Filters:
    event_type: str | None = None
    partner_id: str | None = None
    resource_id: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before: int | None = None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ)


def _day(sent: dict[str, str], field: str) -> date | None:
    if not sent.get(field):
        return None
    try:
        return check_day(date.fromisoformat(sent[field]))
    except ValueError:
        raise FilterRefused(field, f"« {LABELS[field]} » : ce n'est pas une date du calendrier "
                                   "(écrivez-la AAAA-MM-JJ, par exemple 2026-03-05).") from None


def parse_filters(sent: dict[str, str], *, partners: dict[str, str], resources: dict[str, str],
                  before: str | None) -> Filters:
    """The filters of the form, checked; a refusal names the field by its label."""
    kind = sent.get("type") or None
    if kind is not None and kind not in EVENT_TYPES_FR:
        raise FilterRefused("type", "« Type d'événement » : ce type d'événement n'existe pas.")
    partner = sent.get("partenaire") or None
    if partner is not None and partner not in partners:
        raise FilterRefused("partenaire", "« Partenaire » : ce partenaire n'existe pas.")
    resource = sent.get("ressource") or None
    if resource is not None and resource not in resources:
        raise FilterRefused("ressource", "« Ressource » : cette ressource n'existe pas.")
    actor = sent.get("auteur") or None
    if actor is not None and len(actor) > 300:
        raise FilterRefused("auteur", "« Enregistré par » : ce nom est trop long.")
    since = until = None
    if sent.get("mois"):
        if sent.get("du") or sent.get("au"):
            raise FilterRefused("mois", "« Mois d'enregistrement » : choisissez un mois ou des dates, pas les deux.")
        try:
            first, last = month_bounds(check_month(sent["mois"]))
        except ValueError:
            raise FilterRefused("mois", "« Mois d'enregistrement » : écrivez le mois AAAA-MM, par exemple "
                                        "2026-03.") from None
        since, until = _local_midnight(first), _local_midnight(last + timedelta(days=1))
    else:
        first, last = _day(sent, "du"), _day(sent, "au")
        if first and last and first > last:
            raise FilterRefused("au", "« au » : la date de fin précède la date de début.")
        since = _local_midnight(first) if first else None
        until = _local_midnight(last + timedelta(days=1)) if last else None
    position = None
    if before:
        if not before.isdigit() or len(before) > 18:
            raise FilterRefused("avant", "« Page » : ce lien de page n'est pas valable.")
        position = int(before)
    return Filters(kind, partner, resource, actor, since, until, position)


def names_for(read: Reading, rows: list[tuple], partners: dict[str, str], resources: dict[str, str]) -> Names:
    """The names the events' sentences need, each read by one query (the units only for a
    key's sentence: '0,04 € la page', as the statement says it)."""
    keyed = sorted({json.loads(row[6]).get("resource_id", "") for row in rows if row[2] == "AllocationKeySet"})
    units = {rid: d["unit"] for rid, d in read_model.resource_details(read.conn, keyed).items()} if keyed else {}
    return Names(partners, resources, read_model.person_names(read.conn, person_ids(rows)), units)


def _link(sent: dict[str, str], **extra: object) -> str:
    query = {k: v for k, v in sent.items() if v} | {k: v for k, v in extra.items() if v is not None}
    return "/controle" + (f"?{urlencode(query)}" if query else "")


@router.get("/controle", response_class=HTMLResponse)
def timeline(request: Request, who: AuditorDep, avant: str | None = None) -> HTMLResponse:
    require_role(who, *AUDITORS)
    sent = {field: str(request.query_params.get(field, "")).strip() for field in FIELDS}
    services = request.app.state.services
    with reading(services) as read:
        partners = read_model.partner_names(read.conn)
        resources = read_model.resource_choices(read.conn)
        actors = read_model.event_actors(read.conn, read.position)
        error = field = None
        rows: list[tuple] = []
        total = 0
        try:
            filters = parse_filters(sent, partners=partners, resources=resources, before=avant)
        except FilterRefused as refused:
            error, field, filters = refused.message, refused.field, None
        if filters is not None:
            rows, total = read_model.audit_page(
                read.conn, after=0, upto=read.position, aggregate_id=None, event_type=filters.event_type,
                actor=filters.actor, since=filters.since, until=filters.until, limit=PAGE_SIZE + 1,
                partner_id=filters.partner_id, resource_id=filters.resource_id, before=filters.before,
                newest_first=True)
        names = names_for(read, rows[:PAGE_SIZE], partners, resources)
    more = len(rows) > PAGE_SIZE
    events = event_views(rows[:PAGE_SIZE], names)
    names_of_actors = {actor: actor_fr(actor, names) for actor in actors}
    return page(
        request, "audit_timeline.html", status=422 if error else 200, title="Journal des événements",
        sent=sent, error=error, field=field, groups=EVENT_GROUPS, partners=partners, resources=resources,
        actors=names_of_actors, events=events, total=total, position=read.position,
        filtered=any(sent.values()), paged=bool(filters and filters.before),
        next_link=_link(sent, avant=events[-1].position) if more else None, first_link=_link(sent))
