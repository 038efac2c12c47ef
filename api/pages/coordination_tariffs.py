"""« Régularisation des tarifs » (/coordination/tarifs?annee=2026), for the coordinator and the
auditor: each resource billed at a unit price in some month of the year, its real costs of
those months, what the tariff charged, the difference, and the yearly statement of uses (état
annuel des recours, CGCT art. D5211-16): each partner's units × the unit price, its exact
share of the real costs, the floor, the remainder's cent, what an earlier settlement settled
and what settling now puts on its statement (application/tariff_settlement.py).

The coordinator settles what the page showed: the year read at the page's position (a hidden
field), on an open month from the year's December on. A figure moved since is refused
(`position`), and so is a settlement that changes nothing (`annee`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import decimal_fr, month_fr
from api.pages.coordination_forms import Refused, after, text
from api.pages.ge_hub import today
from api.pages.ge_regularisation import parse_year
from api.pages.render import page, redirect
from api.pages.session import AuditorDep, CoordinatorDep, FormDep
from api.pages.statement_view import price_fr, unit_fr
from api.pages.tariff_messages import refused_settlement
from api.reads import reading
from application.permissions import AUDITORS, require_role
from application.tariff_settlement import TariffYearRead, settle_tariff_year, tariff_year_read
from domain.errors import DomainError
from domain.periods import check_month, next_month
from projections import closing, read_model, settlement_reads

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE = "/coordination/tarifs"
MONTHS_OFFERED = 3


@dataclass(frozen=True)
class PartnerRow:
    """A partner's line of the yearly statement of uses."""

    partner_id: str
    name: str
    units: Decimal
    charged_cents: int
    exact_share: str       # in euros, to the millionth of a cent
    floor_cents: int
    leftover_cent: bool
    share_cents: int
    settled_cents: int
    amount_cents: int


@dataclass(frozen=True)
class PoolShown:
    resource_id: str
    name: str
    unit: str
    prices: list[str]                  # "0,04 € la page", one per unit price of the year
    read: TariffYearRead
    rows: list[PartnerRow]
    issued: list[dict[str, Any]]       # the year's settlements recorded, one row per partner

    @property
    def plural(self) -> str:
        return unit_fr(self.unit)[1]

    @property
    def recovery_cents(self) -> int:
        return self.read.costs_cents - self.read.charged_cents


def pool_shown(conn, resource: dict[str, Any], year: int, at: int, names: dict[str, str]) -> PoolShown:
    read = tariff_year_read(conn, resource["resource_id"], year, at)
    unit = read_model.resource_details(conn, [resource["resource_id"]]).get(resource["resource_id"], {}).get("unit", "")
    split = read.settlement.pool_splits.get(resource["resource_id"])
    rows = []
    for member in read.settlement.members:
        share = split.shares.get(member.partner_id) if split else None
        exact = Decimal(share.exact.numerator) / Decimal(share.exact.denominator) / 100 if share else Decimal(0)
        rows.append(PartnerRow(
            member.partner_id, names.get(member.partner_id, member.partner_id), member.units,
            read.charged.get(member.partner_id, 0), f"{decimal_fr(exact, max_places=8)}\u00a0€",
            share.floor_cents if share else 0, share.leftover_cent if share else False,
            share.cents if share else 0, read.settled.get(member.partner_id, 0), member.difference_cents))
    rows.sort(key=lambda r: r.name.casefold())
    each = unit_fr(unit)[2]
    prices = [f"{price_fr(Decimal(p))} {each}" for p in resource["unit_prices"] if p is not None]
    return PoolShown(resource["resource_id"], resource["name"], unit, prices, read, rows,
                     settlement_reads.settlements_of_year(conn, resource["resource_id"], year, at))


def month_options(conn, year: int) -> list[str]:
    """The open months a settlement of the year may go on: from its December (or the first open
    month, if later), a few of them."""
    closes = closing.closed_months(conn)
    first_open = next_month(closes[-1][0]) if closes else None
    start = max(first_open or f"{year:04d}-12", f"{year:04d}-12")
    months = [start]
    while len(months) < MONTHS_OFFERED:
        months.append(next_month(months[-1]))
    return months


def _page(request: Request, who, year: int, *, after_position: int | None = None, status: int = 200,
          error: Refused | None = None, resource_id: str | None = None,
          sent: dict[str, str] | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=after_position) as read:
        names = read_model.partner_names(read.conn)
        resources = settlement_reads.tariff_resources_of_year(read.conn, year, read.position)
        pools = [pool_shown(read.conn, r, year, read.position, names) for r in resources]
        months = month_options(read.conn, year)
        position = read.position
    return page(request, "coordination_tariffs.html", status=status, title=f"Régularisation des tarifs {year}",
                year=year, pools=pools, months=months, position=position, can_post=who.role == "coordinator",
                error=error.message if error else None, field=error.field if error else None,
                resource_id=resource_id, sent=sent or {}, month_fr=month_fr, names=names)


@router.get(PAGE, response_class=HTMLResponse)
def tariffs(request: Request, who: AuditorDep, annee: str | None = None, apres: int | None = None) -> HTMLResponse:
    require_role(who, *AUDITORS)
    try:
        year = parse_year(annee)
    except Refused as error:
        return _page(request, who, today().year, status=422, error=error, sent={"annee": annee or ""})
    return _page(request, who, year, after_position=apres)


def _position(value: str) -> int:
    """The hidden field the page wrote."""
    if not value.isdigit() or len(value) > 18:
        raise Refused("position", "La page envoyée est incomplète : rechargez-la, puis régularisez.")
    return int(value)


def _month(value: str) -> str:
    try:
        return check_month(value)
    except ValueError:
        raise Refused("mois", "« Mois de la régularisation » : choisissez un mois dans la liste.") from None


@router.post(PAGE, response_class=HTMLResponse)
def settle(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = {name: text(form, name) for name in ("annee", "ressource", "mois", "position")}
    try:
        year = parse_year(sent["annee"] or "-")
    except Refused as error:
        return _page(request, who, today().year, status=422, error=error, sent=sent)
    services = request.app.state.services
    try:
        month, position = _month(sent["mois"]), _position(sent["position"])
        outcome = settle_tariff_year(services.ledger, services.follower, sent["ressource"], year, month, position,
                                     actor=who)
    except (Refused, DomainError) as error:
        said = error if isinstance(error, Refused) else refused_settlement(error)
        # The figures as they stand now: a second press settles those.
        return _page(request, who, year, status=422, error=said, resource_id=sent["ressource"], sent=sent)
    with reading(services, after=outcome.position) as read:
        name = read_model.resource_names(read.conn, [sent["ressource"]]).get(sent["ressource"], sent["ressource"])
    return redirect(request, after(f"{PAGE}?annee={year}", outcome) + f"#tarif-{sent['ressource']}",
                    message=f"Régularisation du tarif {name} pour {year} portée aux relevés de {month_fr(month)}.")
