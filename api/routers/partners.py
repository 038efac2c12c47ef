"""Partners of the pool and their membership."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.recording import Recorded, record
from domain.commands import JoinPartner, LeavePartner, RejoinPartner
from domain.ids import Slug
from domain.periods import Day

router = APIRouter(prefix="/partners", tags=["partners"])
PartnerId = Annotated[Slug, Path(description="The partner's id", examples=["creche-les-marmottes"])]


class DayBody(BaseModel):
    day: Day


@router.post("", status_code=201, response_model=Recorded, summary="A partner joins the pool")
def join(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
    body: Annotated[JoinPartner, Body(examples=[{
        "partner_id": "creche-les-marmottes", "name": "Crèche associative Les Marmottes",
        "kind": "association petite enfance", "joined_on": "2026-01-01"}])],
) -> Recorded:
    return record(services, token, [body], idempotency_key)


@router.post("/{partner_id}/leave", status_code=201, response_model=Recorded,
             summary="A partner leaves; `day` is its last day of membership")
def leave(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None, partner_id: PartnerId,
    body: Annotated[DayBody, Body(examples=[{"day": "2026-09-20"}])],
) -> Recorded:
    return record(services, token, [LeavePartner(partner_id=partner_id, last_day=body.day)], idempotency_key)


@router.post("/{partner_id}/rejoin", status_code=201, response_model=Recorded,
             summary="A former partner joins again; `day` is its first day")
def rejoin(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None, partner_id: PartnerId,
    body: Annotated[DayBody, Body(examples=[{"day": "2027-01-01"}])],
) -> Recorded:
    return record(services, token, [RejoinPartner(partner_id=partner_id, joined_on=body.day)], idempotency_key)
