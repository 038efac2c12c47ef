"""The GE's « Cotisations et dépôts » (/coordination/ge/cotisations), for the coordinator and
the auditor: each member's fees by year and its deposit called, returned and held
(domain/member_funds.py), the returns with the reason for what was kept; the coordinator's
forms call a year's fee (for one member, or for every member of that year whose fee is not
called yet, in one batch), call a deposit (an amount, or months × the monthly billing
forecast, rounded half up to the cent by the command) and return a former member's deposit.
The rules are the domain's; this module reads the forms and says the refusals in French."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import date_fr, de_fr, decimal_fr, euros, parse_decimal_fr, parse_euros
from api.pages.coordination_forms import Refused, after, parsed, text
from api.pages.ge_hub import today
from api.pages.ge_messages import LABELS, refused_ge
from api.pages.ge_terms_forms import build
from api.pages.render import page, redirect
from api.pages.session import AuditorDep, CoordinatorDep, FormDep
from api.reads import reading
from application.member_funds import MemberFundsRead, funds_at
from application.outcome import BatchRefused, Outcome
from application.permissions import AUDITORS, require_role
from domain.commands import Command
from domain.errors import DomainError
from domain.member_funds import CallDeposit, CallMembershipFee, ReturnDeposit
from projections import billing_reads, read_model

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE = "/coordination/ge/cotisations"
EVERY_MEMBER = "*"
_ZERO = re.compile(r"0+([,.]0*)?€?")
FEE_RENAME = {"partner_id": "fee_partner", "amount_cents": "fee_amount"}
DEPOSIT_RENAME = {"partner_id": "deposit_partner", "amount_cents": "deposit_amount",
                  "monthly_forecast_cents": "monthly_forecast"}
RETURN_RENAME = {"partner_id": "return_partner", "amount_cents": "return_amount", "reason": "return_reason"}


@dataclass
class Member:
    """A member (a partner with a member file) and its fees and deposit."""

    partner_id: str
    name: str
    memberships: list[dict[str, Any]]
    status: str                                    # on today: member, joining or left
    funds: MemberFundsRead

    @property
    def last_day(self) -> date | None:
        return self.memberships[-1]["last_day"] if self.memberships else None

    def member_in(self, year: int) -> bool:
        return any(m["first_day"].year <= year and (m["last_day"] is None or m["last_day"].year >= year)
                   for m in self.memberships)


def read_members(read) -> list[Member]:
    """The members with a file, by name, with their fees and deposit as of the reading."""
    files = {f["partner_id"]: f["legal_name"] for f in billing_reads.member_details_at(read.conn, read.position)}
    directory = {p["partner_id"]: p for p in read_model.partner_directory(read.conn, today())}
    funds = funds_at(read.conn, read.position)
    members = [Member(p, name, list(directory[p]["memberships"]) if p in directory else [],
                      directory[p]["status"] if p in directory else "left", funds.get(p) or MemberFundsRead(p, name))
               for p, name in files.items()]
    return sorted(members, key=lambda m: m.name.casefold())


def _page(request: Request, who, *, after_position: int | None = None, status: int = 200, form: str = "",
          error: Refused | None = None, sent: dict[str, str] | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=after_position) as read:
        members = read_members(read)
        position = read.position
    year = today().year
    years = sorted({y for m in members for y in m.funds.fees} | {year})
    forms: dict[str, dict[str, str]] = {"fee": {"fee_partner": EVERY_MEMBER, "year": str(year)}, "deposit": {},
                                        "return": {"returned_on": today().isoformat()}}
    if form and sent is not None:
        forms[form] = sent
    return page(request, "ge_funds.html", status=status, title="Cotisations et dépôts", members=members,
                years=years, position=position, forms=forms, form=form, can_post=who.role == "coordinator",
                current=[m for m in members if m.status != "left"], former=[m for m in members if m.status == "left"],
                every_member=EVERY_MEMBER, error=error.message if error else None,
                field=error.field if error else None)


@router.get(PAGE, response_class=HTMLResponse)
def funds(request: Request, who: AuditorDep, apres: int | None = None) -> HTMLResponse:
    require_role(who, *AUDITORS)
    return _page(request, who, after_position=apres)


def _execute(request: Request, who, commands: Sequence[Command], rename: dict[str, str]) -> Outcome:
    """Record the commands in one batch (all or none); a refusal names the form's field."""
    services = request.app.state.services
    try:
        outcome = services.ledger.execute_batch(list(commands), actor=who)
    except DomainError as error:
        # A batch's refusal carries the command's own (BatchRefused.error).
        raise refused_ge(error.error if isinstance(error, BatchRefused) else error, rename=rename) from None
    services.follower.nudge()
    return outcome


def _names(request: Request, outcome: Outcome) -> dict[str, str]:
    """The members' names as their files give them (the table's), once the write is read."""
    with reading(request.app.state.services, after=outcome.position) as read:
        return {f["partner_id"]: f["legal_name"] for f in billing_reads.member_details_at(read.conn, read.position)}


def _year(value: str) -> int | str:
    return int(value) if value.isdigit() and len(value) < 6 else value


