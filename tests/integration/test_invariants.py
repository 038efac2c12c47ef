"""Each invariant of the write side, on a real store: refused with the domain error, and
nothing of the refused command is in the store afterwards."""

from __future__ import annotations

import pytest

from domain import errors
from domain.commands import (
    BookSlot,
    CancelBooking,
    CorrectEntry,
    JoinPartner,
    LeavePartner,
    LogStaffHours,
    RecordCost,
    RecordEquipmentUse,
    RegisterResource,
    RetireResource,
    SetAllocationKey,
    VoidEntry,
    parse_command,
)
from application.ledger import Ledger
from application.outcome import BatchRefused
from tests.ledger_fixtures import COORDINATOR, event_count, small_pool


@pytest.fixture
def pool(ledger: Ledger) -> Ledger:
    small_pool(ledger)
    return ledger


def refused(ledger: Ledger, command, error: type[errors.DomainError]) -> errors.DomainError:
    before = event_count(ledger)
    with pytest.raises(error) as caught:
        ledger.execute(command, actor=COORDINATOR)
    assert event_count(ledger) == before
    return caught.value


def book(resource: str, start: str, end: str, partner: str = "creche-a") -> BookSlot:
    return BookSlot(
        resource_id=resource,
        partner_id=partner,
        starts_at=f"2026-03-02T{start}:00+01:00",
        ends_at=f"2026-03-02T{end}:00+01:00",
    )


def hours(h: str, day: str = "2026-03-02", partner: str = "creche-a") -> LogStaffHours:
    return LogStaffHours(employee_id="anne", partner_id=partner, work_date=day, hours=h)


def test_an_overlapping_booking_is_refused_and_names_the_booking_it_overlaps(pool: Ledger) -> None:
    """A room of capacity 1 booked 14:00-16:00 refuses 15:00-17:00, naming the first booking."""
    first = pool.execute(book("salle-vercors", "14:00", "16:00"), actor=COORDINATOR)
    error = refused(pool, book("salle-vercors", "15:00", "17:00"), errors.BookingOverlap)
    assert str(error) == (
        f"booking 15:00-17:00 on 2026-03-02 overlaps booking {first.events[0].entry_id} "
        "(14:00-16:00) of room 'Salle Vercors' (capacity 1)"
    )


def test_back_to_back_bookings_do_not_overlap(pool: Ledger) -> None:
    """A booking may start when the previous one ends."""
    pool.execute(book("salle-vercors", "14:00", "16:00"), actor=COORDINATOR)
    assert pool.execute(book("salle-vercors", "16:00", "17:00"), actor=COORDINATOR).position


def test_capacity_two_takes_two_overlapping_bookings_and_refuses_a_third(pool: Ledger) -> None:
    """The minibus (capacity 2) takes two bookings at once, not three."""
    pool.execute(book("minibus", "09:00", "12:00"), actor=COORDINATOR)
    pool.execute(book("minibus", "11:00", "13:00"), actor=COORDINATOR)
    pool.execute(book("minibus", "12:00", "14:00"), actor=COORDINATOR)  # peak still 2
    refused(pool, book("minibus", "11:30", "12:30"), errors.BookingOverlap)


def test_a_cancelled_booking_frees_its_slot(pool: Ledger) -> None:
    """After cancellation the same slot can be booked again."""
    first = pool.execute(book("salle-vercors", "14:00", "16:00"), actor=COORDINATOR)
    pool.execute(CancelBooking(entry_id=first.events[0].entry_id, reason="annulé"), actor=COORDINATOR)
    assert pool.execute(book("salle-vercors", "14:00", "16:00"), actor=COORDINATOR).position


def test_a_booking_cannot_be_cancelled_twice(pool: Ledger) -> None:
    """Cancelling an already cancelled booking is refused."""
    first = pool.execute(book("salle-vercors", "14:00", "16:00"), actor=COORDINATOR)
    cancel = CancelBooking(entry_id=first.events[0].entry_id)
    pool.execute(cancel, actor=COORDINATOR)
    refused(pool, cancel, errors.EntryNotOpen)


def test_an_eleven_hour_day_is_refused(pool: Ledger) -> None:
    """7 h then 4 h on one day exceed the 10 h daily limit."""
    pool.execute(hours("7"), actor=COORDINATOR)
    error = refused(pool, hours("4"), errors.WorkingTimeExceeded)
    assert "11.00 h on 2026-03-02 (limit 10 h a day)" in str(error)


