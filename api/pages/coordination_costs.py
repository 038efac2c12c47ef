"""The coordinator's costs: record a resource's cost for a month, typed in euros, and a
supplier's credit note (avoir) on a cost already recorded; the month's costs.

A credit note is how the ledger records a supplier's refund: the cost entry it refunds is
corrected to its new amount (EntryCorrected, the original stays in the log), or voided when
the whole invoice is refunded. A credit note on a closed month leaves its statements as
issued: the difference is booked as an adjustment on the first open month.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import euros, month_fr, parse_euros
from api.pages.coordination import month_choices, month_to_close
from api.pages.coordination_forms import Refused, after, command, execute, parsed, typed
from api.pages.render import page, redirect
from api.pages.session import CoordinatorDep, FormDep
from api.reads import log_end, reading
from domain.commands import CorrectEntry, RecordCost, VoidEntry
from domain.pool_settings import SetCostBasis
from domain.periods import check_month
from projections import read_model

router = APIRouter(tags=["pages"], include_in_schema=False)

# Offered as suggestions: the category is free text (a Name).
CATEGORIES = ("loyer", "charges locatives", "énergie", "salaire", "entretien", "ménage", "location",
              "maintenance", "assurance", "fournitures", "prestation")
COST_FIELDS = ("resource_id", "month", "amount", "category", "document_ref")
CREDIT_FIELDS = ("entry_id", "credit", "credit_ref")
STATUS_FR = {"open": "enregistré", "voided": "annulé", "cancelled": "annulé"}


def _month(value: str | None, months: list[dict[str, Any]]) -> str | None:
    """The month asked for, else the month to close (the one whose costs are being gathered)."""
    if value:
        try:
            return check_month(value)
        except ValueError:
            pass
    return month_to_close(months)


def _costs_page(request: Request, *, month: str | None = None, after_position: int | None = None,
                status: int = 200, error: Refused | None = None, form: str = "",
                sent: dict[str, str] | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=after_position) as read:
        months = read_model.coordination_months(read.conn)
        shown = _month(month, months)
        costs = read_model.month_costs(read.conn, shown) if shown else []
        resources = read_model.resources_with_keys(read.conn)
        basis = read_model.cost_basis_of_month(read.conn, shown, read.position) if shown else None
    closed = {m["month"] for m in months if m["position"] is not None}
    choices = month_choices(months)
    if shown and shown not in choices:
        choices = sorted({*choices, shown}, reverse=True)
    names = {r["resource_id"]: r["name"] for r in resources if r["retired_on"] is None}
    open_costs = [c for c in costs if c["status"] == "open"]
    return page(request, "coordination_costs.html", status=status, title="Coûts", month=shown, months=months,
                closed=closed, month_choices=choices, costs=costs, open_costs=open_costs, resources=names, categories=CATEGORIES,
                statuses=STATUS_FR, total=sum(c["amount_cents"] for c in open_costs), basis=basis,
                error=error.message if error else None, field=error.field if error else None, form=form,
                sent=sent or {"month": shown or ""})


@router.get("/coordination/couts", response_class=HTMLResponse)
def costs_page(request: Request, _: CoordinatorDep, mois: str | None = None, apres: int | None = None) -> HTMLResponse:
    return _costs_page(request, month=mois, after_position=apres)


@router.post("/coordination/couts", response_class=HTMLResponse)
def record_cost(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = typed(form, *COST_FIELDS)
    try:
        cents = parsed("amount_cents", lambda v: parse_euros(v, "Montant"), sent["amount"])
        cmd = command(lambda: RecordCost(resource_id=sent["resource_id"], month=sent["month"], amount_cents=cents,
                                         category=sent["category"], document_ref=sent["document_ref"]))
        outcome = execute(request, who, cmd)
    except Refused as error:
        return _costs_page(request, month=sent["month"], status=422, error=error, form="cost", sent=sent)
    return redirect(request, after(f"/coordination/couts?mois={cmd.month}", outcome),
                    message=f"Coût enregistré : {euros(cmd.amount_cents)} pour {month_fr(cmd.month)} "
                            f"({cmd.category}, {cmd.document_ref}).")


@router.post("/coordination/couts/avoir", response_class=HTMLResponse)
def record_credit_note(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = typed(form, *CREDIT_FIELDS, "month")
    services = request.app.state.services
    try:
        credit = parsed("credit_cents", lambda v: parse_euros(v, "Montant de l'avoir"), sent["credit"])
        if not sent["credit_ref"]:
            raise Refused("credit_ref", "« Référence de l'avoir » : ce champ est obligatoire.")
        reference = f"avoir {sent['credit_ref']}"
        # The cost as it stands once every write so far is read: the amount the avoir reduces.
        with reading(services, after=log_end(services)) as read:
            cost = read_model.cost_entry(read.conn, sent["entry_id"]) if sent["entry_id"] else None
        if cost is None or cost["status"] != "open":
            raise Refused("entry_id", "« Coût concerné » : choisissez un coût enregistré (et non annulé).")
        if credit > cost["amount_cents"]:
            raise Refused("credit_cents", f"« Montant de l'avoir » : {euros(credit)} dépasse le coût qu'il "
                                          f"rembourse ({euros(cost['amount_cents'])}).")
        rename = {"reason": "credit_ref", "amount_cents": "credit_cents", "from_amount_cents": "credit_cents"}
        # Decided from the amount read: another credit note recorded meanwhile is not undone.
        if credit == cost["amount_cents"]:
            cmd = command(lambda: VoidEntry(entry_id=cost["entry_id"], from_amount_cents=cost["amount_cents"],
                                            reason=f"{reference} : remboursement de la facture entière"), rename)
        else:
            cmd = command(lambda: CorrectEntry(entry_id=cost["entry_id"], amount_cents=cost["amount_cents"] - credit,
                                               from_amount_cents=cost["amount_cents"], reason=reference), rename)
        outcome = execute(request, who, cmd, rename)
    except Refused as error:
        return _costs_page(request, month=sent["month"], status=422, error=error, form="credit", sent=sent)
    with reading(services, after=outcome.position) as read:
        closed = {m["month"] for m in read_model.closed_months(read.conn)}
    late = (f" {month_fr(cost['month']).capitalize()} est clos : ses relevés restent tels qu'émis, la différence "
            f"est portée en régularisation sur le premier mois ouvert.") if cost["month"] in closed else ""
    return redirect(request, after(f"/coordination/couts?mois={cost['month']}", outcome),
                    message=f"Avoir de {euros(credit)} enregistré sur {cost['document_ref']} : le coût passe de "
                            f"{euros(cost['amount_cents'])} à {euros(cost['amount_cents'] - credit)}.{late}")


@router.post("/coordination/couts/ht-ttc", response_class=HTMLResponse)
def set_cost_basis(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = typed(form, "basis_from", "basis")
    rename = {"applies_from": "basis_from"}
    try:
        cmd = command(lambda: SetCostBasis(applies_from=sent["basis_from"], basis=sent["basis"]), rename)
        outcome = execute(request, who, cmd, rename)
    except Refused as error:
        return _costs_page(request, month=sent["basis_from"], status=422, error=error, form="basis", sent=sent)
    return redirect(request, after(f"/coordination/couts?mois={cmd.applies_from}", outcome),
                    message=f"À partir de {month_fr(cmd.applies_from)}, les coûts sont enregistrés "
                            f"{cmd.basis.upper()} ; les relevés l'indiquent.")
