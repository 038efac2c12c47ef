"""Many commands in one transaction: all recorded, or none."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.recording import Recorded, record
from domain.commands import AnyCommand

router = APIRouter(tags=["batch"])


class Batch(BaseModel):
    commands: Annotated[list[AnyCommand], Field(min_length=1, max_length=10_000)]


@router.post("/batch", status_code=201, response_model=Recorded,
             summary="Record many commands at once; a refusal names the index of the first refused one")
def batch(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
    body: Annotated[Batch, Body(examples=[{"commands": [
        {"command": "log_staff_hours", "employee_id": "assistante-paie",
         "partner_id": "creche-les-marmottes", "work_date": "2026-03-02", "hours": "3.5"},
        {"command": "record_equipment_use", "resource_id": "copieur", "partner_id": "france-services",
         "used_on": "2026-03-02", "quantity": 120, "unit": "page"}]}])],
) -> Recorded:
    return record(services, token, list(body.commands), idempotency_key, batch=True)
