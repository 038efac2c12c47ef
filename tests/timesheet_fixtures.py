"""An employee's timesheets built in memory, through the domain's own decisions, for the
working-time tests: given entries, then a command decided against every week."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from domain import entries, partners, resources, timesheets
from domain.aggregate import Stamp
from domain.commands import JoinPartner, LogStaffHours, RegisterResource
from domain.entries import Container, empty_container
from domain.events import StaffHoursLogged
from domain.ids import timesheet_aggregate_id
from domain.periods import LOCAL_TZ, iso_week, local_day
from domain.working_time import WorkingTimeLimits

STAMP = Stamp(actor="test", at=datetime(2026, 1, 1, 12, tzinfo=timezone.utc))


def at(day: str, hhmm: str) -> datetime:
    """A Paris wall-clock time on a day, as the pages send it."""
    return datetime.combine(date.fromisoformat(day), datetime.strptime(hhmm, "%H:%M").time(), LOCAL_TZ)


def timed(day: str, start: str, end: str, partner: str = "p") -> LogStaffHours:
    return LogStaffHours(employee_id="anne", partner_id=partner, starts_at=at(day, start), ends_at=at(day, end))


def untimed(day: str, hours: str | int, partner: str = "p") -> LogStaffHours:
    return LogStaffHours(employee_id="anne", partner_id=partner, work_date=day, hours=hours)


class Timesheets:
    """Anne's weeks; `log` decides a command as the handler would and keeps its event."""

    def __init__(self, limits: WorkingTimeLimits | None = None) -> None:
        self.limits = limits or WorkingTimeLimits()
        self.weeks: dict[str, Container] = {}
        self.reads: list[str] = []  # the other weeks a decision asked for
        register = RegisterResource(resource_id="anne", name="Anne Martin", kind="staff", unit="hour")
        self.employee = resources.evolve(resources.register(None, register, STAMP), None)
        self.partners = {
            p: partners.evolve(partners.join(None, JoinPartner(partner_id=p, name=p.upper(),
                                                               joined_on="2000-01-01"), STAMP), None)
            for p in ("p", "q")
        }

    def sheet_of(self, week: str) -> Container | None:
        self.reads.append(week)
        return self.weeks.get(week)

    def log(self, cmd: LogStaffHours) -> StaffHoursLogged:
        week = iso_week(local_day(cmd.starts_at) if cmd.timed else cmd.work_date)
        sheet = self.weeks.get(week) or empty_container(timesheet_aggregate_id("anne", week), "anne", week)
        self.reads = []
        event = timesheets.log_hours(sheet, cmd, self.employee, self.partners[cmd.partner_id], self.limits,
                                     STAMP, self.sheet_of)
        self.weeks[week] = entries.evolve(event, self.weeks.get(week))
        return event

    def total(self) -> Decimal:
        return sum((e.quantity for s in self.weeks.values() for e in s.open_entries()), Decimal(0))
