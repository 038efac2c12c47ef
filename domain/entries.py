"""Entry containers: the aggregates that hold usage and cost entries.

An entry lives in the container whose rules it must respect together with its
neighbours: bookings and equipment uses in a resource's day agenda (capacity), staff hours
in an employee's ISO-week timesheet (daily and weekly limits), costs in a resource's
monthly cost book. Concurrent writers to one container conflict on its version and are
retried on fresh state, so the rules hold under concurrency.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import singledispatch
from typing import Callable
from uuid import UUID

from domain.aggregate import Stamp, next_event, projector
from domain.commands import CorrectEntry, VoidEntry
from domain.errors import EntryNotOpen, InvalidCommand, NotFound, RuleViolation
from domain.events import (
    BookingCancelled,
    CostRecorded,
    DomainEvent,
    EntryCorrected,
    EntryVoided,
    EquipmentUsed,
    SlotBooked,
    StaffHoursLogged,
)
from domain.ids import entry_id, parse_entry_id

ENTRY_LABELS = {"booking": "booking", "use": "equipment use", "hours": "staff hours", "cost": "cost"}


@dataclass(frozen=True)
class Entry:
    entry_id: str
    kind: str  # booking | use | hours | cost
    partner_id: str | None
    day: date | None
    quantity: Decimal  # hours booked or worked, units used, or cents for a cost
    status: str = "open"  # open | cancelled | voided
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Container:
    id: UUID
    version: int
    resource_id: str
    period: str  # YYYY-MM-DD (agenda), YYYY-Www (timesheet) or YYYY-MM (cost book)
    entries: tuple[Entry, ...]

    def new_entry_id(self) -> str:
        return entry_id(self.resource_id, self.period, len(self.entries) + 1)

    def find(self, wanted: str) -> Entry:
        _, _, seq = parse_entry_id(wanted)
        if seq <= len(self.entries) and self.entries[seq - 1].entry_id == wanted:
            return self.entries[seq - 1]
        raise NotFound(f"no entry '{wanted}'", field="entry_id")

    def open_entries(self) -> list[Entry]:
        return [e for e in self.entries if e.is_open]


def empty_container(aggregate_id: UUID, resource_id: str, period: str) -> Container:
    """A container before its first event, to number the first entry and check rules."""
    return Container(id=aggregate_id, version=0, resource_id=resource_id, period=period, entries=())


def require_container(container: Container | None, wanted: str) -> Container:
    if container is None:
        raise NotFound(f"no entry '{wanted}'", field="entry_id")
    return container


def void(container: Container, cmd: VoidEntry, stamp: Stamp) -> EntryVoided:
    entry = container.find(cmd.entry_id)
    check_open(entry)
    check_as_read(entry, cmd.from_amount_cents)
    return next_event(container, EntryVoided, stamp, entry_id=entry.entry_id, reason=cmd.reason)


def correct(
    container: Container,
    cmd: CorrectEntry,
    stamp: Stamp,
    check_hours: Callable[[Container, Entry, Decimal], None],
) -> EntryCorrected:
    """New quantity for usage, new amount for a cost; hours are checked against the limits."""
    entry = container.find(cmd.entry_id)
    check_open(entry)
    check_as_read(entry, cmd.from_amount_cents)
    if entry.kind == "booking":
        raise RuleViolation(
            f"booking '{entry.entry_id}' cannot be corrected: cancel it and book again",
            field="entry_id",
        )
    if entry.kind == "cost":
        if cmd.amount_cents is None:
            raise InvalidCommand(
                f"'{entry.entry_id}' is a cost: correct it with amount_cents, not quantity",
                field="amount_cents",
            )
    elif cmd.quantity is None:
        raise InvalidCommand(
            f"'{entry.entry_id}' is {ENTRY_LABELS[entry.kind]}: correct it with quantity, "
            f"not amount_cents",
            field="quantity",
        )
    if entry.kind == "hours":
        if entry.starts_at is not None:
            # Its hours are its times': a new quantity would contradict them.
            raise RuleViolation(
                f"staff hours '{entry.entry_id}' were logged with a start and an end: they cannot be "
                f"corrected, void them and log the right times again",
                field="entry_id",
            )
        if cmd.quantity > 24 or cmd.quantity.normalize().as_tuple().exponent < -2:
            raise InvalidCommand(
                f"hours are at most 24 with two decimals, not {cmd.quantity}", field="quantity"
            )
        check_hours(container, entry, cmd.quantity)
    return next_event(
        container,
        EntryCorrected,
        stamp,
        entry_id=entry.entry_id,
        quantity=cmd.quantity,
        amount_cents=cmd.amount_cents,
        reason=cmd.reason,
    )


def check_as_read(entry: Entry, from_amount_cents: int | None) -> None:
    """A change decided from a cost's amount as read holds only while the cost still has it:
    two credit notes typed at once on one cost must not each undo the other."""
    if from_amount_cents is None:
        return
    if entry.kind != "cost":
        raise InvalidCommand(f"'{entry.entry_id}' is {ENTRY_LABELS[entry.kind]}: from_amount_cents is a "
                             f"cost's amount", field="from_amount_cents")
    if entry.quantity != from_amount_cents:
        raise RuleViolation(f"cost '{entry.entry_id}' is now {int(entry.quantity)} cents, not {from_amount_cents}: "
                            f"it was corrected since it was read; read it again", field="from_amount_cents")


def check_open(entry: Entry) -> None:
    if not entry.is_open:
        raise EntryNotOpen(
            f"{ENTRY_LABELS[entry.kind]} '{entry.entry_id}' is already {entry.status}",
            field="entry_id",
        )


def _period_of(event_entry_id: str) -> str:
    return parse_entry_id(event_entry_id)[1]


def _add(state: Container | None, event: DomainEvent, resource_id: str, entry: Entry) -> Container:
    if state is None:
        state = empty_container(event.originator_id, resource_id, _period_of(entry.entry_id))
    return replace(state, version=event.originator_version, entries=(*state.entries, entry))


def _update(state: Container, event: DomainEvent, wanted: str, **changes: object) -> Container:
    entries = tuple(replace(e, **changes) if e.entry_id == wanted else e for e in state.entries)
    return replace(state, version=event.originator_version, entries=entries)


_MICROSECONDS_PER_THOUSANDTH_HOUR = 3_600_000


def booked_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    """A booking's (or timed staff entry's) hours, to the thousandth, half up, computed exactly from whole
    microseconds. The projections compute the same in SQL (`usage_versions.quantity` in
    projections/sql/apply_page.sql); tests/integration/test_booked_hours.py holds them equal."""
    microseconds = (ends_at - starts_at) // timedelta(microseconds=1)
    thousandths, rest = divmod(microseconds, _MICROSECONDS_PER_THOUSANDTH_HOUR)
    if 2 * rest >= _MICROSECONDS_PER_THOUSANDTH_HOUR:
        thousandths += 1
    return Decimal(thousandths).scaleb(-3)


@singledispatch
def evolve(event: DomainEvent, state: Container | None) -> Container:
    raise TypeError(f"an entry container does not take {type(event).__name__}")


@evolve.register
def _(event: SlotBooked, state: Container | None) -> Container:
    entry = Entry(
        event.entry_id, "booking", event.partner_id, None, booked_hours(event.starts_at, event.ends_at),
        starts_at=event.starts_at, ends_at=event.ends_at,
    )
    return _add(state, event, event.resource_id, entry)


@evolve.register
def _(event: EquipmentUsed, state: Container | None) -> Container:
    entry = Entry(event.entry_id, "use", event.partner_id, event.used_on, event.quantity)
    return _add(state, event, event.resource_id, entry)


@evolve.register
def _(event: StaffHoursLogged, state: Container | None) -> Container:
    # A timed entry's hours are its times' (as the projections compute them), an older
    # entry's the hours it was logged with.
    timed = event.starts_at is not None and event.ends_at is not None
    hours = booked_hours(event.starts_at, event.ends_at) if timed else event.hours
    entry = Entry(event.entry_id, "hours", event.partner_id, event.work_date, hours,
                  starts_at=event.starts_at if timed else None, ends_at=event.ends_at if timed else None)
    return _add(state, event, event.employee_id, entry)


@evolve.register
def _(event: CostRecorded, state: Container | None) -> Container:
    entry = Entry(event.entry_id, "cost", None, None, Decimal(event.amount_cents))
    return _add(state, event, event.resource_id, entry)


@evolve.register
def _(event: BookingCancelled, state: Container) -> Container:
    return _update(state, event, event.entry_id, status="cancelled")


@evolve.register
def _(event: EntryVoided, state: Container) -> Container:
    return _update(state, event, event.entry_id, status="voided")


@evolve.register
def _(event: EntryCorrected, state: Container) -> Container:
    new = event.quantity if event.quantity is not None else Decimal(event.amount_cents)
    return _update(state, event, event.entry_id, quantity=new)


project_container = projector(evolve)
