"""Pooled resources (premises, equipment, staff, services, joint actions) and their keys."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch
from uuid import UUID

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import RegisterResource, RetireResource, SetAllocationKey
from domain.errors import AlreadyExists, InvalidCommand, NotFound, ResourceNotActive, RuleViolation
from domain.events import AllocationKeySet, DomainEvent, ResourceRegistered, ResourceRetired
from domain.ids import resource_aggregate_id
from domain.pools import KeyVersion

KIND_LABELS = {
    "premises": "room",
    "equipment": "equipment",
    "staff": "employee",
    "service": "service",
    "action": "action",
}


@dataclass(frozen=True)
class Resource:
    id: UUID
    version: int
    resource_id: str
    name: str
    kind: str
    unit: str
    capacity: int
    retired_on: date | None
    keys: tuple[KeyVersion, ...]

    @property
    def label(self) -> str:
        return f"{KIND_LABELS[self.kind]} '{self.name}'"

    def check_active_on(self, day: date, field: str) -> None:
        if self.retired_on is not None and day >= self.retired_on:
            raise ResourceNotActive(
                f"{self.label} was retired on {self.retired_on.isoformat()}; "
                f"nothing can be recorded on it for {day.isoformat()}",
                field=field,
            )

    def check_kind(self, *kinds: str, field: str) -> None:
        if self.kind not in kinds:
            raise InvalidCommand(
                f"{self.label} is of kind '{self.kind}', expected {' or '.join(kinds)}",
                field=field,
            )


def require_resource(resource: Resource | None, resource_id: str, field: str = "resource_id") -> Resource:
    if resource is None:
        raise NotFound(f"no resource '{resource_id}'", field=field)
    return resource


def register(existing: Resource | None, cmd: RegisterResource, stamp: Stamp) -> ResourceRegistered:
    if existing is not None:
        raise AlreadyExists(
            f"resource id '{cmd.resource_id}' is already taken by {existing.label}",
            field="resource_id",
        )
    return first_event(
        ResourceRegistered,
        resource_aggregate_id(cmd.resource_id),
        stamp,
        resource_id=cmd.resource_id,
        name=cmd.name,
        kind=cmd.kind,
        unit=cmd.unit,
        capacity=cmd.capacity,
    )


def retire(resource: Resource, cmd: RetireResource, stamp: Stamp) -> ResourceRetired:
    if resource.retired_on is not None:
        raise RuleViolation(
            f"{resource.label} was already retired on {resource.retired_on.isoformat()}",
            field="resource_id",
        )
    return next_event(
        resource, ResourceRetired, stamp, resource_id=resource.resource_id, retired_on=cmd.retired_on
    )


def set_key(resource: Resource, cmd: SetAllocationKey, stamp: Stamp) -> AllocationKeySet:
    if resource.retired_on is not None:
        raise ResourceNotActive(f"{resource.label} is retired", field="resource_id")
    return next_event(
        resource,
        AllocationKeySet,
        stamp,
        resource_id=resource.resource_id,
        key_version=len(resource.keys) + 1,
        applies_from=cmd.applies_from,
        key=cmd.key,
    )


@singledispatch
def evolve(event: DomainEvent, state: Resource | None) -> Resource:
    raise TypeError(f"a resource does not take {type(event).__name__}")


@evolve.register
def _(event: ResourceRegistered, _: None) -> Resource:
    return Resource(
        id=event.originator_id,
        version=event.originator_version,
        resource_id=event.resource_id,
        name=event.name,
        kind=event.kind,
        unit=event.unit,
        capacity=event.capacity,
        retired_on=None,
        keys=(),
    )


@evolve.register
def _(event: ResourceRetired, state: Resource) -> Resource:
    return replace(state, version=event.originator_version, retired_on=event.retired_on)


@evolve.register
def _(event: AllocationKeySet, state: Resource) -> Resource:
    key = KeyVersion(event.key_version, event.applies_from, event.key)
    return replace(state, version=event.originator_version, keys=(*state.keys, key))


project_resource = projector(evolve)
