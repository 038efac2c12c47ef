"""Events of partners, resources, keys, costs, usage and corrections: small, frozen,
past-tense facts. The events of closing, disputes and access live beside their aggregates;
domain/catalogue.py finds them all.

Every event carries when it was recorded (`timestamp`, UTC) and who recorded it (`actor`);
usage events also carry when the usage happened. Stored events are never edited: a field
added later gets a default or a `model_validator(mode="before")` that upcasts old payloads.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, StringConstraints,
                      model_serializer)

from domain.ids import EntryId, Slug
from domain.keys import AllocationKey
from domain.money import Cents
from domain.periods import Month, StoredDatetime
from domain.text import StoredName, StoredText

ResourceKind = Literal["premises", "equipment", "staff", "service", "action"]
Unit = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9 ²/_-]{1,32}$")]
# Quantities of usage (hours, pages, km, acts): positive, at most 3 decimals.
Quantity = Annotated[Decimal, Field(gt=0, le=10_000_000, decimal_places=3)]
Hours = Annotated[Decimal, Field(gt=0, le=24, decimal_places=2)]
# Hours of a timed entry are computed to the thousandth (domain.entries.booked_hours).
LoggedHours = Annotated[Decimal, Field(gt=0, le=24, decimal_places=3)]


class DomainEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: StoredDatetime
    actor: str


# Partners -----------------------------------------------------------------------------


class PartnerJoined(DomainEvent):
    partner_id: Slug
    name: StoredName
    kind: StoredName
    joined_on: date


class PartnerLeft(DomainEvent):
    partner_id: Slug
    last_day: date


class PartnerRejoined(DomainEvent):
    partner_id: Slug
    joined_on: date


# Resources and keys -------------------------------------------------------------------


class ResourceRegistered(DomainEvent):
    resource_id: Slug
    name: StoredName
    kind: ResourceKind
    unit: Unit
    capacity: int


class ResourceRetired(DomainEvent):
    resource_id: Slug
    retired_on: date


class AllocationKeySet(DomainEvent):
    resource_id: Slug
    key_version: int
    applies_from: Month
    key: AllocationKey


# Money --------------------------------------------------------------------------------


class CostRecorded(DomainEvent):
    entry_id: EntryId
    resource_id: Slug
    month: Month
    amount_cents: Cents
    category: StoredName
    document_ref: StoredName


# Usage --------------------------------------------------------------------------------


class SlotBooked(DomainEvent):
    entry_id: EntryId
    resource_id: Slug
    partner_id: Slug
    starts_at: StoredDatetime
    ends_at: StoredDatetime


class BookingCancelled(DomainEvent):
    entry_id: EntryId
    reason: StoredText


class StaffHoursLogged(DomainEvent):
    """Hours an employee worked for a partner. A timed entry (the form used from 2026 on)
    carries its start and end, and `hours` is what domain.entries.booked_hours computes
    from them; an entry logged as a day and a number of hours (old clients, imports, and
    every event stored before starts_at/ends_at existed) has them None: it has a duration
    only, and escapes the rules that need times (daily rest, breaks, overlaps)."""

    entry_id: EntryId
    employee_id: Slug
    partner_id: Slug
    work_date: date
    hours: LoggedHours
    starts_at: StoredDatetime | None = None
    ends_at: StoredDatetime | None = None

    @model_serializer(mode="wrap")
    def _untimed_as_before(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # An untimed entry is stored in the shape it always had: no null start and end.
        data = handler(self)
        if self.starts_at is None and self.ends_at is None:
            data.pop("starts_at", None)
            data.pop("ends_at", None)
        return data


class EquipmentUsed(DomainEvent):
    entry_id: EntryId
    resource_id: Slug
    partner_id: Slug
    used_on: date
    quantity: Quantity
    unit: Unit


# Corrections --------------------------------------------------------------------------


class EntryCorrected(DomainEvent):
    """A new quantity (usage) or amount (cost) for an entry; the original stays in the log."""

    entry_id: EntryId
    quantity: Quantity | None = None
    amount_cents: Cents | None = None
    reason: StoredText


class EntryVoided(DomainEvent):
    entry_id: EntryId
    reason: StoredText


# Idempotency --------------------------------------------------------------------------


class CommandReceived(DomainEvent):
    """Receipt of an idempotent command: the body's digest and the events it recorded."""

    idempotency_key: str
    body_sha256: str
    recorded: tuple[tuple[UUID, int], ...]

