"""The auditor's closed months (/controle/mois) and one closed month as issued and as it
stands now (/controle/mois/{month}): only the lines that moved after the close, each with the
events that moved it and where the difference is booked, and the month's seal.

The lines come from the same read as `GET /periods/{month}/issued-vs-now`
(projections.closing.issued_vs_now). A credit granted on a dispute of the month is booked
into the first open month, so it is not one of the month's lines: it is shown here too, as
what it is, a credit on one of this month's lines granted after the close.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.french import euros, month_fr
from api.pages.audit import names_for
from api.pages.event_words import LINE_KINDS_FR, EventView, Names, actor_fr, event_views
from api.pages.render import page
from api.pages.session import AuditorDep, PageError
from api.reads import reading
from application.permissions import AUDITORS, require_role
from domain.periods import check_month
from projections import closing, read_model
from projections.verify import Anchor

router = APIRouter(tags=["pages"], include_in_schema=False)


@dataclass
class MovedLine:
    partner_id: str | None
    partner: str
    resource_id: str
    resource: str
    line: str
    issued_cents: int | None
    now_cents: int | None
    difference_cents: int
    booked: list[str] = field(default_factory=list)   # where the difference went, in words
    events: list[EventView] = field(default_factory=list)


def _line_words(line_kind: str, part: int | None, origin_month: str | None, dispute_id: str | None) -> str:
    words = LINE_KINDS_FR.get(line_kind, line_kind)
    if part is not None:
        words += f", partie {part + 1}"
    if origin_month:
        words += f" (de {month_fr(origin_month)})"
    if dispute_id:
        words += f" (contestation {dispute_id})"
    return words


def _booked(adjustments: list[dict]) -> list[str]:
    """Where a line's difference went: the statement of each month it was booked into (with
    each part's amount when it went into several)."""
    if len(adjustments) == 1:
        return [f"relevé de {month_fr(adjustments[0]['booked_month'])} (ajustement)"]
    return [f"relevé de {month_fr(a['booked_month'])} (ajustement de {euros(a['amount_cents'])})"
            for a in adjustments]


@router.get("/controle/mois", response_class=HTMLResponse)
def closed_months(request: Request, who: AuditorDep) -> HTMLResponse:
    require_role(who, *AUDITORS)
    with reading(request.app.state.services) as read:
        months = read_model.closed_months_changes(read.conn)
        partners = read_model.partner_names(read.conn)
    names = Names(partners, {}, {})
    for month in months:
        month["who"] = actor_fr(month["actor"], names)
    return page(request, "audit_months.html", title="Mois clos", months=months)


def moved_lines(read, month: str, seal: dict) -> tuple[list[MovedLine], list[EventView]]:
    """The month's lines that moved after its seal, with their events; and every event after
    the seal that moved one of them, in log order."""
    rows = closing.issued_vs_now(read.conn, month, read.position) or []
    credits = read_model.late_credits(read.conn, month, seal["as_of_position"])
    booked = read_model.adjustments_from(read.conn, month)
    partners = read_model.partner_names(read.conn)
    resources = read_model.resource_choices(read.conn)
    moved = [r for r in rows if r["difference_cents"]]
    positions = {p for r in moved for p in r["caused_by"]} | {p for c in credits for p in c["dispute_events"]}
    event_rows = read_model.events_at(read.conn, sorted(positions))
    names = names_for(read, event_rows, partners, resources)
    events = {e.position: e for e in event_views(event_rows, names)}
    where: dict[tuple, list[dict]] = {}
    for b in booked:
        where.setdefault((b["partner_id"], b["resource_id"], b["line_kind"], b["part"]), []).append(b)
    lines = [MovedLine(r["partner_id"], names.partner(r["partner_id"]) if r["partner_id"] else "Non réparti",
                       r["resource_id"], names.resource(r["resource_id"]),
                       _line_words(r["line_kind"], r["part"], r["origin_month"], r["dispute_id"]),
                       r["issued_cents"], r["now_cents"], r["difference_cents"],
                       _booked(where.get((r["partner_id"], r["resource_id"], r["line_kind"], r["part"]), [])),
                       [events[p] for p in r["caused_by"] if p in events])
             for r in moved]
    for c in credits:
        number = c["dispute_id"].rsplit(":d", 1)[-1]
        lines.append(MovedLine(
            c["partner_id"], names.partner(c["partner_id"]), c["resource_id"], names.resource(c["resource_id"]),
            f"avoir sur contestation (n° {number}, ligne « {LINE_KINDS_FR.get(c['line_kind'], c['line_kind'])} »)",
            None, -c["amount_cents"], -c["amount_cents"],
            [f"relevé de {month_fr(c['credited_month'])} (avoir)"],
            [events[p] for p in c["dispute_events"] if p in events]))
    lines.sort(key=lambda line: (line.partner, line.resource, line.line))
    return lines, [events[p] for p in sorted(events)]


@router.get("/controle/mois/{month}", response_class=HTMLResponse)
def month_diff(request: Request, who: AuditorDep, month: str) -> HTMLResponse:
    require_role(who, *AUDITORS)
    try:
        check_month(month)
    except ValueError:
        raise PageError(404, "« Mois » : ce n'est pas un mois (AAAA-MM, par exemple 2026-03).") from None
    with reading(request.app.state.services) as read:
        seal = read_model.month_seal(read.conn, month)
        if seal is None:
            raise PageError(404, f"{month_fr(month).capitalize()} n'est pas clos : il n'y a pas de relevé émis "
                                 "à comparer.")
        lines, events = moved_lines(read, month, seal)
        partners = read_model.partner_names(read.conn)
    seal["who"] = actor_fr(seal["actor"], Names(partners, {}, {}))
    anchor = Anchor(seal["as_of_position"], seal["chain_hash"])
    return page(request, "audit_month.html", title=f"{month_fr(month).capitalize()} : tel qu'émis, tel qu'aujourd'hui",
                month=month, seal=seal, anchor=str(anchor), lines=lines, events=events, position=read.position,
                total=sum(line.difference_cents for line in lines))