def test_a_forty_nine_hour_week_is_refused(pool: Ledger) -> None:
    """Five days of 9.5 h then 1.5 h more on Saturday exceed 48 h in the ISO week."""
    for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"):
        pool.execute(hours("9.5", day), actor=COORDINATOR)
    error = refused(pool, hours("1.5", "2026-03-07"), errors.WorkingTimeExceeded)
    assert "week 2026-W10 (limit 48 h a week)" in str(error)


def test_hours_for_a_partner_outside_its_membership_are_refused(pool: Ledger) -> None:
    """club-b left on 2026-03-15: hours on the 16th are refused, on the 15th accepted."""
    pool.execute(hours("3", "2026-03-13", partner="club-b"), actor=COORDINATOR)
    error = refused(pool, hours("3", "2026-03-16", partner="club-b"), errors.NotAMember)
    assert "partner 'club-b' is not a member on 2026-03-16" in str(error)


def test_hours_before_a_partner_joins_are_refused(pool: Ledger) -> None:
    """A partner is not a member before the day it joined."""
    refused(pool, hours("3", "2025-12-31"), errors.NotAMember)


def test_a_correction_of_hours_is_checked_against_the_limits(pool: Ledger) -> None:
    """Correcting 6 h to 6.5 h is fine next to 3.5 h; to 7 h would make 10.5 h."""
    first = pool.execute(hours("6"), actor=COORDINATOR)
    pool.execute(hours("3.5"), actor=COORDINATOR)
    entry = first.events[0].entry_id
    pool.execute(CorrectEntry(entry_id=entry, quantity="6.5", reason="badge"), actor=COORDINATOR)
    refused(pool, CorrectEntry(entry_id=entry, quantity="7", reason="badge"), errors.WorkingTimeExceeded)


def test_a_correction_of_hours_keeps_to_hours_precision(pool: Ledger) -> None:
    """Hours are corrected to two decimals at most, like they are logged."""
    entry = pool.execute(hours("3"), actor=COORDINATOR).events[0].entry_id
    error = refused(pool, CorrectEntry(entry_id=entry, quantity="3.125", reason="x"), errors.InvalidCommand)
    assert error.field == "quantity"


def test_a_room_measured_in_square_metres_cannot_be_booked(pool: Ledger) -> None:
    """Bookings count hours: only resources measured in hours take them."""
    pool.execute(RegisterResource(resource_id="loyer", name="Loyer", kind="premises", unit="m²"), actor=COORDINATOR)
    assert refused(pool, book("loyer", "09:00", "10:00"), errors.InvalidCommand).field == "resource_id"


def test_equipment_use_must_be_in_the_resource_unit(pool: Ledger) -> None:
    """The copier counts pages, not hours."""
    use = RecordEquipmentUse(
        resource_id="copieur", partner_id="creche-a", used_on="2026-03-02", quantity=10, unit="hour"
    )
    error = refused(pool, use, errors.InvalidCommand)
    assert error.field == "unit"


def test_an_id_already_taken_is_refused(pool: Ledger) -> None:
    """Two partners cannot share an id."""
    refused(
        pool,
        JoinPartner(partner_id="creche-a", name="Autre crèche", joined_on="2026-02-01"),
        errors.AlreadyExists,
    )


def test_unknown_partner_and_resource_are_refused(pool: Ledger) -> None:
    """A booking for an unknown partner, hours on an unknown employee: not found."""
    assert refused(pool, book("salle-vercors", "09:00", "10:00", partner="nobody"), errors.NotFound).field == "partner_id"
    unknown = LogStaffHours(employee_id="ghost", partner_id="creche-a", work_date="2026-03-02", hours=1)
    assert refused(pool, unknown, errors.NotFound).field == "employee_id"


def test_a_retired_resource_takes_no_more_bookings(pool: Ledger) -> None:
    """Retired on 2026-03-01, the room cannot be booked on the 2nd."""
    pool.execute(RetireResource(resource_id="salle-vercors", retired_on="2026-03-01"), actor=COORDINATOR)
    refused(pool, book("salle-vercors", "09:00", "10:00"), errors.ResourceNotActive)


