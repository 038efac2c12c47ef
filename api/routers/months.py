"""The months of the ledger, open or closed (GET /periods lists the seals alone)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ServicesDep, TokenDep
from api.reads import After, reading
from application.permissions import require_reader
from projections import read_model

router = APIRouter(prefix="/months", tags=["closing"])


class Seal(BaseModel):
    position: int = Field(description="The log position of the PeriodClosed event")
    as_of_position: int = Field(description="The statements were sealed as they stood at this position")
    statements_sha256: str
    chain_hash: str
    closed_at: datetime
    closed_by: str


class MonthPublic(BaseModel):
    month: str
    status: Literal["open", "closed"]
    costs_cents: int = Field(description="The month's costs as they stand now (a closed month's statements "
                                         "keep what was issued; later changes are adjustments)")
    statements: int = Field(description="Statements numbered when it was closed (0 while open)")
    statement_number: int | None = Field(description="For a partner's token, its statement's number that "
                                                     "month; null otherwise, or while open")
    open_disputes: int = Field(description="Disputes still open on its lines (a partner's own only, for a "
                                           "partner's token)")
    seal: Seal | None = Field(description="Null while the month is open")

    model_config = {"json_schema_extra": {"examples": [{
        "month": "2026-03", "status": "closed", "costs_cents": 1_245_017, "statements": 23,
        "statement_number": None, "open_disputes": 1, "seal": {
            "position": 4811, "as_of_position": 4810, "closed_at": "2026-04-05T09:12:00Z",
            "closed_by": "coordinator/coord",
            "statements_sha256": "87f4ec156041e12465687c48565208cb1df8b02f403deb270374743add7e158f",
            "chain_hash": "516ef586e6ca34e92af0c59f5e38fd54177f55d10d85162a131c512c1e3a010b"}}]}}


@router.get("", response_model=list[MonthPublic],
            summary="Every month the ledger holds something for, open or closed, with its seal")
def months(*, services: ServicesDep, token: TokenDep, after: After = None) -> list[MonthPublic]:
    require_reader(token)
    partner_id = token.partner_id if token.role == "partner" else None
    with reading(services, after=after) as read:
        rows = read_model.months(read.conn, partner_id)
    return [_public(row) for row in rows]


def _public(row: dict) -> MonthPublic:
    closed = row["seal_position"] is not None
    seal = Seal(position=row["seal_position"], as_of_position=row["as_of_position"],
                statements_sha256=row["statements_sha256"], chain_hash=row["chain_hash"],
                closed_at=row["closed_at"], closed_by=row["closed_by"]) if closed else None
    return MonthPublic(month=row["month"], status="closed" if closed else "open", costs_cents=row["costs_cents"],
                       statements=row["statements"], statement_number=row["statement_number"],
                       open_disputes=row["open_disputes"], seal=seal)
