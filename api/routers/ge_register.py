"""The GE's member register (C. trav. L1253-6, D1253-1 to D1253-3): its members on a day,
its changes with their notification deadline, and the notifications sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.reads import After, AsOf, reading
from api.recording import Recorded, record
from api.response_examples import EXAMPLES
from application.member_register import register_changes
from application.permissions import AUDITORS, require_role
from domain.member_register import NotifyRegisterChanges
from domain.periods import Day, local_day
from projections import register_reads

router = APIRouter(prefix="/ge/register", tags=["groupement d'employeurs"])


class MemberPublic(BaseModel):
    partner_id: str
    partner_name: str
    legal_name: str
    address: str
    establishments: list[str]
    activity: str | None
    headcount: int | None
    siren: str | None
    professional: bool
    local_authority: bool
    first_day: date
    last_day: date | None


class RegisterPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["RegisterPublic"]]}}

    on: date
    position: int
    members: list[MemberPublic]


class ChangePublic(BaseModel):
    position: int
    recorded_at: datetime
    event_type: str
    partner_id: str
    partner_name: str
    change_on: date
    due_on: date
    notified_on: date | None
    overdue: bool


class ChangesPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["ChangesPublic"]]}}

    position: int
    today: date
    changes: list[ChangePublic]


@router.get("", response_model=RegisterPublic, summary="The members on a day, as the register stood at a position")
def register(*, services: ServicesDep, token: TokenDep, on: Annotated[Day | None, Query(examples=["2026-04-01"])] = None,
             after: After = None, as_of: AsOf = None) -> RegisterPublic:
    require_role(token, *AUDITORS)
    with reading(services, after=after, as_of=as_of) as read:
        day = on or local_day(datetime.now().astimezone())
        members = register_reads.register_on(read.conn, day, read.position)
    return RegisterPublic(on=day, position=read.position, members=[MemberPublic(**m) for m in members])


@router.get("/changes", response_model=ChangesPublic,
            summary="Every change of the register, its deadline to notify and whether it was notified")
def changes(*, services: ServicesDep, token: TokenDep, after: After = None, as_of: AsOf = None) -> ChangesPublic:
    require_role(token, *AUDITORS)
    today = local_day(datetime.now().astimezone())
    with reading(services, after=after, as_of=as_of) as read:
        found = register_changes(read.conn, read.position)
    return ChangesPublic(position=read.position, today=today, changes=[
        ChangePublic(**{k: getattr(c, k) for k in ChangePublic.model_fields if k != "overdue"},
                     overdue=c.overdue(today)) for c in found])


@router.post("/notifications", status_code=201, response_model=Recorded,
             summary="Record that the register's changes up to a position were notified to the inspectorate")
def notify(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
           body: Annotated[NotifyRegisterChanges, Body(examples=[{
               "up_to_position": 4812, "notified_on": "2026-04-30", "reference": "LRAR 1A 234 567 8901 2"}])]
           ) -> Recorded:
    return record(services, token, [body], idempotency_key)
