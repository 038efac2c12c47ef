"""The working-time rules across an employee's timesheets: given weeks of entries, when
hours are logged, then the entry or the rule's refusal naming employee, dates and figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain import entries
from domain.commands import CorrectEntry, parse_command
from domain.entries import booked_hours
from domain.errors import (BreakMissing, DailyRestTooShort, InvalidCommand, RuleViolation, StaffHoursOverlap,
                           WorkingTimeExceeded)
from domain.events import StaffHoursLogged
from domain.working_time import WorkingTimeLimits, check_part_time_extra
from tests.timesheet_fixtures import STAMP, Timesheets, at, timed, untimed


def full_weeks(sheets: Timesheets, first_monday: date, weeks: int) -> None:
    """`weeks` weeks of 48 h from `first_monday`: 10 h Monday to Thursday, 8 h on Friday."""
    for w in range(weeks):
        monday = first_monday + timedelta(weeks=w)
        for d, hours in enumerate((10, 10, 10, 10, 8)):
            sheets.log(untimed((monday + timedelta(days=d)).isoformat(), hours))


def test_twelve_consecutive_weeks_of_48_hours_are_refused_at_the_twelfth() -> None:
    """Eleven weeks of 48 h reach 528 h, 44 h x 12: the first hour of the twelfth week is
    refused, naming the window of weeks, the total and the article."""
    sheets = Timesheets()
    full_weeks(sheets, date(2026, 1, 5), 11)
    with pytest.raises(WorkingTimeExceeded) as refused:
        sheets.log(untimed("2026-03-23", 1))
    assert refused.value.field == "hours"
    assert refused.value.message == (
        "employee 'Anne Martin' would work 529.00 h over the 12 weeks 2026-W02 to 2026-W13 (limit 44 h a week "
        "on average over 12 consecutive weeks, 528 h, C. trav. L3121-22): 528.00 h already logged + 1.00 h")


def test_a_lighter_week_leaves_room_within_the_twelve_week_average() -> None:
    """Ten weeks of 48 h and one of 40 h: 520 h, so 8 h fit in the twelfth week and 9 do not."""
    sheets = Timesheets()
    full_weeks(sheets, date(2026, 1, 5), 10)
    for d in range(4):
        sheets.log(untimed((date(2026, 3, 16) + timedelta(days=d)).isoformat(), 10))
    sheets.log(untimed("2026-03-23", 8))
    with pytest.raises(WorkingTimeExceeded, match=r"529.00 h over the 12 weeks 2026-W02 to 2026-W13"):
        sheets.log(untimed("2026-03-24", 1))


def test_the_daily_rest_is_checked_across_a_sunday_and_the_monday_after() -> None:
    """Sunday 16:00-22:00 (week 10) then Monday 07:00 (week 11) leaves 9 h of rest: refused,
    naming both times; logged in the other order, the Sunday is refused the same way."""
    sheets = Timesheets()
    sheets.log(timed("2026-03-08", "16:00", "22:00"))
    with pytest.raises(DailyRestTooShort) as refused:
        sheets.log(timed("2026-03-09", "07:00", "12:00"))
    assert refused.value.field == "starts_at"
    assert refused.value.message == (
        "employee 'Anne Martin' would rest 9 h 00 min between 2026-03-08 22:00 and 2026-03-09 07:00 "
        "(a daily rest of at least 11 consecutive hours, C. trav. L3131-1)")
    assert sheets.log(timed("2026-03-09", "09:00", "12:00")).hours == Decimal(3)

    other_order = Timesheets()
    other_order.log(timed("2026-03-09", "07:00", "12:00"))
    with pytest.raises(DailyRestTooShort, match="between 2026-03-08 22:00 and 2026-03-09 07:00"):
        other_order.log(timed("2026-03-08", "16:00", "22:00"))


def test_more_than_six_hours_of_work_without_a_twenty_minute_break_are_refused() -> None:
    """08:00-12:00 then 12:10-14:30: 6 h 20 of work with a 10-minute gap, refused; a gap of
    20 minutes is a break, so 12:20-14:30 is accepted."""
    sheets = Timesheets()
    sheets.log(timed("2026-03-02", "08:00", "12:00"))
    with pytest.raises(BreakMissing) as refused:
        sheets.log(timed("2026-03-02", "12:10", "14:30", partner="q"))
    assert refused.value.field == "starts_at"
    assert refused.value.message == (
        "employee 'Anne Martin' would work 6 h 20 min without a break on 2026-03-02, from 08:00 to 14:30 "
        "(a break of at least 20 consecutive minutes once daily work reaches 6 h, C. trav. L3121-16)")
    assert sheets.log(timed("2026-03-02", "12:20", "14:30", partner="q")).hours == Decimal("2.167")


def test_six_hours_exactly_need_their_break_only_after() -> None:
    """A run of exactly 6 h is accepted (the break follows it); one more minute is not."""
    sheets = Timesheets()
    sheets.log(timed("2026-03-02", "08:00", "11:00"))
    sheets.log(timed("2026-03-02", "11:10", "14:10"))
    with pytest.raises(BreakMissing, match="6 h 01 min"):
        sheets.log(timed("2026-03-02", "14:10", "14:11"))


def test_two_timed_entries_of_one_employee_may_touch_but_not_overlap() -> None:
    """11:00-13:00 for another partner overlaps 08:00-12:00: refused naming the entry; 12:00-13:00 touches it."""
    sheets = Timesheets()
    sheets.log(timed("2026-03-02", "08:00", "12:00"))
    with pytest.raises(StaffHoursOverlap) as refused:
        sheets.log(timed("2026-03-02", "11:00", "13:00", partner="q"))
    assert refused.value.field == "starts_at"
    assert refused.value.message == (
        "employee 'Anne Martin' would work 11:00-13:00 on 2026-03-02 while entry anne:2026-W10:1 "
        "(08:00-12:00, for 'p') is already logged")
    assert sheets.log(timed("2026-03-02", "12:20", "13:00", partner="q"))


def test_the_ten_hour_day_counts_timed_and_untimed_entries_alike() -> None:
    """4 h logged as a number, then 08:00-12:00 and 12:30-14:30 timed: 10 h; one more minute is refused."""
    sheets = Timesheets()
    sheets.log(untimed("2026-03-02", 4))
    sheets.log(timed("2026-03-02", "08:00", "12:00"))
    sheets.log(timed("2026-03-02", "12:30", "14:30"))
    with pytest.raises(WorkingTimeExceeded, match=r"10.02 h on 2026-03-02 \(limit 10 h a day\)"):
        sheets.log(timed("2026-03-02", "15:00", "15:01"))


def test_one_minute_can_be_logged_and_counts_a_thousandth_rounded() -> None:
    """08:00-08:01 is 0.017 h, what booked_hours gives for a booking of one minute."""
    event = Timesheets().log(timed("2026-03-02", "08:00", "08:01"))
    assert event.hours == Decimal("0.017") == booked_hours(event.starts_at, event.ends_at)
    assert event.work_date == date(2026, 3, 2)


def test_timed_hours_stay_within_one_local_day() -> None:
    """22:00 to 02:00 the next day is refused, as a booking would be."""
    cmd = timed("2026-03-02", "22:00", "23:00").model_copy(update={"ends_at": at("2026-03-03", "02:00")})
    with pytest.raises(InvalidCommand, match="within one day") as refused:
        Timesheets().log(cmd)
    assert refused.value.field == "ends_at"


@pytest.mark.parametrize("payload, field", [
    ({"work_date": "2026-03-02", "hours": "3", "starts_at": "2026-03-02T08:00:00+01:00",
      "ends_at": "2026-03-02T11:00:00+01:00"}, "log_staff_hours.work_date"),
    ({"starts_at": "2026-03-02T08:00:00+01:00"}, "log_staff_hours.ends_at"),
    ({"work_date": "2026-03-02"}, "log_staff_hours.hours"),
    ({}, "log_staff_hours.starts_at"),
    ({"starts_at": "2026-03-02T08:00:00+01:00", "ends_at": "2026-03-02T08:00:00+01:00"}, "log_staff_hours.ends_at"),
])
def test_a_command_gives_times_or_a_day_and_hours_not_a_mix(payload: dict, field: str) -> None:
    """Half of each form, neither, or an end before the start: refused naming the field."""
    with pytest.raises(InvalidCommand) as refused:
        parse_command({"command": "log_staff_hours", "employee_id": "anne", "partner_id": "p", **payload})
    assert refused.value.field == field


def test_a_timed_entry_is_not_corrected_it_is_voided_and_logged_again() -> None:
    """A new quantity would contradict the times: refused, saying what to do instead."""
    sheets = Timesheets()
    sheets.log(timed("2026-03-02", "08:00", "12:00"))
    sheet = sheets.weeks["2026-W10"]
    with pytest.raises(RuleViolation, match="void them and log the right times again") as refused:
        entries.correct(sheet, CorrectEntry(entry_id="anne:2026-W10:1", quantity=3, reason="erreur"), STAMP,
                        check_hours=lambda *_: None)
    assert refused.value.field == "entry_id"


def test_the_other_weeks_are_read_only_while_a_window_could_exceed() -> None:
    """Weeks of 35 h: six other weeks are read around the new entry's; near the cap, the 21
    nearest of the 22 (the last is not needed once the 10 weeks after are known empty)."""
    sheets = Timesheets()
    for w in range(30):
        monday = date(2026, 1, 5) + timedelta(weeks=w)
        for d in range(5):
            sheets.log(untimed((monday + timedelta(days=d)).isoformat(), 7))
    sheets.log(untimed("2026-04-04", 1))  # a Saturday of a 35 h week, in the middle
    assert len(sheets.reads) == 6

    near = Timesheets()
    full_weeks(near, date(2026, 1, 5), 10)
    near.log(untimed("2026-03-16", 1))
    assert len(near.reads) == 21


def test_part_time_extra_hours_stay_within_a_tenth_of_the_contract() -> None:
    """The seam for the contracts: 24 h a week allow 26.40 h; 26.50 h are refused; no contract, no check."""
    limits = WorkingTimeLimits()
    check_part_time_extra("Anne Martin", "2026-W10", Decimal("26.4"), Decimal(24), limits, "hours")
    check_part_time_extra("Anne Martin", "2026-W10", Decimal(40), None, limits, "hours")
    with pytest.raises(WorkingTimeExceeded) as refused:
        check_part_time_extra("Anne Martin", "2026-W10", Decimal("26.5"), Decimal(24), limits, "hours")
    assert refused.value.message == (
        "employee 'Anne Martin' would work 26.50 h in week 2026-W10: a part-time contract of 24 h allows "
        "26.40 h with its extra hours (10 % of the contract, C. trav. L3123-28)")


def test_an_event_stored_before_times_existed_loads_with_a_duration_only() -> None:
    """The old payload (no starts_at, ends_at) validates, folds to an untimed entry, and an
    untimed event is stored in that same shape."""
    old = {"originator_id": "6f0a3c56-35c1-4a8e-9d0b-5c0e6f1f0e11", "originator_version": 1,
           "timestamp": "2026-03-02T10:00:00+00:00", "actor": "x", "entry_id": "anne:2026-W10:1",
           "employee_id": "anne", "partner_id": "p", "work_date": "2026-03-02", "hours": "3.50"}
    event = StaffHoursLogged.model_validate(old)
    assert (event.starts_at, event.ends_at) == (None, None)
    entry = entries.evolve(event, None).entries[0]
    assert (entry.quantity, entry.starts_at, entry.day) == (Decimal("3.50"), None, date(2026, 3, 2))
    assert "starts_at" not in event.model_dump_json()
