"""The one way the API records: check the token's rights, execute, wake the projections."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel

from api.auth import require_partner_scope, require_role
from api.services import Services
from domain.access import AccessToken
from domain.commands import BookSlot, CancelBooking, Command, LogStaffHours, RecordEquipmentUse
from domain.disputes import CommentDispute, OpenDispute
from domain.errors import NotFound
from event_store.ledger import Outcome

# What a partner token may record, always for its own partner.
PARTNER_COMMANDS = (BookSlot, RecordEquipmentUse, LogStaffHours, CancelBooking, OpenDispute, CommentDispute)


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


def check_rights(services: Services, token: AccessToken, command: Command) -> None:
    require_role(token, "coordinator", "partner")
    if token.role != "partner":
        return
    if not isinstance(command, PARTNER_COMMANDS):
        require_role(token, "coordinator")
    if isinstance(command, CancelBooking):
        # Another partner's booking and no booking at all get the same answer: entry ids
        # can be walked, and telling the two apart would map who booked what.
        try:
            owner = services.ledger.entry_partner(command.entry_id)
        except NotFound:
            owner = None
        if owner != token.partner_id:
            raise NotFound(f"partner '{token.partner_id}' has no booking '{command.entry_id}'",
                           field="entry_id")
    elif isinstance(command, CommentDispute):
        require_partner_scope(token, command.dispute_id.split(":", 1)[0], "comment a dispute")
    else:
        require_partner_scope(token, command.partner_id, "record usage")


def record(services: Services, token: AccessToken, commands: list[Command], key: str | None,
           *, batch: bool = False) -> Recorded:
    for command in commands:
        check_rights(services, token, command)
    # Keys are scoped to the token, so two clients cannot collide or replay each other.
    scoped = f"{token.token_sha256[:16]}:{key}" if key else None
    if batch:
        outcome = services.ledger.execute_batch(commands, actor=token.actor, idempotency_key=scoped)
    else:
        outcome = services.ledger.execute(commands[0], actor=token.actor, idempotency_key=scoped)
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
