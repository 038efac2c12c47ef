"""Monthly hour sheets: the coordinator submits them (on the employees' behalf), each member
countersigns or contests its own."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.reads import After, AsOf, reading
from api.recording import Recorded, public, record
from api.response_examples import EXAMPLES
from application.hour_sheets import submit_month, submit_sheet
from application.idempotency import scoped_key
from application.permissions import require_reader
from domain.closing import Sha256
from domain.errors import NotFound
from domain.hour_sheets import ContestHourSheet, CountersignHourSheet, SheetId, parse_sheet_id
from domain.periods import Month
from domain.text import Name, Text
from projections import hour_sheets, read_model

router = APIRouter(prefix="/hour-sheets", tags=["hour sheets"])
SheetPath = Annotated[SheetId, Path(description="`<employee>:<partner>:<YYYY-MM>`",
                                    examples=["anne-martin:creche-les-marmottes:2026-03"])]
MonthQuery = Annotated[Month, Query(description="A month, YYYY-MM", examples=["2026-03"])]
MonthPath = Annotated[Month, Path(description="A month, YYYY-MM", examples=["2026-03"])]


class HourSheetPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["HourSheetPublic"]]}}

    """A sheet of the month as it stood at the position read (`status` 'not_submitted' where
    the employee has hours for the member but no sheet was submitted); `stale`: its hours
    changed since it was submitted."""

    sheet_id: str
    employee_id: str
    employee_name: str
    partner_id: str
    partner_name: str
    month: str
    hours: Decimal
    entries_sha256: str | None
    status: str
    version: int | None
    submitted_hours: Decimal | None
    submitted_sha256: str | None
    submitted_position: int | None
    signed_position: int | None
    signed_by: str | None
    contest_reason: str | None
    stale: bool

    model_config = {"json_schema_extra": {"examples": [{
        "sheet_id": "anne-martin:creche-les-marmottes:2026-03", "employee_id": "anne-martin",
        "employee_name": "Anne Martin", "partner_id": "creche-les-marmottes", "partner_name": "Crèche Les Marmottes",
        "month": "2026-03", "hours": "42.500", "entries_sha256": "9f" * 32, "status": "countersigned",
        "version": 1, "submitted_hours": "42.500", "submitted_sha256": "9f" * 32, "submitted_position": 5120,
        "signed_position": 5188, "signed_by": "Marie Dupont", "contest_reason": None, "stale": False}]}}


class SheetEntry(BaseModel):
    entry_id: str
    happened_on: date
    hours: Decimal
    starts_at: datetime | None
    ends_at: datetime | None


class HourSheetDetail(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["HourSheetDetail"]]}}

    """A submitted sheet as it stood at the position read, with the entries its submission named
    (as they stood when its hours were read): what the member signs."""

    sheet_id: str
    employee_id: str
    partner_id: str
    month: str
    version: int
    status: str
    hours: Decimal
    entries_sha256: str
    as_of_position: int
    submitted_position: int
    signed_position: int | None
    signed_by: str | None
    contest_reason: str | None
    entries: list[SheetEntry]


class CountersignBody(BaseModel):
    signed_by: Name
    entries_sha256: Sha256


class ContestBody(BaseModel):
    reason: Text




@router.get("", response_model=list[HourSheetPublic],
            summary="The month's hour sheets, per employee and member (a member: its own)")
def sheets_of_month(*, services: ServicesDep, token: TokenDep, month: MonthQuery, after: After = None,
                    as_of: AsOf = None) -> list[HourSheetPublic]:
    require_reader(token)
    with reading(services, after=after, as_of=as_of) as read:
        rows = read_model.hour_sheets_of_month(read.conn, month, read.position)
    if token.role == "partner":
        rows = [row for row in rows if row["partner_id"] == token.partner_id]
    return [HourSheetPublic(**row) for row in rows]


@router.get("/{sheet_id}", response_model=HourSheetDetail,
            summary="One submitted sheet with its entries (a member: its own)")
def sheet(*, services: ServicesDep, token: TokenDep, sheet_id: SheetPath, after: After = None,
          as_of: AsOf = None) -> HourSheetDetail:
    _, partner_id, _ = parse_sheet_id(sheet_id)
    require_reader(token, partner_id, "read hour sheets")
    with reading(services, after=after, as_of=as_of) as read:
        found = hour_sheets.sheet_at(read.conn, sheet_id, read.position)
        if found is None:
            raise NotFound(f"sheet '{sheet_id}' was not submitted by position {read.position}", field="sheet_id")
        entries = hour_sheets.submitted_entries(read.conn, found["submitted_position"])
    return HourSheetDetail(**{k: v for k, v in found.items() if k in HourSheetDetail.model_fields},
                           entries=[SheetEntry(hours=e["quantity"], **e) for e in entries])


@router.post("/months/{month}/submit", status_code=201, response_model=Recorded,
             summary="Submit every sheet of the month that awaits it: not yet submitted, contested, "
                     "or whose hours changed since")
def submit_all(*, services: ServicesDep, token: TokenDep, month: MonthPath,
               idempotency_key: IdempotencyKey = None) -> Recorded:
    return public(submit_month(services.ledger, services.follower, month, actor=token,
                               idempotency_key=scoped_key(token.token_sha256, idempotency_key)))


@router.post("/{sheet_id}/submit", status_code=201, response_model=Recorded,
             summary="Submit one sheet with its hours as they stand (the coordinator, for the employee)")
def submit(*, services: ServicesDep, token: TokenDep, sheet_id: SheetPath,
           idempotency_key: IdempotencyKey = None) -> Recorded:
    return public(submit_sheet(services.ledger, services.follower, sheet_id, actor=token,
                               idempotency_key=scoped_key(token.token_sha256, idempotency_key)))


@router.post("/{sheet_id}/countersign", status_code=201, response_model=Recorded,
             summary="Countersign one's own sheet, as submitted (the digest one was shown)")
def countersign(*, services: ServicesDep, token: TokenDep, sheet_id: SheetPath, idempotency_key: IdempotencyKey = None,
                body: Annotated[CountersignBody, Body(examples=[{
                    "signed_by": "Marie Dupont", "entries_sha256": "9f" * 32}])]) -> Recorded:
    command = CountersignHourSheet(sheet_id=sheet_id, **body.model_dump())
    return record(services, token, [command], idempotency_key)


@router.post("/{sheet_id}/contest", status_code=201, response_model=Recorded,
             summary="Contest one's own submitted sheet, with a reason")
def contest(*, services: ServicesDep, token: TokenDep, sheet_id: SheetPath, idempotency_key: IdempotencyKey = None,
            body: Annotated[ContestBody, Body(examples=[{"reason": "le 12 mars manque"}])]) -> Recorded:
    return record(services, token, [ContestHourSheet(sheet_id=sheet_id, reason=body.reason)], idempotency_key)
