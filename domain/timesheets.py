"""An employee's ISO-week timesheet: hours worked for partners, within working-time limits
(domain/working_time.py), checked across the employee's other weeks where a rule needs them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.aggregate import Stamp, next_event
from domain.commands import LogStaffHours
from domain.entries import Container, Entry, booked_hours
from domain.errors import InvalidCommand
from domain.events import StaffHoursLogged
from domain.partners import Partner
from domain.periods import local_day
from domain.resources import Resource
from domain.working_time import SheetOf, WorkingTimeLimits, check_working_time

__all__ = ["WorkingTimeLimits", "check_limits", "log_hours"]


def _no_other_weeks(week: str) -> Container | None:
    return None


def log_hours(
    sheet: Container,
    cmd: LogStaffHours,
    employee: Resource,
    partner: Partner,
    limits: WorkingTimeLimits,
    stamp: Stamp,
    sheet_of: SheetOf = _no_other_weeks,
) -> StaffHoursLogged:
    """`sheet` is the timesheet of the entry's week; `sheet_of` gives the employee's other
    weeks (the handler reads them through the unit of work, only those a rule asks for)."""
    if cmd.timed:
        day = local_day(cmd.starts_at)
        if local_day(cmd.ends_at - timedelta(microseconds=1)) != day:
            raise InvalidCommand(
                f"staff hours stay within one day: {cmd.starts_at.isoformat()} -> {cmd.ends_at.isoformat()} "
                f"starts on {day.isoformat()} and ends on another day",
                field="ends_at",
            )
        hours = booked_hours(cmd.starts_at, cmd.ends_at)
        if hours == 0:
            raise InvalidCommand("staff hours last at least a few seconds (a thousandth of an hour)",
                                 field="ends_at")
        field = "starts_at"
    else:
        day, hours, field = cmd.work_date, cmd.hours, "hours"
    employee.check_kind("staff", field="employee_id")
    employee.check_active_on(day, field="starts_at" if cmd.timed else "work_date")
    partner.check_member_on(day)
    new = Entry(sheet.new_entry_id(), "hours", partner.partner_id, day, hours,
                starts_at=cmd.starts_at, ends_at=cmd.ends_at)
    check_working_time(sheet, sheet_of, employee.name, new, limits, field=field)
    return next_event(
        sheet,
        StaffHoursLogged,
        stamp,
        entry_id=new.entry_id,
        employee_id=employee.resource_id,
        partner_id=partner.partner_id,
        work_date=day,
        hours=hours,
        starts_at=cmd.starts_at,
        ends_at=cmd.ends_at,
    )


def check_limits(
    sheet: Container,
    employee_name: str,
    entry: Entry,
    hours: Decimal,
    limits: WorkingTimeLimits,
    sheet_of: SheetOf = _no_other_weeks,
) -> None:
    """A correction of an untimed entry to `hours`: the same rules, the entry's old hours
    left out (a timed entry is not corrected: entries.correct refuses it)."""
    corrected = Entry(entry.entry_id, entry.kind, entry.partner_id, entry.day, hours)
    check_working_time(sheet, sheet_of, employee_name, corrected, limits, replacing=entry, field="quantity")
