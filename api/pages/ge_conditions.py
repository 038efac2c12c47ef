"""The coordinator's "Conditions de facturation" (/coordination/ge/conditions): the GE's
profile, its members' files, the employees' contracts version by version, the rate card in
words, each with its form, and a month's provisional rates — each employee's hours for each
member at pay × coefficient or a flat fee (application/billing_rates.py), with what is
missing where a rate cannot be set."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import de_fr, decimal_fr, month_fr
from api.pages.coordination_forms import Refused, after
from api.pages.ge_hub import GeState, chosen_month, ge_state
from api.pages.ge_terms_forms import (CONTRACT_KINDS, VAT_FR, WORKING_TIME_FR, card_command, card_words,
                                      coefficient_fr, contract_command, execute_ge, member_command, profile_command,
                                      siren_fr)
from api.pages.render import page, redirect
from api.pages.session import CoordinatorDep, FormDep
from api.reads import reading
from application.billing_rates import rated_hours
from projections import billing_reads, read_model

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE = "/coordination/ge/conditions"
MISSING_FR = {"no_contract": "contrat manquant", "no_rate_card": "grille manquante"}


def _kinds(state: GeState, contracts: list[dict[str, Any]]) -> dict[str, str]:
    """The usual kinds, and any other a contract or a card already names."""
    kinds = dict(CONTRACT_KINDS)
    others = {c["contract_kind"] for c in contracts} | set(state.card.kind_coefficients if state.card else ())
    kinds |= {k: k for k in sorted(others - kinds.keys())}
    return kinds


def _profile_sent(profile: dict[str, Any] | None) -> dict[str, str]:
    if profile is None:
        return {"vat_regime": "exempt_261b", "payment_days": "30"}
    return {"legal_name": profile["legal_name"], "address": profile["address"], "siren": profile["siren"],
            "vat_regime": profile["vat_regime"], "vat_rate": _vat_percent(profile),
            "payment_days": str(profile["payment_days"]),
            "late_penalty_rate": coefficient_fr(Decimal(profile["late_penalty_rate"]))}


def _vat_percent(profile: dict[str, Any] | None) -> str:
    """2000 basis points -> '20'; 550 -> '5,5'."""
    rate = profile["vat_rate_bp"] if profile else None
    return coefficient_fr(Decimal(rate) / 100) if rate else ""


def _member_sent(state: GeState, partner_id: str) -> dict[str, str]:
    found = state.files.get(partner_id)
    if found is None:
        return {"partner_id": partner_id, "legal_name": state.partners.get(partner_id, ""), "professional": "1"}
    return {"partner_id": partner_id, "legal_name": found["legal_name"], "head_office": found["address"],
            "establishments": "\n".join(found["establishments"] or ()), "activity": found["activity"] or "",
            "headcount": "" if found["headcount"] is None else str(found["headcount"]),
            "siren": found["siren"] or "", "professional": "1" if found["professional"] else "",
            "local_authority": "1" if found["local_authority"] else ""}


def _contract_sent(contracts: list[dict[str, Any]], employee_id: str, month: str) -> dict[str, str]:
    versions = [c for c in contracts if c["employee_id"] == employee_id]
    if not versions:
        return {"employee_id": employee_id, "applies_from": month, "contract_kind": "cdi", "working_time": "full_time",
                "weekly_hours": "35"}
    last = versions[-1]
    return {"employee_id": employee_id, "applies_from": month, "contract_kind": last["contract_kind"],
            "working_time": last["working_time"], "weekly_hours": coefficient_fr(Decimal(last["weekly_hours"])),
            "hourly_pay": decimal_fr(Decimal(last["hourly_pay_cents"]) / 100, places=2, group=False),
            "job_title": last["job_title"]}


def _card_sent(state: GeState, month: str) -> dict[str, str]:
    card = state.card
    if card is None:
        return {"applies_from": month}
    sent = {"applies_from": month, "default_coefficient": coefficient_fr(card.default_coefficient)}
    sent |= {f"kind-{k}": coefficient_fr(v) for k, v in card.kind_coefficients.items()}
    sent |= {f"coef-{p}": coefficient_fr(v) for p, v in card.member_coefficients.items()}
    sent |= {f"fee-{p}": decimal_fr(Decimal(v) / 100, places=2, group=False)
             for p, v in card.member_flat_fees_cents.items()}
    return sent


def _page(request: Request, *, month: str, member: str = "", employee: str = "", after_position: int | None = None,
          status: int = 200, form: str = "", sent: dict[str, str] | None = None,
          error: Refused | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=after_position) as read:
        state = ge_state(read, month)
        contracts = billing_reads.contract_terms_at(read.conn, read.position)
        cards = billing_reads.rate_cards_at(read.conn, read.position)
        rates = rated_hours(read.conn, month, read.position)
    kinds = _kinds(state, contracts)
    member = member or next(iter(state.without_file), "") or next(iter(state.partners), "")
    employee = employee or next(iter(state.without_contract), "") or next(iter(state.employees), "")
    forms = {"profile": _profile_sent(state.profile), "member": _member_sent(state, member),
             "contract": _contract_sent(contracts, employee, month), "card": _card_sent(state, month)}
    if form and sent is not None:
        forms[form] = sent
    names = {c["employee_id"]: c["employee_name"] or c["employee_id"] for c in contracts} | state.employees
    return page(request, "ge_conditions.html", status=status, title="Conditions de facturation", state=state,
                month=month, contracts=contracts, card_versions=len(cards), kinds=kinds, forms=forms,
                card_text=card_words(state.card, state.partners, kinds) if state.card else None,
                rates=rates, employee_names=names, p_vat_percent=_vat_percent(state.profile), missing_fr=MISSING_FR,
                vat_fr=VAT_FR, working_time_fr=WORKING_TIME_FR, coefficient_fr=coefficient_fr, siren_fr=siren_fr,
                form=form,
                error=error.message if error else None, field=error.field if error else None)


@router.get(PAGE, response_class=HTMLResponse)
def conditions(request: Request, _: CoordinatorDep, mois: str | None = None, adherent: str = "", salarie: str = "",
               apres: int | None = None) -> HTMLResponse:
    return _page(request, month=chosen_month(mois), member=adherent, employee=salarie, after_position=apres)


def _post(request: Request, who, form_data, which: str, read_form: Callable, message: Callable[[Any], str],
          anchor: str, **context: str) -> Response:
    month = chosen_month(str(form_data.get("mois", "")))
    try:
        sent, cmd = read_form(form_data)
    except Refused as error:
        sent = {name: str(value).strip() for name, value in form_data.items() if name != "csrf"}
        return _page(request, month=month, status=422, form=which, sent=sent, error=error, **context)
    try:
        outcome = execute_ge(request, who, cmd)
    except Refused as error:
        return _page(request, month=month, status=422, form=which, sent=sent, error=error, **context)
    return redirect(request, after(f"{PAGE}?mois={month}", outcome) + f"#{anchor}", message=message(cmd))


@router.post("/coordination/ge/profil", response_class=HTMLResponse)
def set_profile(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    return _post(request, who, form, "profile", profile_command,
                 lambda cmd: f"Le profil du groupement est enregistré : {cmd.legal_name}, {VAT_FR[cmd.vat_regime]}.",
                 "profil")


@router.post("/coordination/ge/adherents", response_class=HTMLResponse)
def set_member(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    return _post(request, who, form, "member", member_command,
                 lambda cmd: f"La fiche d'adhérent {de_fr(cmd.legal_name)} est enregistrée.", "fiches",
                 member=str(form.get("partner_id", "")))


@router.post("/coordination/ge/contrats", response_class=HTMLResponse)
def set_contract(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    with reading(request.app.state.services) as read:
        names = read_model.resource_choices(read.conn)
    return _post(request, who, form, "contract", contract_command,
                 lambda cmd: f"Le contrat {de_fr(names.get(cmd.employee_id, cmd.employee_id))} est enregistré ; "
                             f"il s'applique à partir de {month_fr(cmd.applies_from)}.", "contrats",
                 employee=str(form.get("employee_id", "")))


@router.post("/coordination/ge/grille", response_class=HTMLResponse)
def set_card(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    with reading(request.app.state.services) as read:
        state = ge_state(read, chosen_month(str(form.get("mois", ""))))
        kinds = _kinds(state, billing_reads.contract_terms_at(read.conn, read.position))
    return _post(request, who, form, "card", lambda data: card_command(data, state.partners, kinds),
                 lambda cmd: f"La grille de coefficients est enregistrée ; elle s'applique à partir de "
                             f"{month_fr(cmd.applies_from)}.", "grille")
