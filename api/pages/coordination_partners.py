"""The coordinator's partners, resources and allocation keys: the lists, in French, and the
forms that register a partner (JoinPartner), a resource (RegisterResource) and a new
version of a resource's key (SetAllocationKey) — the key after a preview of what it would
do to the resource's last recorded pool, nothing recorded until "Enregistrer"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import month_fr
from api.pages.coordination import month_choices, month_to_close
from api.pages.coordination_forms import Refused, after, command, execute, typed
from api.pages.coordination_keys import (KINDS_FR, METHODS_FR, PART_METHODS_FR, UNITS_FR, KeyForm, key_fr, key_text,
                                         preview_rows, preview_totals, unit_fr)
from api.pages.render import page, redirect
from api.pages.session import CoordinatorDep, FormDep
from api.reads import Reading, reading
from domain.commands import JoinPartner, RegisterResource, SetAllocationKey
from domain.keys import AllocationKey
from domain.pools import KeyVersion, key_in_force
from projections import read_model
from projections.key_preview import preview_key

router = APIRouter(tags=["pages"], include_in_schema=False)

PARTNER_FIELDS = ("partner_name", "partner_id", "partner_kind", "joined_on")
RESOURCE_FIELDS = ("resource_name", "resource_id", "resource_kind", "unit", "other_unit", "capacity")


def _resources(read: Reading, names: dict[str, str]) -> list[dict[str, Any]]:
    """Each resource with its key versions in French, the one in force for the month to close marked."""
    by_id: dict[str, dict[str, Any]] = {}
    to_close = month_to_close(read_model.coordination_months(read.conn))
    for row in read_model.resources_with_keys(read.conn):
        resource = by_id.setdefault(row["resource_id"], {**row, "kind_fr": KINDS_FR.get(row["kind"], row["kind"]),
                                                         "unit_fr": unit_fr(row["unit"])[0], "keys": []})
        if row["key_version"] is not None:
            resource["keys"].append({"version": row["key_version"], "applies_from": row["applies_from"],
                                     "text": key_text(row["key"], row["unit"], names),
                                     "key": AllocationKey.model_validate_json(row["key"])})
    for resource in by_id.values():
        versions = [KeyVersion(k["version"], k["applies_from"], k["key"]) for k in resource["keys"]]
        in_force = key_in_force(versions, to_close) if to_close else None
        resource["in_force"] = in_force.version if in_force else None
    return list(by_id.values())


def _partners(read: Reading) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for row in read_model.partners_with_memberships(read.conn):
        partner = rows.setdefault(row["partner_id"], {**row, "periods": []})
        if row["first_day"] is not None:
            partner["periods"].append((row["first_day"], row["last_day"]))
    return list(rows.values())


def _partners_page(request: Request, *, after_position: int | None = None, status: int = 200,
                   error: Refused | None = None, form: str = "", sent: dict[str, str] | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=after_position) as read:
        partners = _partners(read)
        resources = _resources(read, {p["partner_id"]: p["name"] for p in partners})
    return page(request, "coordination_partners.html", status=status, title="Partenaires et ressources",
                partners=partners, resources=resources, kinds=KINDS_FR, units=UNITS_FR,
                error=error.message if error else None, field=error.field if error else None, form=form,
                sent=sent or {"partner_kind": "association", "resource_kind": "premises", "unit": "hour",
                              "capacity": "1"})


@router.get("/coordination/partenaires", response_class=HTMLResponse)
def partners_page(request: Request, _: CoordinatorDep, apres: int | None = None) -> HTMLResponse:
    return _partners_page(request, after_position=apres)


@router.post("/coordination/partenaires", response_class=HTMLResponse)
def join_partner(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = typed(form, *PARTNER_FIELDS)
    rename = {"partner_id": "new_partner_id", "name": "partner_name", "kind": "partner_kind"}
    try:
        cmd = command(lambda: JoinPartner(partner_id=sent["partner_id"], name=sent["partner_name"],
                                          kind=sent["partner_kind"] or "association", joined_on=sent["joined_on"]),
                      rename)
        outcome = execute(request, who, cmd, rename)
    except Refused as error:
        return _partners_page(request, status=422, error=error, form="partner", sent=sent)
    return redirect(request, after("/coordination/partenaires", outcome),
                    message=f"{cmd.name} est enregistré comme partenaire ({cmd.partner_id}).")


@router.post("/coordination/ressources", response_class=HTMLResponse)
def register_resource(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = typed(form, *RESOURCE_FIELDS)
    rename = {"resource_id": "new_resource_id", "name": "resource_name", "kind": "resource_kind"}
    unit = sent["other_unit"] or sent["unit"]
    try:
        cmd = command(lambda: RegisterResource(resource_id=sent["resource_id"], name=sent["resource_name"],
                                               kind=sent["resource_kind"], unit=unit, capacity=sent["capacity"] or 1),
                      rename | ({"unit": "other_unit"} if sent["other_unit"] else {}))
        outcome = execute(request, who, cmd, rename)
    except Refused as error:
        return _partners_page(request, status=422, error=error, form="resource", sent=sent)
    return redirect(request, after("/coordination/partenaires", outcome),
                    message=f"La ressource « {cmd.name} » est enregistrée. Donnez-lui une clé de répartition.")


# The key form ---------------------------------------------------------------------------

def _key_page(request: Request, key_form: KeyForm, *, status: int = 200, error: Refused | None = None,
              preview: dict[str, Any] | None = None) -> HTMLResponse:
    with reading(request.app.state.services) as read:
        partners = _partners(read)
        names = {p["partner_id"]: p["name"] for p in partners}
        resources = _resources(read, names)
        choices = month_choices(read_model.coordination_months(read.conn))
    chosen = next((r for r in resources if r["resource_id"] == key_form.sent.get("resource_id")), None)
    return page(request, "coordination_key.html", status=status, title="Clé de répartition", form=key_form,
                sent=key_form.sent, partners=partners, resources=resources, resource=chosen, methods=METHODS_FR,
                part_methods=PART_METHODS_FR, preview=preview, month_choices=choices, key_fr=key_fr, names=names,
                error=error.message if error else None, field=error.field if error else None)


@router.get("/coordination/partenaires/cle", response_class=HTMLResponse)
def key_page(request: Request, _: CoordinatorDep, ressource: str = "") -> HTMLResponse:
    with reading(request.app.state.services) as read:
        months = read_model.coordination_months(read.conn)
        to_close = month_to_close(months) or ""
        keys = [r for r in read_model.resources_with_keys(read.conn)
                if r["resource_id"] == ressource and r["key_version"] is not None]
    versions = [KeyVersion(k["key_version"], k["applies_from"], AllocationKey.model_validate_json(k["key"]))
                for k in keys]
    in_force = key_in_force(versions, to_close) if to_close else (versions[-1] if versions else None)
    return _key_page(request, KeyForm.of(ressource, to_close, in_force.key if in_force else None))


@router.post("/coordination/partenaires/cle", response_class=HTMLResponse)
def set_key(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    with reading(request.app.state.services) as read:
        names = read_model.partner_names(read.conn)
    key_form = KeyForm.read(form, names)
    try:
        cmd = key_form.command(names)
        if form.get("action") != "enregistrer":
            return _key_page(request, key_form, preview=_preview(request, cmd, names))
        outcome = execute(request, who, cmd)
    except Refused as error:
        return _key_page(request, key_form, status=422, error=error)
    return redirect(request, after("/coordination/partenaires", outcome),
                    message=f"Nouvelle clé de « {cmd.resource_id} » enregistrée ; elle s'applique à partir de "
                            f"{month_fr(cmd.applies_from)}.")


def _preview(request: Request, cmd: SetAllocationKey, names: dict[str, str]) -> dict[str, Any]:
    """What the key would do to the resource's last pool before it applies (or its last pool)."""
    with reading(request.app.state.services) as read:
        months = read_model.pool_months(read.conn, cmd.resource_id)
        month = next((m for m in months if m < cmd.applies_from), months[0] if months else None)
        if month is None:
            return {"month": None}
        result = preview_key(read.conn, cmd.resource_id, month, cmd.key)
    rows = preview_rows(result, names)
    return {"month": month, "pool_cents": result.pool_cents, "has_costs": result.has_costs,
            "current_version": result.current_version, "rows": rows, "totals": preview_totals(rows)}

