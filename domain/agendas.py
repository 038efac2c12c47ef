"""A resource's day agenda: bookings (capacity) and equipment uses of that day."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.aggregate import Stamp, next_event
from domain.commands import BookSlot, CancelBooking, RecordEquipmentUse
from domain.entries import Container, Entry, check_open
from domain.errors import BookingOverlap, InvalidCommand, RuleViolation
from domain.events import BookingCancelled, EquipmentUsed, SlotBooked
from domain.partners import Partner
from domain.periods import local_day, local_hhmm
from domain.resources import Resource


def book(
    agenda: Container, cmd: BookSlot, resource: Resource, partner: Partner, stamp: Stamp
) -> SlotBooked:
    day = local_day(cmd.starts_at)
    if local_day(cmd.ends_at - timedelta(microseconds=1)) != day:
        raise InvalidCommand(
            f"a booking stays within one day: {_span(cmd.starts_at, cmd.ends_at)} "
            f"starts on {day.isoformat()} and ends on another day",
            field="ends_at",
        )
    resource.check_kind("premises", "equipment", "service", field="resource_id")
    if resource.unit != "hour":
        # A booking is counted in hours: a resource measured otherwise is not booked.
        raise InvalidCommand(
            f"{resource.label} is measured in '{resource.unit}', so it cannot be booked by the hour",
            field="resource_id",
        )
    resource.check_active_on(day, field="starts_at")
    partner.check_member_on(day)
    check_capacity(agenda, resource, cmd.starts_at, cmd.ends_at)
    return next_event(
        agenda,
        SlotBooked,
        stamp,
        entry_id=agenda.new_entry_id(),
        resource_id=resource.resource_id,
        partner_id=partner.partner_id,
        starts_at=cmd.starts_at,
        ends_at=cmd.ends_at,
    )


def check_capacity(agenda: Container, resource: Resource, start: datetime, end: datetime) -> None:
    """At no instant of [start, end) may the open bookings reach the resource's capacity."""
    overlapping = [
        e
        for e in agenda.entries
        if e.kind == "booking" and e.is_open and e.starts_at < end and start < e.ends_at
    ]
    if _peak(overlapping, start, end) < resource.capacity:
        return
    first = min(overlapping, key=lambda e: (e.starts_at, e.entry_id))
    others = f" and {len(overlapping) - 1} more" if len(overlapping) > 1 else ""
    raise BookingOverlap(
        f"booking {_span(start, end)} on {local_day(start).isoformat()} overlaps booking "
        f"{first.entry_id} ({_span(first.starts_at, first.ends_at)}){others} of "
        f"{resource.label} (capacity {resource.capacity})",
        field="starts_at",
    )


def _peak(bookings: list[Entry], start: datetime, end: datetime) -> int:
    """Most bookings open at once within [start, end)."""
    edges = sorted(
        [(max(b.starts_at, start), 1) for b in bookings] + [(min(b.ends_at, end), -1) for b in bookings]
    )
    peak = current = 0
    for _, step in edges:  # ends sort before starts at the same instant: -1 < 1
        current += step
        peak = max(peak, current)
    return peak


def _span(start: datetime, end: datetime) -> str:
    return f"{local_hhmm(start)}-{local_hhmm(end)}"


def cancel(agenda: Container, cmd: CancelBooking, stamp: Stamp) -> BookingCancelled:
    entry = agenda.find(cmd.entry_id)
    if entry.kind != "booking":
        raise RuleViolation(f"'{entry.entry_id}' is not a booking", field="entry_id")
    check_open(entry)
    return next_event(agenda, BookingCancelled, stamp, entry_id=entry.entry_id, reason=cmd.reason)


def record_use(
    agenda: Container, cmd: RecordEquipmentUse, resource: Resource, partner: Partner, stamp: Stamp
) -> EquipmentUsed:
    if cmd.unit != resource.unit:
        raise InvalidCommand(
            f"{resource.label} is measured in '{resource.unit}', not '{cmd.unit}'", field="unit"
        )
    resource.check_active_on(cmd.used_on, field="used_on")
    partner.check_member_on(cmd.used_on)
    return next_event(
        agenda,
        EquipmentUsed,
        stamp,
        entry_id=agenda.new_entry_id(),
        resource_id=resource.resource_id,
        partner_id=partner.partner_id,
        used_on=cmd.used_on,
        quantity=cmd.quantity,
        unit=cmd.unit,
    )
