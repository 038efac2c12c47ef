"""One command (or one batch) at work: the aggregates it read and the events it decided.

Aggregates are loaded once and then evolved in memory, so the second command of a batch
sees what the first one decided; everything is saved in one transaction at the end, with
the versions of the aggregates a rule consulted without writing them (`read_versions`):
the store refuses the save if one of them moved on meanwhile (event_store/recorders.py).
"""

from __future__ import annotations

from typing import Any, Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from domain import entries, partners, resources
from domain.entries import Container
from domain.events import DomainEvent
from domain.ids import partner_aggregate_id, resource_aggregate_id
from domain.partners import Partner
from domain.resources import Resource


class UnitOfWork:
    def __init__(self, repository: Repository[UUID]) -> None:
        self._repository = repository
        self._states: dict[UUID, Any] = {}
        self._consulted: set[UUID] = set()
        self.events: list[DomainEvent] = []

    def get(self, aggregate_id: UUID, project: Callable[..., Any]) -> Any:
        """Any aggregate, by id and projector; None if it has no events yet."""
        return self._get(aggregate_id, project)

    def _get(self, aggregate_id: UUID, project: Callable[..., Any]) -> Any:
        if aggregate_id not in self._states:
            try:
                state = self._repository.get(aggregate_id, projector_func=project)
            except AggregateNotFoundError:
                state = None
            self._states[aggregate_id] = state
        return self._states[aggregate_id]

    def partner(self, partner_id: str) -> Partner | None:
        return self._get(partner_aggregate_id(partner_id), partners.project_partner)

    def resource(self, resource_id: str) -> Resource | None:
        return self._get(resource_aggregate_id(resource_id), resources.project_resource)

    def container(self, aggregate_id: UUID) -> Container | None:
        return self._get(aggregate_id, entries.project_container)

    def consult(self, aggregate_id: UUID) -> Container | None:
        """A container a rule reads to decide but does not write (another week of an
        employee): saved or not, the decision holds only while it stays as read."""
        self._consulted.add(aggregate_id)
        return self.container(aggregate_id)

    def read_versions(self) -> dict[UUID, int]:
        """Each consulted aggregate this unit did not write, at the version it was read
        (0: no event yet). Written ones need no check: their own versions conflict."""
        written = {event.originator_id for event in self.events}
        return {aggregate_id: getattr(self._states[aggregate_id], "version", 0)
                for aggregate_id in self._consulted - written}

    def record(self, event: DomainEvent, evolve: Callable[[Any, Any], Any]) -> DomainEvent:
        self._states[event.originator_id] = evolve(event, self._states.get(event.originator_id))
        self.events.append(event)
        return event
