"""Pooled resources and their allocation keys."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.key_views import KeyVersionPublic, key_version_public
from api.reads import After, reading
from api.recording import Recorded, record
from application.permissions import require_reader
from domain.commands import RegisterResource, RetireResource, SetAllocationKey
from domain.ids import Slug
from domain.periods import Day
from domain.keys import AllocationKey
from domain.periods import Month
from projections import read_model

router = APIRouter(prefix="/resources", tags=["resources"])
ResourceId = Annotated[Slug, Path(description="The resource's id", examples=["salle-vercors"])]


class RetireBody(BaseModel):
    retired_on: Day


class KeyBody(BaseModel):
    applies_from: Month
    key: AllocationKey


class ResourcePublic(BaseModel):
    resource_id: str
    name: str
    kind: str
    unit: str
    capacity: int
    retired_on: date | None
    keys: list[KeyVersionPublic]

    model_config = {"json_schema_extra": {"examples": [{
        "resource_id": "copieur", "name": "Copieur multifonction", "kind": "equipment", "unit": "page",
        "capacity": 1, "retired_on": None, "keys": [{
            "key_version": 1, "applies_from": "2026-01", "method": "tariff", "replaced_by": None,
            "position": 42, "summary": "tariff: 4 cents per page", "parts": [{
                "method": "tariff", "percent": 100, "weights": [], "total_weight": None, "partners": [],
                "partner_count": None, "unit_price_cents": "4"}]}]}]}}


@router.get("", response_model=list[ResourcePublic],
            summary="The pooled resources and every version of their allocation keys")
def resources(*, services: ServicesDep, token: TokenDep, after: After = None) -> list[ResourcePublic]:
    require_reader(token)
    with reading(services, after=after) as read:
        rows = read_model.resource_directory(read.conn)
        versions = read_model.key_versions(read.conn)
    units = {row["resource_id"]: row["unit"] for row in rows}
    by_resource: dict[str, list[KeyVersionPublic]] = {}
    for version in versions:
        by_resource.setdefault(version["resource_id"], []).append(
            key_version_public(version, token, units.get(version["resource_id"], "unit")))
    return [ResourcePublic(**row, keys=by_resource.get(row["resource_id"], [])) for row in rows]


@router.post("", status_code=201, response_model=Recorded, summary="Register a pooled resource")
def register(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
    body: Annotated[RegisterResource, Body(examples=[{
        "resource_id": "salle-vercors", "name": "Salle Vercors", "kind": "premises",
        "unit": "hour", "capacity": 1}])],
) -> Recorded:
    return record(services, token, [body], idempotency_key)


@router.post("/{resource_id}/retire", status_code=201, response_model=Recorded,
             summary="Retire a resource from a day on")
def retire(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None, resource_id: ResourceId,
    body: Annotated[RetireBody, Body(examples=[{"retired_on": "2027-01-01"}])],
) -> Recorded:
    return record(services, token, [RetireResource(resource_id=resource_id, retired_on=body.retired_on)], idempotency_key)


@router.post("/{resource_id}/keys", status_code=201, response_model=Recorded,
             summary="Set the allocation key that applies from a month on (a new version)")
def set_key(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None, resource_id: ResourceId,
    body: Annotated[KeyBody, Body(examples=[{
        "applies_from": "2026-01",
        "key": {"method": "mixed", "parts": [
            {"method": "equal", "percent": 30, "partners": ["france-services", "maison-des-associations"]},
            {"method": "fixed", "percent": 70,
             "weights": {"france-services": 260, "maison-des-associations": 140}}]}}])],
) -> Recorded:
    command = SetAllocationKey(resource_id=resource_id, applies_from=body.applies_from, key=body.key)
    return record(services, token, [command], idempotency_key)
