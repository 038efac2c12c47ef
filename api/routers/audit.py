"""The audit trail: every event of the log, in order, with who recorded it and when; and
the anchor an auditor notes to prove later that the log up to it was not rewritten."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from application.permissions import AUDITORS, require_role
from api.deps import ServicesDep, TokenDep
from api.reads import MAX_POSITION, After, AsOf, reading
from domain.errors import InvalidCommand
from domain.ids import Slug
from domain.periods import UtcDatetime
from domain.text import Name
from projections import read_model
from projections.verify import anchor_at

router = APIRouter(tags=["audit"])

MAX_LIMIT = 1000


class AuditEvent(BaseModel):
    position: int
    recorded_at: datetime
    event_type: str
    aggregate_id: UUID
    aggregate_version: int
    actor: str
    payload: dict[str, Any]


class AuditPage(BaseModel):
    """Events in log order; pass `next_after_position` as `after_position` for the next page
    (null when this page is the last)."""

    events: list[AuditEvent]
    next_after_position: int | None
    position: int
    as_of: bool

    model_config = {
        "json_schema_extra": {
            "examples": [{
                "events": [{
                    "position": 4813, "recorded_at": "2026-04-02T10:15:00Z", "event_type": "EntryCorrected",
                    "aggregate_id": "0b0f2f8e-4a55-5a4b-9a0e-3f1c2d6a7b10", "aggregate_version": 3,
                    "actor": "coordinator/coord",
                    "payload": {"entry_id": "salle-vercors:2026-03:1", "amount_cents": 48_500,
                                "reason": "avoir FAC-2026-03-017-A"},
                }],
                "next_after_position": 4813, "position": 5120, "as_of": False,
            }]
        }
    }


@router.get("/audit", response_model=AuditPage,
            summary="The audit trail, filtered by aggregate, event type, actor, partner, resource and "
                    "recording time (auditors and coordinators)")
def audit(
    *, services: ServicesDep, token: TokenDep,
    aggregate_id: Annotated[UUID | None, Query(description="Only this aggregate's events",
                                               examples=["0b0f2f8e-4a55-5a4b-9a0e-3f1c2d6a7b10"])] = None,
    event_type: Annotated[str | None, Query(pattern=r"^[A-Za-z]{1,80}$", description="Only events of this type",
                                            examples=["EntryCorrected"])] = None,
    actor: Annotated[Name | None, Query(description="Only events recorded by this actor",
                                       examples=["coordinator/coord"])] = None,
    partner_id: Annotated[Slug | None, Query(description="Only events concerning this partner: its membership, its "
                                                         "usage entries (recorded, corrected, voided, cancelled), "
                                                         "its disputes and their credits",
                                             examples=["maison-des-associations"])] = None,
    resource_id: Annotated[Slug | None, Query(description="Only events concerning this resource: its registration "
                                                          "and retirement, its keys, its costs, its usage entries, "
                                                          "its disputes and their credits",
                                              examples=["salle-vercors"])] = None,
    since: Annotated[UtcDatetime | None, Query(description="Recorded at or after this time (with a timezone)",
                                               examples=["2026-04-01T00:00:00+02:00"])] = None,
    until: Annotated[UtcDatetime | None, Query(description="Recorded before this time (with a timezone)",
                                               examples=["2026-05-01T00:00:00+02:00"])] = None,
    after_position: Annotated[int, Query(ge=0, le=MAX_POSITION, description="Events after this position (paging)",
                                         examples=[4812])] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"At most this many events (≤ {MAX_LIMIT})",
                                examples=[100])] = 100,
    as_of: AsOf = None,
    after: After = None,
) -> AuditPage:
    require_role(token, *AUDITORS)
    if since is not None and until is not None and since >= until:
        raise InvalidCommand(f"since ({since.isoformat()}) must be before until ({until.isoformat()})",
                             field="since")
    with reading(services, after=after, as_of=as_of) as read:
        rows = read_model.audit_events(
            read.conn, after=after_position, upto=read.position, aggregate_id=aggregate_id,
            event_type=event_type, actor=actor, since=since, until=until, limit=limit + 1,
            partner_id=partner_id, resource_id=resource_id)
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(
        events=[AuditEvent(position=p, recorded_at=at, event_type=kind, aggregate_id=agg, aggregate_version=v,
                           actor=who, payload=json.loads(payload))
                for p, at, kind, agg, v, who, payload in rows],
        next_after_position=rows[-1][0] if more else None,
        position=read.position, as_of=read.as_of,
    )


class AuditAnchor(BaseModel):
    """The head of the hash chain at a position: note `anchor` outside the store, and later
    `encommun verify --anchor <anchor>` proves that the log up to it was not rewritten."""

    position: int
    chain_hash: str
    anchor: str

    model_config = {
        "json_schema_extra": {
            "examples": [{
                "position": 4667,
                "chain_hash": "5b0c1e52f1f5a2b8c35d0d0bbf1b3a6a34b37c1df0a9c8e2b7d4f3a1e9c0d2b4",
                "anchor": "4667:5b0c1e52f1f5a2b8c35d0d0bbf1b3a6a34b37c1df0a9c8e2b7d4f3a1e9c0d2b4",
            }]
        }
    }


@router.get("/audit/anchor", response_model=AuditAnchor,
            summary="The head of the hash chain, to note as an anchor for `encommun verify` "
                    "(auditors and coordinators)")
def audit_anchor(*, services: ServicesDep, token: TokenDep, as_of: AsOf = None,
                 after: After = None) -> AuditAnchor:
    require_role(token, *AUDITORS)
    with reading(services, after=after, as_of=as_of) as read:
        head = anchor_at(read.conn, read.position)
    return AuditAnchor(position=head.position, chain_hash=head.chain_hash, anchor=str(head))
