"""Disputes: a partner contests a line of its statement; the coordinator resolves it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel

from application.permissions import require_partner_scope
from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.reads import After, reading
from application.permissions import require_reader
from api.recording import Recorded, record
from domain.disputes import CommentDispute, DisputeId, OpenDispute, ResolveDispute
from domain.ids import EntryId, Slug
from domain.money import Cents
from domain.periods import Month
from domain.text import Text
from projections import read_model

router = APIRouter(prefix="/disputes", tags=["disputes"])
DisputePath = Annotated[DisputeId, Path(examples=["creche-les-marmottes:2026-03:d1"])]


class CommentBody(BaseModel):
    comment: Text


class ResolutionBody(BaseModel):
    outcome: Literal["accepted", "rejected"]
    reason: Text
    credit_cents: Cents | None = None
    corrected_entries: tuple[EntryId, ...] = ()


class DisputePublic(BaseModel):
    dispute_id: str
    partner_id: str
    month: str
    resource_id: str
    line_kind: str
    part: int | None
    reason: str
    attachment_ref: str | None
    status: str
    opened_position: int
    resolved_position: int | None
    resolution_reason: str | None

    model_config = {"json_schema_extra": {"examples": [{
        "dispute_id": "creche-les-marmottes:2026-03:d1", "partner_id": "creche-les-marmottes",
        "month": "2026-03", "resource_id": "loyer-batiment", "line_kind": "share", "part": None,
        "reason": "surface surestimée", "attachment_ref": "plan-2026.pdf", "status": "open",
        "opened_position": 5120, "resolved_position": None, "resolution_reason": None}]}}


@router.post("", status_code=201, response_model=Recorded,
             summary="Dispute one line of a statement (the partner's own)")
def open_dispute(
    *, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
    body: Annotated[OpenDispute, Body(examples=[{
        "partner_id": "creche-les-marmottes", "month": "2026-03", "resource_id": "loyer-batiment",
        "line_kind": "share", "reason": "surface surestimée", "attachment_ref": "plan-2026.pdf"}])],
) -> Recorded:
    # Who may (application/permissions.py) and that the line exists (preconditions.py):
    # the ledger checks both, in that order.
    return record(services, token, [body], idempotency_key)


@router.post("/{dispute_id}/comments", status_code=201, response_model=Recorded,
             summary="Add a comment to an open dispute")
def comment(*, services: ServicesDep, token: TokenDep, dispute_id: DisputePath, idempotency_key: IdempotencyKey = None,
            body: Annotated[CommentBody, Body(examples=[{"comment": "le plan joint date de 2024"}])]) -> Recorded:
    return record(services, token, [CommentDispute(dispute_id=dispute_id, comment=body.comment)], idempotency_key)


@router.post("/{dispute_id}/resolve", status_code=201, response_model=Recorded,
             summary="Resolve a dispute: accepted (with a credit on the next statement) or rejected")
def resolve(*, services: ServicesDep, token: TokenDep, dispute_id: DisputePath, idempotency_key: IdempotencyKey = None,
            body: Annotated[ResolutionBody, Body(examples=[
                {"outcome": "accepted", "reason": "surface corrigée", "credit_cents": 12_345},
                {"outcome": "rejected", "reason": "relevé du compteur conforme"}])]) -> Recorded:
    command = ResolveDispute(dispute_id=dispute_id, **body.model_dump())
    return record(services, token, [command], idempotency_key)


@router.get("", response_model=list[DisputePublic], summary="Disputes, by partner, month or status")
def disputes(
    *, services: ServicesDep, token: TokenDep, after: After = None,
    partner_id: Annotated[Slug | None, Query(examples=["creche-les-marmottes"])] = None,
    month: Annotated[Month | None, Query(examples=["2026-03"])] = None,
    status: Annotated[Literal["open", "accepted", "rejected"] | None, Query()] = None,
) -> list[DisputePublic]:
    require_reader(token)
    if token.role == "partner":
        partner_id = partner_id or token.partner_id
        require_partner_scope(token, partner_id, "read disputes")
    with reading(services, after=after) as read:
        rows = read_model.disputes(read.conn, partner_id=partner_id, month=month, status=status)
    return [DisputePublic(**row) for row in rows]
