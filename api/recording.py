"""The one way the API records: execute as the token's holder, wake the projections."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel

from api.services import Services
from application.idempotency import scoped_key
from application.outcome import Outcome
from domain.access import AccessToken
from domain.commands import Command


class RecordedEvent(BaseModel):
    position: int
    type: str
    aggregate_id: UUID
    version: int
    entry_id: str | None
    dispute_id: str | None = None


class Recorded(BaseModel):
    """What was recorded; `position` is the last event's: pass it as `after` to read your write."""

    position: int | None
    replayed: bool
    events: list[RecordedEvent]

    model_config = {
        "json_schema_extra": {
            "examples": [{
                "position": 4812, "replayed": False,
                "events": [{"position": 4812, "type": "SlotBooked", "version": 1,
                            "aggregate_id": "0b0f2f8e-4a55-5a4b-9a0e-3f1c2d6a7b10",
                            "entry_id": "salle-vercors:2026-03-02:1"}],
            }]
        }
    }


def record(services: Services, token: AccessToken, commands: list[Command], idempotency_key: str | None,
           *, batch: bool = False) -> Recorded:
    """Record as the token's holder: the ledger asks the permission policy first."""
    scoped = scoped_key(token.token_sha256, idempotency_key)
    if batch:
        outcome = services.ledger.execute_batch(commands, actor=token, idempotency_key=scoped)
    else:
        outcome = services.ledger.execute(commands[0], actor=token, idempotency_key=scoped)
    services.follower.nudge()
    return public(outcome)


def public(outcome: Outcome) -> Recorded:
    return Recorded(
        position=outcome.position,
        replayed=outcome.replayed,
        events=[
            RecordedEvent(position=e.position, type=e.type, aggregate_id=e.originator_id,
                          version=e.originator_version, entry_id=e.entry_id, dispute_id=e.dispute_id)
            for e in outcome.events
        ],
    )
