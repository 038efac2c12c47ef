"""The coordinator's "Groupement d'employeurs" (/coordination/ge): the GE's sub-pages, and for
the month, what the GE has set and what is missing before it can bill — its profile (the
issuer of its invoices), a file for each partner its staff worked for, contract terms for
each employee, a rate card — each with a link to the form that fixes it, the register's
changes overdue to notify (C. trav. D1253-3), the debts to employees and social bodies past
their due day (L1253-8) and the employees above the local authorities' cap this year
(L1253-20)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.pages.ge_terms_forms import siren_fr
from api.pages.render import page
from api.pages.session import CoordinatorDep
from api.reads import Reading, reading
from application.billing_rates import LocalAuthorityShare, card_in_force, local_authority_shares, terms_in_force
from application.member_register import register_changes
from domain.billing import RateCard
from domain.local_authority_cap import LocalAuthorityCap
from domain.periods import check_month, local_day
from projections import billing_reads, read_model

router = APIRouter(tags=["pages"], include_in_schema=False)

# The GE's pages, in the hub's order: (title, path, what it is for). The lead adds here the
# other helpers' pages ("Feuilles d'heures", "Factures") when their branches are merged.
GE_PAGES: list[tuple[str, str, str]] = [
    ("Conditions de facturation", "/coordination/ge/conditions",
     "le profil du groupement, les fiches des adhérents, les contrats, la grille de coefficients et les taux "
     "provisoires du mois"),
    ("Registre des adhérents", "/coordination/ge/registre",
     "la liste des adhérents à une date (C. trav. D1253-1), ses changements et leur notification à l'inspection "
     "du travail"),
    ("Feuilles d'heures", "/coordination/feuilles-heures",
     "les feuilles d'heures du mois, salarié par adhérent : à soumettre, soumises, signées ou contestées"),
    ("Factures", "/coordination/factures",
     "les factures du mois par adhérent (brouillons, émission, avoirs) et le registre des factures"),
    ("Paiements et impayés", "/coordination/ge/paiements",
     "les factures restant à payer et leur retard à une date, par adhérent, et les paiements reçus"),
    ("Dettes et solidarité", "/coordination/ge/solidarite",
     "les dettes envers les salariés et les organismes sociaux, et la part de chaque adhérent, solidairement "
     "responsable (C. trav. L1253-8)"),
    ("Temps pour les collectivités", "/coordination/ge/collectivites",
     "le temps de chaque salarié pour les collectivités adhérentes, au plus les trois quarts de son temps "
     "contractuel de l'année (C. trav. L1253-20)"),
    ("Cotisations et dépôts", "/coordination/ge/cotisations",
     "la cotisation de chaque adhérent par année, et le dépôt qu'il laisse au groupement, restitué après son "
     "départ"),
    ("Régularisation de l'année", "/coordination/ge/regularisation",
     "les coûts réels de l'année contre ce qui a été facturé au taux provisoire, et l'avoir ou la facture "
     "complémentaire de chaque adhérent, pour un résultat nul (CGI art. 261 B)"),
]


def today() -> date:
    return local_day(datetime.now().astimezone())


def this_month() -> str:
    return today().isoformat()[:7]


def chosen_month(sent: str | None) -> str:
    """The month asked for (YYYY-MM), or this month when none or a malformed one is given."""
    if sent:
        try:
            return check_month(sent)
        except ValueError:
            pass
    return this_month()


@dataclass(frozen=True)
class GeState:
    """What the GE has set for a month, as of a position."""

    month: str
    profile: dict[str, Any] | None
    files: dict[str, dict[str, Any]]          # member files by partner id
    employees: dict[str, str]                 # staff resources in service in the month: id → name
    contracts: dict[str, Any]                 # employee id → ContractTerms in force in the month
    card: RateCard | None
    partners: dict[str, str]                  # every partner's name by id
    staffed: list[str]                        # partners the staff worked for in the month

    @property
    def without_file(self) -> list[str]:
        return [p for p in self.staffed if p not in self.files]

    @property
    def without_contract(self) -> list[str]:
        return [e for e in self.employees if e not in self.contracts]


def ge_state(read: Reading, month: str) -> GeState:
    at = read.position
    first_day = date.fromisoformat(f"{month}-01")
    employees = {r["resource_id"]: r["name"] for r in read_model.resource_directory(read.conn)
                 if r["kind"] == "staff" and (r["retired_on"] is None or r["retired_on"] >= first_day)}
    hours = billing_reads.staff_hours_of_month_at(read.conn, month, at)
    return GeState(
        month=month,
        profile=billing_reads.group_profile_at(read.conn, at),
        files={f["partner_id"]: f for f in billing_reads.member_details_at(read.conn, at)},
        employees=dict(sorted(employees.items(), key=lambda item: item[1].casefold())),
        contracts=terms_in_force(billing_reads.contract_terms_at(read.conn, at), month),
        card=card_in_force(billing_reads.rate_cards_at(read.conn, at), month),
        partners=read_model.partner_names(read.conn),
        staffed=sorted({h["partner_id"] for h in hours}),
    )


def overdue_changes(read: Reading) -> list:
    """The register's changes whose month to notify has passed without a notification."""
    day = today()
    return [c for c in register_changes(read.conn, read.position) if c.overdue(day)]


def overdue_debts(read: Reading) -> list[dict[str, Any]]:
    """The debts to employees and social bodies whose due day has passed, not settled."""
    day = today()
    return [d for d in billing_reads.outstanding_debts_at(read.conn, read.position) if d["due_on"] < day]


def settings_cap(request: Request) -> LocalAuthorityCap:
    """The local authorities' cap of the settings (C. trav. L1253-20)."""
    settings = request.app.state.services.settings
    return LocalAuthorityCap(settings.local_authority_share, settings.local_authority_cap_refuses)


def over_cap(request: Request, read: Reading, year: int) -> list[LocalAuthorityShare]:
    """The employees above the local authorities' cap of the year."""
    return [s for s in local_authority_shares(read.conn, year, read.position, settings_cap(request)) if s.over]


@router.get("/coordination/ge", response_class=HTMLResponse)
def hub(request: Request, _: CoordinatorDep, mois: str | None = None, apres: int | None = None) -> HTMLResponse:
    month = chosen_month(mois)
    with reading(request.app.state.services, after=apres) as read:
        state = ge_state(read, month)
        overdue = overdue_changes(read)
        debts = overdue_debts(read)
        over = over_cap(request, read, today().year)
    return page(request, "ge_hub.html", title="Groupement d'employeurs", state=state, overdue=overdue,
                overdue_debts=debts, over_cap=over, year=today().year, ge_pages=GE_PAGES, month=month,
                siren_fr=siren_fr)
