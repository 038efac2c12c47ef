"""What recording a command (or a batch) answers: the events stored and their positions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from uuid import UUID

from eventsourcing.persistence import Recording

from domain.errors import DomainError
from domain.events import CommandReceived, DomainEvent


@dataclass(frozen=True)
class StoredEvent:
    """One event as the store recorded it: where in the log, and what it names."""

    position: int
    originator_id: UUID
    originator_version: int
    type: str
    entry_id: str | None
    dispute_id: str | None = None

    @classmethod
    def of(cls, position: int, event: DomainEvent) -> StoredEvent:
        return cls(position, event.originator_id, event.originator_version, type(event).__name__,
                   getattr(event, "entry_id", None), getattr(event, "dispute_id", None))


@dataclass(frozen=True)
class Outcome:
    """What a command (or batch) recorded; `replayed` when an idempotent retry found it."""

    events: tuple[StoredEvent, ...]
    replayed: bool = False

    @property
    def position(self) -> int | None:
        """The log position of the last event recorded: wait for it to read your writes."""
        return self.events[-1].position if self.events else None

    @classmethod
    def of(cls, recordings: Sequence[Recording]) -> Outcome:
        """The recorded events, receipts left out (they are bookkeeping, not the answer)."""
        return cls(tuple(
            StoredEvent.of(r.notification.id, r.domain_event)
            for r in recordings
            if not isinstance(r.domain_event, CommandReceived)
        ))


class BatchRefused(DomainError):
    """One command of a batch was refused; nothing of the batch was recorded."""

    def __init__(self, index: int, error: DomainError) -> None:
        super().__init__(f"command {index} refused: {error.message}", field=error.field)
        self.index = index
        self.error = error
        self.rule = error.rule
