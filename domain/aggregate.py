"""What every aggregate shares.

Aggregates are immutable snapshots of state (frozen dataclasses). A command function
checks the rules against the state and returns the new event; `evolve` folds events into
state. Nothing mutates, so a cached aggregate can be handed out without copying.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, TypeVar
from uuid import UUID

from domain.events import DomainEvent

E = TypeVar("E", bound=DomainEvent)
S = TypeVar("S")


@dataclass(frozen=True)
class Stamp:
    """Who records an event, and when (UTC)."""

    actor: str
    at: datetime


def first_event(cls: type[E], aggregate_id: UUID, stamp: Stamp, **fields: Any) -> E:
    return cls(
        originator_id=aggregate_id,
        originator_version=1,
        timestamp=stamp.at,
        actor=stamp.actor,
        **fields,
    )


def next_event(state: Any, cls: type[E], stamp: Stamp, **fields: Any) -> E:
    return cls(
        originator_id=state.id,
        originator_version=state.version + 1,
        timestamp=stamp.at,
        actor=stamp.actor,
        **fields,
    )


def projector(
    evolve: Callable[[Any, Any], S],
) -> Callable[[S | None, Iterable[DomainEvent]], S | None]:
    """A projector function for eventsourcing's Repository.get()."""

    def project(state: S | None, events: Iterable[DomainEvent]) -> S | None:
        for event in events:
            state = evolve(event, state)
        return state

    return project