def test_a_key_naming_an_unknown_partner_is_refused(pool: Ledger) -> None:
    """Weights must name registered partners."""
    key = SetAllocationKey(
        resource_id="salle-vercors",
        applies_from="2026-03",
        key={"method": "fixed", "weights": {"creche-a": 60, "ghost": 40}},
    )
    assert refused(pool, key, errors.NotFound).field == "key.weights"


def test_voided_entries_cannot_be_corrected(pool: Ledger) -> None:
    """A void is final: a correction of a voided cost is refused."""
    cost = pool.execute(
        RecordCost(resource_id="copieur", month="2026-03", amount_cents=12000, category="maintenance",
                   document_ref="FAC-1"),
        actor=COORDINATOR,
    )
    entry = cost.events[0].entry_id
    assert entry == "copieur:2026-03:1"
    pool.execute(VoidEntry(entry_id=entry, reason="doublon"), actor=COORDINATOR)
    refused(pool, CorrectEntry(entry_id=entry, amount_cents=100, reason="x"), errors.EntryNotOpen)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"command": "record_cost", "resource_id": "copieur", "month": "2026-13", "amount_cents": 1,
          "category": "x", "document_ref": "y"}, "record_cost.month"),
        ({"command": "record_cost", "resource_id": "copieur", "month": "2026-03", "amount_cents": -5,
          "category": "x", "document_ref": "y"}, "record_cost.amount_cents"),
        ({"command": "record_cost", "resource_id": "copieur", "month": "2026-03", "amount_cents": 12.5,
          "category": "x", "document_ref": "y"}, "record_cost.amount_cents"),
        ({"command": "log_staff_hours", "employee_id": "anne", "partner_id": "creche-a",
          "work_date": "2026-03-02", "hours": "25"}, "log_staff_hours.hours"),
        ({"command": "book_slot", "resource_id": "salle-vercors", "partner_id": "creche-a",
          "starts_at": "2026-03-02T10:00:00", "ends_at": "2026-03-02T11:00:00+01:00"}, "book_slot.starts_at"),
        ({"command": "join_partner", "partner_id": "Bad Id", "name": "x", "joined_on": "2026-01-01"},
         "join_partner.partner_id"),
    ],
)
def test_malformed_commands_are_refused_naming_the_field(payload: dict, field: str) -> None:
    """Months, amounts, hours, timezones and ids are validated at the door."""
    with pytest.raises(errors.InvalidCommand) as caught:
        parse_command(payload)
    assert caught.value.field == field


def test_a_batch_is_all_or_nothing(pool: Ledger) -> None:
    """A batch whose third command is refused records none of the first two."""
    before = event_count(pool)
    batch = [
        book("salle-vercors", "09:00", "10:00"),
        hours("4"),
        book("salle-vercors", "09:30", "10:30"),  # overlaps the first command of the batch
        hours("2"),
    ]
    with pytest.raises(BatchRefused) as caught:
        pool.execute_batch(batch, actor=COORDINATOR)
    assert caught.value.index == 2
    assert isinstance(caught.value.error, errors.BookingOverlap)
    assert event_count(pool) == before


def test_a_batch_sees_its_own_earlier_commands(pool: Ledger) -> None:
    """Three entries on one timesheet in one batch get consecutive ids and one transaction."""
    outcome = pool.execute_batch([hours("2"), hours("3"), hours("1")], actor=COORDINATOR)
    assert [e.entry_id for e in outcome.events] == ["anne:2026-W10:1", "anne:2026-W10:2", "anne:2026-W10:3"]
    assert [e.position for e in outcome.events] == list(
        range(outcome.events[0].position, outcome.events[0].position + 3)
    )


def test_every_event_records_its_actor(pool: Ledger) -> None:
    """The actor given to the command is on the stored event."""
    outcome = pool.execute(book("salle-vercors", "09:00", "10:00"), actor="partner:creche-a")
    stored = list(pool.events.get(outcome.events[0].originator_id))
    assert stored[-1].actor == "partner:creche-a"
    assert stored[-1].timestamp.utcoffset().total_seconds() == 0


def test_a_batch_may_carry_one_actor_per_command(pool: Ledger) -> None:
    """An import keeps who recorded each line."""
    outcome = pool.execute_batch(
        [book("salle-vercors", "09:00", "10:00"), hours("2")],
        actor=["partner:creche-a", "coordinator@test"],
    )
    actors = [list(pool.events.get(e.originator_id))[-1].actor for e in outcome.events]
    assert actors == ["partner:creche-a", "coordinator@test"]
