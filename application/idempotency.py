"""Idempotency receipts: a command sent again under its key records nothing twice.

The receipt (`CommandReceived`) is saved in the same transaction as the events it names,
so a command is either recorded with its receipt or not at all.
"""

from __future__ import annotations

import hashlib
import json
from typing import Sequence

from domain.aggregate import Stamp, first_event
from domain.commands import Command
from domain.errors import IdempotencyKeyReused
from domain.events import CommandReceived, DomainEvent
from domain.ids import receipt_aggregate_id
from application.outcome import Outcome, StoredEvent
from event_store.positions import positions_of
from event_store.store import EventStore


def scoped_key(token_sha256: str, key: str | None) -> str | None:
    """A client's key, scoped to its token: two clients cannot collide or replay each other."""
    return f"{token_sha256[:16]}:{key}" if key else None


def receipt(key: str, digest: str, events: list[DomainEvent], stamp: Stamp) -> CommandReceived:
    return first_event(
        CommandReceived,
        receipt_aggregate_id(key),
        stamp,
        idempotency_key=key,
        body_sha256=digest,
        recorded=tuple((e.originator_id, e.originator_version) for e in events),
    )


def body_digest(commands: Sequence[Command]) -> str:
    body = json.dumps([c.model_dump(mode="json") for c in commands], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def replay(store: EventStore, key: str, digest: str) -> Outcome | None:
    """The first answer given under `key`, or None if the key is new; IdempotencyKeyReused
    if it was given for a different body."""
    found = list(store.events.get(receipt_aggregate_id(key), limit=1))
    if not found:
        return None
    first: CommandReceived = found[0]
    if first.body_sha256 != digest:
        raise IdempotencyKeyReused(
            f"idempotency key {key!r} was already used for a different request; "
            "use a new key for a new request",
            field="Idempotency-Key",
        )
    positions = positions_of(store.recorder, first.recorded)
    events = tuple(
        StoredEvent.of(positions[(originator_id, version)], event)
        for (originator_id, version), event in zip(first.recorded, _events_at(store, first.recorded), strict=True)
    )
    return Outcome(events, replayed=True)


def _events_at(store: EventStore, recorded: Sequence[tuple]) -> list[DomainEvent]:
    return [
        next(iter(store.events.get(originator_id, gt=version - 1, lte=version)))
        for originator_id, version in recorded
    ]
