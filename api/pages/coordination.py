"""The coordinator's dashboard: the months, open and closed; for the month to close, what to
check first; and closing it, after a confirmation that shows what will be sealed."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.french import euros, month_fr
from api.pages.coordination_forms import text
from api.pages.coordination_keys import key_text, unit_fr
from api.pages.messages import french
from api.pages.render import page, redirect
from api.pages.session import CoordinatorDep, FormDep, PageError
from api.reads import Reading, reading
from application.close_month import close_month
from domain.errors import DomainError
from domain.periods import LAST_MONTH, Month, next_month
from projections import read_model

router = APIRouter(tags=["pages"], include_in_schema=False)
MonthPath = Annotated[Month, Path(description="The month to close, YYYY-MM")]


def month_to_close(months: list[dict[str, Any]]) -> str | None:
    """The first open month: the one after the last closed (months close in order), or the
    first month with anything recorded when none is closed yet."""
    closed = [m["month"] for m in months if m["position"] is not None]
    if closed:
        return next_month(closed[-1])
    return months[0]["month"] if months else None


def month_choices(months: list[dict[str, Any]], ahead: int = 12) -> list[str]:
    """The months a form offers, latest first: from the first month with anything recorded
    to `ahead` months after the last one (or the month to close)."""
    known = [m["month"] for m in months] + [m for m in (month_to_close(months),) if m]
    if not known:
        return []
    month, last = min(known), max(known)
    for _ in range(ahead):
        if last == LAST_MONTH:
            break
        last = next_month(last)
    choices = [month]
    while month < last:
        month = next_month(month)
        choices.append(month)
    return choices[::-1]


def checklist(read: Reading, month: str) -> dict[str, Any]:
    """What to look at before closing `month`, each a list (empty: nothing to see)."""
    conn = read.conn
    tariffs = []
    for row in read_model.tariff_recoveries(conn, month):
        tariffs.append({**row, "tariff": key_text(row["key"], row["unit"], {}, short=True) if row["key"] else "",
                        "units_fr": unit_fr(row["unit"])[1], "over": row["recovery_cents"] < 0})
    return {
        "without_cost": read_model.resources_without_cost(conn, month),
        "unallocated": read_model.unallocated_pools(conn, month),
        "tariffs": tariffs,
        "disputes": read_model.open_disputes_named(conn),
        "outside": read_model.usage_outside_membership(conn, month),
    }


@router.get("/coordination", response_class=HTMLResponse)
def dashboard(request: Request, _: CoordinatorDep, apres: int | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=apres) as read:
        months = read_model.coordination_months(read.conn)
        to_close = month_to_close(months)
        checks = checklist(read, to_close) if to_close else None
        position = read.position
    return page(request, "coordination_dashboard.html", title="Tableau de bord", months=months,
                to_close=to_close, checks=checks, position=position)


def _digest(totals: list[dict[str, Any]]) -> str:
    """A fingerprint of the figures shown on the confirmation: closing refuses if they moved."""
    text_ = "\n".join(f"{t['partner_id']}:{t['total_cents']}:{t['line_count']}" for t in totals)
    return hashlib.sha256(text_.encode()).hexdigest()


def _confirmation(request: Request, month: str, *, after: int | None = None, status: int = 200,
                  error: str | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=after) as read:
        months = read_model.coordination_months(read.conn)
        to_close = month_to_close(months)
        if any(m["month"] == month and m["position"] is not None for m in months):
            raise PageError(409, f"{month_fr(month).capitalize()} est déjà clos.")
        if month != to_close:
            raise PageError(409, f"Les mois se closent dans l'ordre : le prochain mois à clore est "
                                 f"{month_fr(to_close) if to_close else 'le premier mois saisi'}, "
                                 f"pas {month_fr(month)}.")
        totals = read_model.month_partner_totals(read.conn, month)
        checks = checklist(read, month)
        position = read.position
    return page(request, "coordination_close.html", status=status, title=f"Clore {month_fr(month)}",
                month=month, totals=totals, total=sum(t["total_cents"] for t in totals), checks=checks,
                position=position, digest=_digest(totals), error=error)


@router.get("/coordination/cloture/{month}", response_class=HTMLResponse)
def confirm_close(request: Request, _: CoordinatorDep, month: MonthPath) -> HTMLResponse:
    return _confirmation(request, month)


@router.post("/coordination/cloture/{month}", response_class=HTMLResponse)
def close(request: Request, who: CoordinatorDep, form: FormDep, month: MonthPath) -> Response:
    services = request.app.state.services
    # The figures shown may have moved since (a cost recorded meanwhile): show them again.
    services.follower.catch_up()
    with reading(services) as read:
        totals = read_model.month_partner_totals(read.conn, month)
        closed = {m["month"] for m in read_model.closed_months(read.conn)}
    if month in closed:
        return redirect(request, "/coordination", message=f"{month_fr(month).capitalize()} est déjà clos.")
    if text(form, "empreinte") != _digest(totals):
        return _confirmation(request, month, status=409,
                             error="Les chiffres du mois ont changé depuis l'affichage de cette page : "
                                   "rien n'a été clos. Vérifiez-les ci-dessous, puis confirmez de nouveau.")
    try:
        outcome = close_month(services.ledger, services.follower, month, actor=who)
    except DomainError as error:
        raise PageError(409, french(error)[1]) from None
    count = len(totals)
    return redirect(request, f"/coordination?apres={outcome.position}",
                    message=f"{month_fr(month).capitalize()} est clos : {count} relevé{'s' if count > 1 else ''} "
                            f"numéroté{'s' if count > 1 else ''} et scellé{'s' if count > 1 else ''}, "
                            f"pour un total de {euros(sum(t['total_cents'] for t in totals))}.")
