"""Usage: room bookings, staff hours, equipment use, and cancellations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.recording import Recorded, record
from domain.commands import BookSlot, CancelBooking, LogStaffHours, RecordEquipmentUse
from domain.ids import EntryId
from domain.text import Text

router = APIRouter(tags=["usage"])


class CancelBody(BaseModel):
    reason: Text = ""


@router.post("/bookings", status_code=201, response_model=Recorded,
             summary="Book a resource for a slot (refused beyond its capacity)")
def book(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
    body: Annotated[BookSlot, Body(examples=[{
        "resource_id": "salle-vercors", "partner_id": "maison-des-associations",
        "starts_at": "2026-03-02T14:00:00+01:00", "ends_at": "2026-03-02T16:00:00+01:00"}])],
) -> Recorded:
    return record(services, token, [body], idempotency_key)


@router.post("/bookings/{entry_id}/cancel", status_code=201, response_model=Recorded,
             summary="Cancel a booking")
def cancel(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
    entry_id: Annotated[EntryId, Path(examples=["salle-vercors:2026-03-02:1"])],
    body: Annotated[CancelBody, Body(examples=[{"reason": "réunion reportée"}])],
) -> Recorded:
    return record(services, token, [CancelBooking(entry_id=entry_id, reason=body.reason)], idempotency_key)


@router.post("/staff-hours", status_code=201, response_model=Recorded,
             summary="Log hours an employee worked for a partner (10 h a day, 48 h a week at most)")
def log_hours(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
    body: Annotated[LogStaffHours, Body(examples=[{
        "employee_id": "assistante-paie", "partner_id": "creche-les-marmottes",
        "work_date": "2026-03-02", "hours": "3.5"}])],
) -> Recorded:
    return record(services, token, [body], idempotency_key)


@router.post("/equipment-uses", status_code=201, response_model=Recorded,
             summary="Record a use of equipment, in the resource's unit")
def use_equipment(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
    body: Annotated[RecordEquipmentUse, Body(examples=[{
        "resource_id": "copieur", "partner_id": "france-services", "used_on": "2026-03-02",
        "quantity": 120, "unit": "page"}])],
) -> Recorded:
    return record(services, token, [body], idempotency_key)
