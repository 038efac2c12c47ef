"""Closing months, and comparing a closed month as issued with how it stands now."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel

from application.close_month import close_month
from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.reads import After, reading
from application.idempotency import scoped_key
from application.permissions import require_reader
from api.recording import Recorded, public
from domain.errors import NotFound
from domain.periods import Month
from projections import closing, read_model

router = APIRouter(prefix="/periods", tags=["closing"])
MonthPath = Annotated[Month, Path(description="A month, YYYY-MM", examples=["2026-03"])]


class Period(BaseModel):
    month: str
    as_of_position: int
    statements_sha256: str
    chain_hash: str
    position: int
    closed_at: datetime
    actor: str

    model_config = {"json_schema_extra": {"examples": [{
        "month": "2026-03", "as_of_position": 4810, "position": 4811, "actor": "coordinator/coord",
        "statements_sha256": "87f4ec156041e12465687c48565208cb1df8b02f403deb270374743add7e158f",
        "chain_hash": "516ef586e6ca34e92af0c59f5e38fd54177f55d10d85162a131c512c1e3a010b",
        "closed_at": "2026-04-05T09:12:00Z"}]}}


class Difference(BaseModel):
    month: str
    partner_id: str | None
    resource_id: str
    line_kind: str
    part: int | None
    origin_month: str | None
    dispute_id: str | None
    issued_cents: int | None
    now_cents: int | None
    difference_cents: int
    caused_by: list[int]

    model_config = {"json_schema_extra": {"examples": [{
        "month": "2026-01", "partner_id": "creche-a", "resource_id": "salle-vercors", "line_kind": "share",
        "part": None, "origin_month": None, "dispute_id": None, "issued_cents": 18_430,
        "now_cents": 17_125, "difference_cents": -1_305, "caused_by": [302]}]}}


@router.post("/{month}/close", status_code=201, response_model=Recorded,
             summary="Close a month: its statements are sealed, numbered and never change again")
def close(*, services: ServicesDep, token: TokenDep, month: MonthPath, idempotency_key: IdempotencyKey = None) -> Recorded:
    return public(close_month(services.ledger, services.follower, month, actor=token,
                              idempotency_key=scoped_key(token.token_sha256, idempotency_key)))


@router.get("", response_model=list[Period], summary="The closed months and their seals")
def periods(*, services: ServicesDep, token: TokenDep, after: After = None) -> list[Period]:
    require_reader(token)
    with reading(services, after=after) as read:
        return [Period(**row) for row in read_model.closed_months(read.conn)]


@router.get(
    "/{month}/issued-vs-now", response_model=list[Difference],
    summary="A closed month as issued and as it stands now, line by line, with the events that "
            "made each difference (Accept: text/csv for a spreadsheet)",
    responses={200: {"content": {"text/csv": {}}}},
)
def issued_vs_now(*, services: ServicesDep, token: TokenDep, request: Request, month: MonthPath,
                  after: After = None) -> list[Difference] | Response:
    require_reader(token)
    with reading(services, after=after) as read:
        rows = closing.issued_vs_now(read.conn, month, read.position)
    if rows is None:
        raise NotFound(f"month {month} is not closed: there is no issued statement to compare", field="month")
    if token.role == "partner":
        rows = [r for r in rows if r["partner_id"] == token.partner_id]
    differences = [Difference(**r) for r in rows]
    if "text/csv" in request.headers.get("accept", ""):
        return Response(_csv(differences), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="emis-vs-actuel-{month}.csv"'})
    return differences


def _csv(rows: list[Difference]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(list(Difference.model_fields))
    for row in rows:
        writer.writerow(["" if v is None else " ".join(map(str, v)) if isinstance(v, list) else v
                         for v in row.model_dump().values()])
    return out.getvalue()
