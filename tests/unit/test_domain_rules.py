"""Given events, when a command, then an event or a domain error — pure, no store."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Iterable

import pytest

from domain import agendas, entries, partners, resources, timesheets
from domain.aggregate import Stamp
from domain.commands import (
    BookSlot,
    CorrectEntry,
    JoinPartner,
    LeavePartner,
    LogStaffHours,
    RegisterResource,
    RejoinPartner,
)
from domain.entries import empty_container
from domain.errors import AlreadyExists, BookingOverlap, NotAMember, RuleViolation, WorkingTimeExceeded
from domain.events import DomainEvent, EntryCorrected, PartnerRejoined, SlotBooked
from domain.ids import agenda_aggregate_id, timesheet_aggregate_id
from domain.timesheets import WorkingTimeLimits

STAMP = Stamp(actor="test", at=datetime(2026, 3, 1, 12, tzinfo=timezone.utc))


def fold(evolve, events: Iterable[DomainEvent]):
    state = None
    for event in events:
        state = evolve(event, state)
    return state


def given_partner(*later) -> partners.Partner:
    joined = partners.join(None, JoinPartner(partner_id="p", name="P", joined_on="2026-01-01"), STAMP)
    state = partners.evolve(joined, None)
    for command, decide in later:
        state = partners.evolve(decide(state, command, STAMP), state)
    return state


def given_room(capacity: int = 1) -> resources.Resource:
    cmd = RegisterResource(resource_id="salle", name="Salle", kind="premises", unit="hour", capacity=capacity)
    return resources.evolve(resources.register(None, cmd, STAMP), None)


def slot(start: str, end: str) -> BookSlot:
    return BookSlot(resource_id="salle", partner_id="p", starts_at=f"2026-03-02T{start}:00+01:00",
                    ends_at=f"2026-03-02T{end}:00+01:00")


def test_a_partner_id_can_join_only_once() -> None:
    """Joining with a taken id raises AlreadyExists."""
    with pytest.raises(AlreadyExists):
        partners.join(given_partner(), JoinPartner(partner_id="p", name="Q", joined_on="2026-02-01"), STAMP)


def test_membership_periods_follow_leave_and_rejoin() -> None:
    """Left on 31 March, rejoined 1 June: member in March and June, not in May."""
    partner = given_partner(
        (LeavePartner(partner_id="p", last_day="2026-03-31"), partners.leave),
        (RejoinPartner(partner_id="p", joined_on="2026-06-01"), partners.rejoin),
    )
    assert [partner.is_member_on(datetime(2026, m, 15).date()) for m in (3, 5, 6)] == [True, False, True]
    with pytest.raises(NotAMember):
        partner.check_member_on(datetime(2026, 5, 15).date())


def test_a_partner_cannot_rejoin_before_its_last_day() -> None:
    """Rejoining must start after the last day of the previous membership."""
    partner = given_partner((LeavePartner(partner_id="p", last_day="2026-03-31"), partners.leave))
    with pytest.raises(RuleViolation):
        partners.rejoin(partner, RejoinPartner(partner_id="p", joined_on="2026-03-31"), STAMP)


def test_booking_a_free_slot_gives_slot_booked_with_the_next_entry_id() -> None:
    """An empty agenda numbers its first booking 1."""
    agenda = empty_container(agenda_aggregate_id("salle", "2026-03-02"), "salle", "2026-03-02")
    event = agendas.book(agenda, slot("14:00", "16:00"), given_room(), given_partner(), STAMP)
    assert isinstance(event, SlotBooked)
    assert (event.entry_id, event.originator_version) == ("salle:2026-03-02:1", 1)


def test_an_overlap_within_capacity_is_accepted_and_beyond_it_refused() -> None:
    """Capacity 2: two overlapping bookings stand, the third overlapping both is refused."""
    room, partner = given_room(capacity=2), given_partner()
    agenda = empty_container(agenda_aggregate_id("salle", "2026-03-02"), "salle", "2026-03-02")
    for start, end in (("09:00", "11:00"), ("10:00", "12:00")):
        agenda = entries.evolve(agendas.book(agenda, slot(start, end), room, partner, STAMP), agenda)
    with pytest.raises(BookingOverlap):
        agendas.book(agenda, slot("10:30", "10:45"), room, partner, STAMP)
    assert agendas.book(agenda, slot("11:00", "12:30"), room, partner, STAMP)


def test_a_booking_over_midnight_is_refused() -> None:
    """A booking stays within one local day."""
    agenda = empty_container(agenda_aggregate_id("salle", "2026-03-02"), "salle", "2026-03-02")
    late = BookSlot(resource_id="salle", partner_id="p", starts_at="2026-03-02T23:00:00+01:00",
                    ends_at="2026-03-03T01:00:00+01:00")
    with pytest.raises(Exception, match="within one day"):
        agendas.book(agenda, late, given_room(), given_partner(), STAMP)


def test_limits_are_configurable() -> None:
    """With a 7 h daily limit, 8 h in a day are refused."""
    employee = resources.evolve(
        resources.register(None, RegisterResource(resource_id="anne", name="Anne", kind="staff", unit="hour"), STAMP),
        None,
    )
    sheet = empty_container(timesheet_aggregate_id("anne", "2026-W10"), "anne", "2026-W10")
    cmd = LogStaffHours(employee_id="anne", partner_id="p", work_date="2026-03-02", hours=8)
    strict = WorkingTimeLimits(max_day_hours=Decimal(7), max_week_hours=Decimal(35))
    with pytest.raises(WorkingTimeExceeded):
        timesheets.log_hours(sheet, cmd, employee, given_partner(), strict, STAMP)
    assert timesheets.log_hours(sheet, cmd, employee, given_partner(), WorkingTimeLimits(), STAMP)


def test_a_correction_points_at_its_entry_and_changes_its_quantity() -> None:
    """EntryCorrected names the original entry; the container then holds the new quantity."""
    room, partner = given_room(), given_partner()
    agenda = empty_container(agenda_aggregate_id("salle", "2026-03-02"), "salle", "2026-03-02")
    from domain.commands import RecordEquipmentUse

    use = RecordEquipmentUse(resource_id="salle", partner_id="p", used_on="2026-03-02", quantity=3, unit="hour")
    agenda = entries.evolve(agendas.record_use(agenda, use, room, partner, STAMP), agenda)
    fix = entries.correct(agenda, CorrectEntry(entry_id="salle:2026-03-02:1", quantity=2, reason="erreur"),
                          STAMP, check_hours=lambda *_: None)
    assert isinstance(fix, EntryCorrected) and fix.entry_id == "salle:2026-03-02:1"
    assert entries.evolve(fix, agenda).entries[0].quantity == Decimal(2)


def test_a_credit_note_decided_on_a_cost_as_read_is_refused_once_the_cost_moved() -> None:
    """CorrectEntry and VoidEntry with `from_amount_cents`: accepted while the cost still has
    that amount, refused naming the field once it was corrected; a usage entry has no amount."""
    from domain import costs
    from domain.commands import RecordCost, RecordEquipmentUse, VoidEntry
    from domain.errors import InvalidCommand
    from domain.ids import cost_book_aggregate_id

    book = empty_container(cost_book_aggregate_id("salle", "2026-03"), "salle", "2026-03")
    cost = RecordCost(resource_id="salle", month="2026-03", amount_cents=35_000, category="loyer", document_ref="F-1")
    book = entries.evolve(costs.record_cost(book, cost, given_room(), STAMP), book)
    first = CorrectEntry(entry_id="salle:2026-03:1", amount_cents=33_000, from_amount_cents=35_000, reason="avoir A")
    book = entries.evolve(entries.correct(book, first, STAMP, check_hours=lambda *_: None), book)
    stale = CorrectEntry(entry_id="salle:2026-03:1", amount_cents=32_000, from_amount_cents=35_000, reason="avoir B")
    with pytest.raises(RuleViolation) as moved:
        entries.correct(book, stale, STAMP, check_hours=lambda *_: None)
    assert moved.value.field == "from_amount_cents"
    assert "is now 33000 cents, not 35000: it was corrected since it was read" in moved.value.message
    with pytest.raises(RuleViolation):
        entries.void(book, VoidEntry(entry_id="salle:2026-03:1", from_amount_cents=35_000, reason="avoir C"), STAMP)
    assert entries.void(book, VoidEntry(entry_id="salle:2026-03:1", from_amount_cents=33_000, reason="avoir C"), STAMP)
    agenda = empty_container(agenda_aggregate_id("salle", "2026-03-02"), "salle", "2026-03-02")
    use = RecordEquipmentUse(resource_id="salle", partner_id="p", used_on="2026-03-02", quantity=3, unit="hour")
    agenda = entries.evolve(agendas.record_use(agenda, use, given_room(), given_partner(), STAMP), agenda)
    with pytest.raises(InvalidCommand) as not_a_cost:
        entries.correct(agenda, CorrectEntry(entry_id="salle:2026-03-02:1", quantity=2, from_amount_cents=3,
                                             reason="x"), STAMP, check_hours=lambda *_: None)
    assert not_a_cost.value.field == "from_amount_cents"


def test_replaying_events_rebuilds_the_same_state() -> None:
    """State folded from stored events equals the state built while deciding."""
    partner = given_partner(
        (LeavePartner(partner_id="p", last_day="2026-03-31"), partners.leave),
        (RejoinPartner(partner_id="p", joined_on="2026-06-01"), partners.rejoin),
    )
    joined = partners.join(None, JoinPartner(partner_id="p", name="P", joined_on="2026-01-01"), STAMP)
    left = partners.leave(partners.evolve(joined, None), LeavePartner(partner_id="p", last_day="2026-03-31"), STAMP)
    rejoined = PartnerRejoined(originator_id=joined.originator_id, originator_version=3,
                               timestamp=STAMP.at, actor="test", partner_id="p", joined_on="2026-06-01")
    assert fold(partners.evolve, [joined, left, rejoined]) == partner