def fee_commands(request: Request, sent: dict[str, str]) -> tuple[list[CallMembershipFee], list[Member]]:
    """The fee of one member, or of every member of the year whose fee is not called yet (the
    members skipped are returned, to be named in the message)."""
    amount = parsed("fee_amount", lambda v: parse_euros(v, LABELS["fee_amount"]), sent["fee_amount"])
    year = _year(sent["year"])
    if sent["fee_partner"] != EVERY_MEMBER:
        return [build(lambda: CallMembershipFee(partner_id=sent["fee_partner"], year=year, amount_cents=amount),
                      rename=FEE_RENAME)], []
    # The year and the amount are the command's to check, before the members are chosen.
    build(lambda: CallMembershipFee(partner_id="x", year=year, amount_cents=amount), rename=FEE_RENAME)
    with reading(request.app.state.services) as read:
        members = [m for m in read_members(read) if m.member_in(int(year))]
    called = [m for m in members if int(year) in m.funds.fees]
    if not members:
        raise Refused("fee_partner", f"« Adhérent » : le groupement n'a aucun adhérent en {year}.")
    if len(called) == len(members):
        raise Refused("fee_partner", f"« Adhérent » : la cotisation {year} de chaque adhérent est déjà appelée ; "
                                     f"rien n'a été enregistré.")
    return [CallMembershipFee(partner_id=m.partner_id, year=int(year), amount_cents=amount)
            for m in members if m not in called], called


@router.post(f"{PAGE}/cotisations", response_class=HTMLResponse)
def call_fee(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = {name: text(form, name) for name in ("fee_partner", "year", "fee_amount")}
    try:
        commands, skipped = fee_commands(request, sent)
        outcome = _execute(request, who, commands, FEE_RENAME)
    except Refused as error:
        return _page(request, who, status=422, form="fee", error=error, sent=sent)
    names = _names(request, outcome)
    cmd = commands[0]
    message = (f"Cotisation {cmd.year} de {euros(cmd.amount_cents)} appelée pour "
               f"{', '.join(names.get(c.partner_id, c.partner_id) for c in commands)}")
    if skipped:
        message += f" (déjà appelée : {', '.join(m.name for m in skipped)})"
    return redirect(request, after(PAGE, outcome) + "#adherents", message=message + ".")


def deposit_command(sent: dict[str, str]) -> CallDeposit:
    amount = parsed("deposit_amount", lambda v: parse_euros(v, LABELS["deposit_amount"]),
                    sent["deposit_amount"]) if sent["deposit_amount"] else None
    months = parsed("months", lambda v: parse_decimal_fr(v, LABELS["months"], places=2, what="un nombre de mois",
                                                         example="2,5"), sent["months"]) if sent["months"] else None
    forecast = parsed("monthly_forecast", lambda v: parse_euros(v, LABELS["monthly_forecast"]),
                      sent["monthly_forecast"]) if sent["monthly_forecast"] else None
    return build(lambda: CallDeposit(partner_id=sent["deposit_partner"], amount_cents=amount, months=months,
                                     monthly_forecast_cents=forecast), rename=DEPOSIT_RENAME)


@router.post(f"{PAGE}/depots", response_class=HTMLResponse)
def call_deposit(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = {name: text(form, name) for name in ("deposit_partner", "deposit_amount", "months", "monthly_forecast")}
    try:
        cmd = deposit_command(sent)
        outcome = _execute(request, who, [cmd], DEPOSIT_RENAME)
    except Refused as error:
        return _page(request, who, status=422, form="deposit", error=error, sent=sent)
    name = _names(request, outcome).get(cmd.partner_id, cmd.partner_id)
    how = "" if cmd.months is None else (f" ({decimal_fr(cmd.months)} mois × {euros(cmd.monthly_forecast_cents)} de "
                                         f"facturation mensuelle prévue, arrondi au centime)")
    return redirect(request, after(PAGE, outcome) + "#adherents",
                    message=f"Dépôt de {euros(cmd.cents)} appelé auprès {de_fr(name)}{how}.")


def _returned_cents(typed: str) -> int:
    """Euros as typed; « 0 » too: the whole deposit kept for what the member owes."""
    if _ZERO.fullmatch(typed.replace(" ", "").replace("\u00a0", "")):
        return 0
    return parsed("return_amount", lambda v: parse_euros(v, LABELS["return_amount"]), typed)


@router.post(f"{PAGE}/restitutions", response_class=HTMLResponse)
def return_deposit(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = {name: text(form, name) for name in ("return_partner", "return_amount", "returned_on", "return_reason")}
    try:
        amount = _returned_cents(sent["return_amount"])
        cmd = build(lambda: ReturnDeposit(partner_id=sent["return_partner"], amount_cents=amount,
                                          returned_on=sent["returned_on"], reason=sent["return_reason"]),
                    rename=RETURN_RENAME)
        outcome = _execute(request, who, [cmd], RETURN_RENAME)
    except Refused as error:
        return _page(request, who, status=422, form="return", error=error, sent=sent)
    name = _names(request, outcome).get(cmd.partner_id, cmd.partner_id)
    kept = f" ; motif de la retenue : {cmd.reason}" if cmd.reason else ""
    return redirect(request, after(PAGE, outcome) + "#adherents",
                    message=f"Dépôt restitué à {name} le {date_fr(cmd.returned_on)} : {euros(cmd.amount_cents)}"
                            f"{kept}.")
