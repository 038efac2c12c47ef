"""Costs of the pooled resources, and corrections and voids of any entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.recording import Recorded, record
from domain.commands import CorrectEntry, RecordCost, VoidEntry
from domain.events import Quantity
from domain.ids import EntryId
from domain.money import Cents
from domain.text import Text

router = APIRouter(tags=["costs and corrections"])
EntryPath = Annotated[EntryId, Path(description="The entry's id", examples=["copieur:2026-03:2"])]


class CorrectionBody(BaseModel):
    quantity: Quantity | None = None
    amount_cents: Cents | None = None
    reason: Text


class VoidBody(BaseModel):
    reason: Text


@router.post("/costs", status_code=201, response_model=Recorded,
             summary="Record a resource's cost for a month, in cents, with its document")
def record_cost(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
    body: Annotated[RecordCost, Body(examples=[{
        "resource_id": "copieur", "month": "2026-03", "amount_cents": 18_900,
        "category": "maintenance", "document_ref": "FAC-2026-03-017"}])],
) -> Recorded:
    return record(services, token, [body], idempotency_key)


@router.post("/entries/{entry_id}/corrections", status_code=201, response_model=Recorded,
             summary="Correct an entry: a new quantity (usage) or amount (cost); the original stays")
def correct(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None, entry_id: EntryPath,
    body: Annotated[CorrectionBody, Body(examples=[{"amount_cents": 17_500, "reason": "avoir FAC-2026-03-017-A"}])],
) -> Recorded:
    command = CorrectEntry(entry_id=entry_id, quantity=body.quantity, amount_cents=body.amount_cents,
                           reason=body.reason)
    return record(services, token, [command], idempotency_key)


@router.post("/entries/{entry_id}/void", status_code=201, response_model=Recorded,
             summary="Void an entry recorded in error; the original stays in the log")
def void(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None, entry_id: EntryPath,
    body: Annotated[VoidBody, Body(examples=[{"reason": "saisie en double"}])],
) -> Recorded:
    return record(services, token, [VoidEntry(entry_id=entry_id, reason=body.reason)], idempotency_key)
