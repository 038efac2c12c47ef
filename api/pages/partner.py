"""The partner's pages: "Mes relevés" (its months, and a chart of its charges by resource
over the last twelve months, with the same figures in a table).

A partner sees its own pages only; the coordination and the auditors open a partner's
pages with `?partenaire=<id>` (the same pages, as the partner sees them). A partner naming
another partner gets a 403 page, never the other partner's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.french import euros, month_short_fr
from api.pages.charts import colored, stacked_bars
from api.pages.render import page
from api.pages.session import PageError, PersonDep
from api.pages.statement_view import KIND_ORDER, name_key
from api.reads import MAX_POSITION, Reading, known_partner_name, reading
from application.people import SignedIn
from application.permissions import require_reader
from domain.ids import Slug
from projections import read_model

router = APIRouter(tags=["pages"], include_in_schema=False)

PartnerQuery = Annotated[Slug | None, Query(description="the partner, for the coordination and the auditors")]
Apres = Annotated[int | None, Query(ge=0, le=MAX_POSITION)]
CHART_MONTHS = 12


@dataclass(frozen=True)
class Scope:
    """Whose pages these are, and how their links keep saying so."""

    partner_id: str
    own: bool  # the partner's own person (else the coordination or an auditor)

    def link(self, path: str, **params: object) -> str:
        query = {k: v for k, v in params.items() if v is not None}
        if not self.own:
            query["partenaire"] = self.partner_id
        return f"{path}?{urlencode(query)}" if query else path


def scope_of(who: SignedIn, partenaire: str | None) -> Scope:
    """A partner's person: their own partner (403 for another's); the coordination and
    auditors: the partner named (analysts: 403)."""
    if who.role == "partner":
        if partenaire and partenaire != who.partner_id:
            raise PageError(403, "Cette page est celle d'un autre partenaire : vous ne voyez que les relevés, "
                                 "les lignes et les contestations du vôtre.")
        return Scope(who.partner_id, own=True)
    require_reader(who)
    if not partenaire:
        raise PageError(400, "Indiquez le partenaire dont vous voulez voir les relevés "
                             "(par exemple ?partenaire=mission-locale).")
    return Scope(partenaire, own=False)


def charges_chart(read: Reading, partner_id: str, months: list[str]) -> dict:
    """The chart of the partner's charges by resource over `months`, and its table."""
    if not months:
        return {"svg": None, "rows": [], "months": [], "totals": []}
    rows = read_model.partner_charges_by_resource(read.conn, partner_id, months[0], months[-1])
    by_resource: dict[str, dict] = {}
    for row in rows:
        entry = by_resource.setdefault(row["resource_id"], {
            "resource_id": row["resource_id"], "name": row["resource_name"], "kind": row["resource_kind"],
            "values": {}})
        entry["values"][row["month"]] = entry["values"].get(row["month"], 0) + row["amount_cents"]
    resources = sorted(by_resource.values(), key=lambda r: (
        KIND_ORDER.index(r["kind"]) if r["kind"] in KIND_ORDER else len(KIND_ORDER), name_key(r["name"])))
    series = colored([(r["resource_id"], r["name"], tuple(r["values"].get(m, 0) for m in months))
                      for r in resources])
    labels = [(m, month_short_fr(m)) for m in months]
    totals = [sum(s.values[i] for s in series) for i in range(len(months))]
    first, last = labels[0][1], labels[-1][1]
    svg = stacked_bars(
        chart_id="charges", title="Vos charges par mois et par ressource",
        description=(f"Barres empilées, une par mois de {first} à {last} : chaque segment est la charge "
                     f"d'une ressource ; les montants sont dans le tableau qui suit."),
        categories=labels, series=series, value_text=euros,
        tick_text=lambda cents: f"{cents // 100:,}".replace(",", "\u202f") + "\u00a0€")
    table = [{"series": s, "values": list(s.values), "total": sum(s.values)} for s in series]
    return {"svg": svg, "rows": table, "months": labels, "totals": totals}


@router.get("/releves", response_class=HTMLResponse)
def statements(request: Request, who: PersonDep, partenaire: PartnerQuery = None, apres: Apres = None) -> HTMLResponse:
    scope = scope_of(who, partenaire)
    with reading(request.app.state.services, after=apres) as read:
        name = known_partner_name(read, scope.partner_id)
        months = read_model.partner_statement_months(read.conn, scope.partner_id)
        window = sorted(m["month"] for m in months if m["line_count"])[-CHART_MONTHS:]
        chart = charges_chart(read, scope.partner_id, window)
    return page(request, "partner_statements.html", title="Mes relevés" if scope.own else f"Relevés — {name}",
                scope=scope, partner_name=name, months=months, chart=chart)
