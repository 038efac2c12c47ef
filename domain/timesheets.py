"""An employee's ISO-week timesheet: hours worked for partners, within working-time limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.aggregate import Stamp, next_event
from domain.commands import LogStaffHours
from domain.entries import Container, Entry
from domain.errors import WorkingTimeExceeded
from domain.events import StaffHoursLogged
from domain.partners import Partner
from domain.resources import Resource


@dataclass(frozen=True)
class WorkingTimeLimits:
    """French Code du travail defaults: 10 h a day (L3121-18), 48 h a week (L3121-20)."""

    max_day_hours: Decimal = Decimal(10)
    max_week_hours: Decimal = Decimal(48)


def log_hours(
    sheet: Container,
    cmd: LogStaffHours,
    employee: Resource,
    partner: Partner,
    limits: WorkingTimeLimits,
    stamp: Stamp,
) -> StaffHoursLogged:
    employee.check_kind("staff", field="employee_id")
    employee.check_active_on(cmd.work_date, field="work_date")
    partner.check_member_on(cmd.work_date)
    check_limits(sheet, employee.name, cmd.work_date, cmd.hours, limits, replacing=None)
    return next_event(
        sheet,
        StaffHoursLogged,
        stamp,
        entry_id=sheet.new_entry_id(),
        employee_id=employee.resource_id,
        partner_id=partner.partner_id,
        work_date=cmd.work_date,
        hours=cmd.hours,
    )


def check_limits(
    sheet: Container,
    employee_name: str,
    day: date,
    hours: Decimal,
    limits: WorkingTimeLimits,
    replacing: Entry | None,
) -> None:
    """Hours already logged (less the entry being corrected) plus these stay within limits."""
    others = [e for e in sheet.open_entries() if e is not replacing]
    day_total = sum((e.quantity for e in others if e.day == day), Decimal(0))
    week_total = sum((e.quantity for e in others), Decimal(0))
    field = "hours" if replacing is None else "quantity"
    if day_total + hours > limits.max_day_hours:
        raise WorkingTimeExceeded(
            f"employee '{employee_name}' would work {day_total + hours:.2f} h on "
            f"{day.isoformat()} (limit {limits.max_day_hours} h a day): "
            f"{day_total:.2f} h already logged + {hours:.2f} h",
            field=field,
        )
    if week_total + hours > limits.max_week_hours:
        raise WorkingTimeExceeded(
            f"employee '{employee_name}' would work {week_total + hours:.2f} h in week "
            f"{sheet.period} (limit {limits.max_week_hours} h a week): "
            f"{week_total:.2f} h already logged + {hours:.2f} h",
            field=field,
        )
