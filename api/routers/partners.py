"""Partners of the pool and their membership."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, Field

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.reads import After, reading
from api.recording import Recorded, record
from application.permissions import may_see_details_of, require_reader
from domain.commands import JoinPartner, LeavePartner, RejoinPartner
from domain.ids import Slug
from domain.periods import LOCAL_TZ, Day
from projections import read_model

router = APIRouter(prefix="/partners", tags=["partners"])
PartnerId = Annotated[Slug, Path(description="The partner's id", examples=["creche-les-marmottes"])]


class DayBody(BaseModel):
    day: Day


class MembershipPublic(BaseModel):
    first_day: date
    last_day: date | None = Field(description="Its last day of membership; null while it lasts")


class PartnerPublic(BaseModel):
    partner_id: str
    name: str
    kind: str
    status: Literal["member", "joining", "left"] | None = Field(
        description="On the day asked (`on`, today in Europe/Paris by default): member (a membership "
                    "covers it), joining (its next membership starts later) or left. Null, like the "
                    "dates, for another partner when a partner asks")
    joined_on: date | None = Field(description="First day of its latest membership")
    left_on: date | None = Field(description="Last day of its latest membership; null while it lasts")
    memberships: list[MembershipPublic] | None = Field(description="Every membership, in order (a partner "
                                                                   "may leave and rejoin)")

    model_config = {"json_schema_extra": {"examples": [{
        "partner_id": "creche-les-marmottes", "name": "Crèche associative Les Marmottes",
        "kind": "association petite enfance", "status": "member", "joined_on": "2026-01-01", "left_on": None,
        "memberships": [{"first_day": "2026-01-01", "last_day": None}]}]}}


@router.get("", response_model=list[PartnerPublic], summary="The partners of the pool and their membership")
def partners(
    *, services: ServicesDep, token: TokenDep, after: After = None,
    on: Annotated[Day | None, Query(description="The day the status is for (default: today, Europe/Paris)",
                                    examples=["2026-03-01"])] = None,
) -> list[PartnerPublic]:
    require_reader(token)
    day = on or datetime.now(LOCAL_TZ).date()
    with reading(services, after=after) as read:
        rows = read_model.partner_directory(read.conn, day)
    return [_public(row, shown=may_see_details_of(token, row["partner_id"])) for row in rows]


def _public(row: dict, *, shown: bool) -> PartnerPublic:
    stints = [MembershipPublic(**m) for m in row["memberships"]] if shown else None
    latest = stints[-1] if stints else None
    return PartnerPublic(partner_id=row["partner_id"], name=row["name"], kind=row["kind"],
                         status=row["status"] if shown else None, memberships=stints,
                         joined_on=latest.first_day if latest else None,
                         left_on=latest.last_day if latest else None)


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
