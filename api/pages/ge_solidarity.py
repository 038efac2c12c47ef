"""The GE's « Dettes et solidarité » (/coordination/ge/solidarite), for the coordinator and the
auditor: the debts to employees and social bodies outstanding at a position (now, or as
recorded on a day or at a log position), each member's share of each one pro rata of its
hours in the debt's months and its total exposure (application/joint_liability.py, C. trav.
L1253-8), overdue ones marked; the coordinator's forms record a debt (RecordGeDebt, its
amount typed in euros) and mark one as paid (SettleGeDebt)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import date_fr, euros, month_fr, parse_euros
from api.pages.coordination_forms import Refused, after, parsed, text
from api.pages.ge_hub import today
from api.pages.ge_messages import LABELS
from api.pages.ge_terms_forms import build, execute_ge
from api.pages.render import page, redirect
from api.pages.session import AuditorDep, CoordinatorDep, FormDep
from api.reads import log_end, reading
from application.joint_liability import DebtShares, exposure, member_totals
from application.permissions import AUDITORS, require_role
from domain.errors import DomainError
from domain.ge_debts import RecordGeDebt, SettleGeDebt
from domain.periods import LOCAL_TZ, check_day
from projections import billing_reads, read_model

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE = "/coordination/ge/solidarite"
KIND_FR = {"employees": "salariés", "social_bodies": "organismes sociaux"}
DEBT_FIELDS = ("creditor_kind", "creditor", "debt_amount", "first_month", "last_month", "due_on", "debt_reference")
# The command's fields as the debt form names them (see api/pages/ge_messages.py's labels).
DEBT_RENAME = {"amount_cents": "debt_amount", "reference": "debt_reference"}
SETTLE_RENAME = {"reference": "settled_reference"}


@dataclass(frozen=True)
class AsOf:
    """As the debts stood when recorded by the end of a day, or at a position; neither: now."""

    recorded_on: date | None = None
    position: int | None = None

    @property
    def reading(self) -> str | None:
        if self.position is not None:
            return str(self.position)
        if self.recorded_on is not None:
            return datetime.combine(self.recorded_on + timedelta(days=1), time(0), LOCAL_TZ).isoformat()
        return None

    @property
    def day(self) -> date:
        """The day a debt is overdue against: the day asked, or today."""
        return self.recorded_on or today()

    def query(self) -> dict[str, str]:
        return {"telle_au": self.recorded_on.isoformat() if self.recorded_on else "",
                "position": "" if self.position is None else str(self.position)}


def parse_as_of(telle_au: str | None, position: str | None) -> AsOf:
    """The page's « telle qu'au » query, checked; a refusal names its field in French."""
    recorded_on = None
    if telle_au:
        try:
            recorded_on = check_day(date.fromisoformat(telle_au.strip()))
        except ValueError:
            raise Refused("telle_au", f"« {LABELS['telle_au']} » : ce n'est pas une date du calendrier (écrivez-la "
                                      f"AAAA-MM-JJ, par exemple 2026-04-30).") from None
        if recorded_on >= today():
            recorded_on = None  # recorded by the end of today or later: as it stands
    if position:
        if not position.strip().isdigit() or len(position.strip()) > 18:
            raise Refused("position", "« Position du journal » : un nombre entier, par exemple 4812.")
        if recorded_on is not None:
            raise Refused("position", "« Position du journal » : choisissez une date d'enregistrement ou une "
                                      "position, pas les deux.")
        return AsOf(None, int(position))
    return AsOf(recorded_on, None)


def months_fr(debt: DebtShares) -> str:
    if debt.first_month == debt.last_month:
        return month_fr(debt.first_month)
    return f"de {month_fr(debt.first_month)} à {month_fr(debt.last_month)}"


def read_debts(request: Request, as_of: AsOf, after_position: int | None = None) -> dict[str, Any]:
    try:
        with reading(request.app.state.services, after=after_position, as_of=as_of.reading) as read:
            debts = exposure(read.conn, read.position)
            names = read_model.partner_names(read.conn)
            names |= {f["partner_id"]: f["legal_name"] for f in billing_reads.member_details_at(read.conn, read.position)}
            position = read.position
    except DomainError:
        # The only refusal of a read: a position past the log's end.
        raise Refused("position", f"« Position du journal » : le journal s'arrête à la position "
                                  f"{log_end(request.app.state.services)}.") from None
    totals = member_totals(debts)
    members = sorted(totals, key=lambda p: names.get(p, p).casefold())
    return {"debts": debts, "totals": totals, "members": members, "names": names, "position": position,
            "total_cents": sum(d.amount_cents for d in debts),
            "unallocated_cents": sum(d.unallocated_cents for d in debts),
            "overdue": {d.debt_id for d in debts if d.due_on < as_of.day}}


def _page(request: Request, who, as_of: AsOf | None, *, after_position: int | None = None, status: int = 200,
          form: str = "", error: Refused | None = None, sent: dict[str, str] | None = None,
          query: dict[str, str] | None = None) -> HTMLResponse:
    shown = as_of or AsOf()
    read = read_debts(request, shown, after_position)
    debt_sent = sent if form == "debt" and sent is not None else {"creditor_kind": "employees"}
    settle_sent = sent if form.startswith("settle-") and sent is not None else {}
    return page(request, "ge_solidarity.html", status=status, title="Dettes et solidarité", as_of=shown,
                query=query or shown.query(), can_post=who.role == "coordinator", kind_fr=KIND_FR,
                months_fr=months_fr, debt_sent=debt_sent, settle_sent=settle_sent, today=today(), form=form,
                error=error.message if error else None, field=error.field if error else None, **read)


@router.get(PAGE, response_class=HTMLResponse)
def solidarity(request: Request, who: AuditorDep, telle_au: str | None = None, position: str | None = None,
               apres: int | None = None) -> HTMLResponse:
    require_role(who, *AUDITORS)
    query = {"telle_au": telle_au or "", "position": position or ""}
    try:
        return _page(request, who, parse_as_of(telle_au, position), after_position=apres, query=query)
    except Refused as error:
        return _page(request, who, None, status=422, form="as_of", error=error, query=query)


def debt_command(sent: dict[str, str]) -> RecordGeDebt:
    amount = parsed("debt_amount", lambda v: parse_euros(v, LABELS["debt_amount"]), sent["debt_amount"])
    return build(lambda: RecordGeDebt(
        creditor_kind=sent["creditor_kind"], creditor=sent["creditor"], amount_cents=amount,
        first_month=sent["first_month"], last_month=sent["last_month"] or sent["first_month"],
        due_on=sent["due_on"], reference=sent["debt_reference"]), rename=DEBT_RENAME)


@router.post(f"{PAGE}/dettes", response_class=HTMLResponse)
def record_debt(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = {name: text(form, name) for name in DEBT_FIELDS}
    try:
        cmd = debt_command(sent)
        outcome = execute_ge(request, who, cmd)
    except Refused as error:
        return _page(request, who, None, status=422, form="debt", error=error, sent=sent)
    return redirect(request, after(PAGE, outcome) + "#dettes",
                    message=f"Dette enregistrée : {euros(cmd.amount_cents)} dus à {cmd.creditor} "
                            f"({KIND_FR[cmd.creditor_kind]}), échéance le {date_fr(cmd.due_on)}.")


@router.post(f"{PAGE}/reglements", response_class=HTMLResponse)
def settle_debt(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    debt_id = text(form, "debt_id")
    sent = {"debt_id": debt_id, "settled_on": text(form, "settled_on"),
            "settled_reference": text(form, "settled_reference")}
    try:
        cmd = build(lambda: SettleGeDebt(debt_id=debt_id, settled_on=sent["settled_on"],
                                         reference=sent["settled_reference"]), rename=SETTLE_RENAME)
        outcome = execute_ge(request, who, cmd)
    except Refused as error:
        return _page(request, who, None, status=422, form=f"settle-{debt_id}", error=error, sent=sent)
    return redirect(request, after(PAGE, outcome) + "#dettes",
                    message=f"La dette {cmd.debt_id} est réglée le {date_fr(cmd.settled_on)} (référence "
                            f"{cmd.reference}) ; elle ne compte plus dans l'exposition des adhérents.")
