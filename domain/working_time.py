"""Working time across all the partners an employee works for: the limits of the Code du
travail that an employee's timesheets enforce. Each refusal names the employee, the dates
and the figures. The articles, as worded in 2026 (docs/working_time.md says more):

- L3121-18: at most 10 hours of work a day;
- L3121-20: at most 48 hours of work in one week;
- L3121-22: over any 12 consecutive weeks, at most 44 hours a week on average: at most
  44 x 12 = 528 h in every window of 12 consecutive ISO weeks;
- L3131-1: a daily rest of at least 11 consecutive hours;
- L3121-16: once daily work reaches 6 hours, a break of at least 20 consecutive minutes;
- L3123-28 (one tenth; L3123-20 lets a collective agreement raise it to one third):
  the extra hours of a part-time employee in a week stay within that share of the
  contract's weekly hours. The contracts are not in the ledger yet, so this check is a
  seam: `check_part_time_extra` takes the contract's weekly hours as a parameter.

Entries logged as a day and a number of hours (no start, no end) count in the day, week
and 12-week totals; the rest, break and overlap rules need times and pass them by.

Every limit is a setting (settings.py, ENCOMMUN_*), bound in bootstrap.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Callable

from domain.entries import Container, Entry
from domain.errors import BreakMissing, DailyRestTooShort, StaffHoursOverlap, WorkingTimeExceeded
from domain.periods import add_weeks, iso_week, local_hhmm

# An employee's timesheet of an ISO week, or None if nothing was logged that week.
SheetOf = Callable[[str], "Container | None"]


@dataclass(frozen=True)
class WorkingTimeLimits:
    """The Code du travail's defaults; each is a setting (settings.py)."""

    max_day_hours: Decimal = Decimal(10)  # L3121-18
    max_week_hours: Decimal = Decimal(48)  # L3121-20
    max_average_week_hours: Decimal = Decimal(44)  # L3121-22
    average_weeks: int = 12  # L3121-22
    min_daily_rest_hours: Decimal = Decimal(11)  # L3131-1
    break_after_hours: Decimal = Decimal(6)  # L3121-16
    min_break_minutes: int = 20  # L3121-16
    # L3123-28 (L3123-20: up to one third by collective agreement); see check_part_time_extra.
    part_time_extra_share: Decimal = Decimal("0.1")


def check_working_time(
    sheet: Container,
    sheet_of: SheetOf,
    employee_name: str,
    new: Entry,
    limits: WorkingTimeLimits,
    *,
    replacing: Entry | None = None,
    field: str,
) -> None:
    """Every rule, for `new` (the entry to log, or the corrected entry's new quantity) in
    `sheet`, its week's timesheet. `sheet_of` gives the other weeks' timesheets: it is asked
    only for the weeks a rule needs (the day before and after for the rest, the 11 weeks
    on either side for the 12-week average, and those only while a window could exceed)."""
    others = [e for e in sheet.open_entries() if replacing is None or e.entry_id != replacing.entry_id]
    check_day_and_week(sheet.period, others, employee_name, new.day, new.quantity, limits, field)
    if new.starts_at is not None:
        timed = _timed_around(sheet, sheet_of, new.day, replacing)
        check_no_overlap(timed, employee_name, new, field)
        check_break(timed, employee_name, new, limits, field)
        check_daily_rest(timed, employee_name, new, limits, field)
    week_total = sum((e.quantity for e in others), Decimal(0)) + new.quantity
    check_average(sheet_of, employee_name, sheet.period, week_total, new.quantity, limits, field)


def check_day_and_week(week: str, others: list[Entry], employee_name: str, day: date, hours: Decimal,
                       limits: WorkingTimeLimits, field: str) -> None:
    """10 h a day (L3121-18) and 48 h a week (L3121-20), with the hours already logged."""
    day_total = sum((e.quantity for e in others if e.day == day), Decimal(0))
    week_total = sum((e.quantity for e in others), Decimal(0))
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
            f"{week} (limit {limits.max_week_hours} h a week): "
            f"{week_total:.2f} h already logged + {hours:.2f} h",
            field=field,
        )


def check_no_overlap(timed: list[Entry], employee_name: str, new: Entry, field: str) -> None:
    """One employee works for one partner at a time: two timed entries may touch, not overlap."""
    clash = [e for e in timed if e.starts_at < new.ends_at and new.starts_at < e.ends_at]
    if clash:
        first = min(clash, key=lambda e: e.starts_at)
        raise StaffHoursOverlap(
            f"employee '{employee_name}' would work {_span(new)} on {new.day.isoformat()} while "
            f"entry {first.entry_id} ({_span(first)}, for '{first.partner_id}') is already logged",
            field=field,
        )


def check_break(timed: list[Entry], employee_name: str, new: Entry, limits: WorkingTimeLimits, field: str) -> None:
    """L3121-16: entries separated by less than the break form one run of work; a run with
    more work than `break_after_hours` had no break when one was due. Work is counted, not
    the span: 3 h, a 10-minute gap, 3 h is 6 h of work, allowed with a break after it."""
    day = sorted([e for e in timed if e.day == new.day] + [new], key=lambda e: e.starts_at)
    gap = timedelta(minutes=limits.min_break_minutes)
    runs: list[list[Entry]] = []
    for entry in day:
        if runs and entry.starts_at - max(e.ends_at for e in runs[-1]) < gap:
            runs[-1].append(entry)
        else:
            runs.append([entry])
    run = next(r for r in runs if new in r)
    worked = sum((e.ends_at - e.starts_at for e in run), timedelta(0))
    if worked > _hours(limits.break_after_hours):
        raise BreakMissing(
            f"employee '{employee_name}' would work {_duration(worked)} without a break on "
            f"{new.day.isoformat()}, from {local_hhmm(run[0].starts_at)} to "
            f"{local_hhmm(max(e.ends_at for e in run))} (a break of at least {limits.min_break_minutes} "
            f"consecutive minutes once daily work reaches {limits.break_after_hours} h, C. trav. L3121-16)",
            field=field,
        )


def check_daily_rest(timed: list[Entry], employee_name: str, new: Entry, limits: WorkingTimeLimits,
                     field: str) -> None:
    """L3131-1: from the end of a day's last timed entry to the next day's first, at least
    `min_daily_rest_hours`, across week boundaries (a Sunday and the Monday after)."""
    entries = timed + [new]
    rest = _hours(limits.min_daily_rest_hours)
    for before, after in ((new.day - timedelta(days=1), new.day), (new.day, new.day + timedelta(days=1))):
        ends = [e.ends_at for e in entries if e.day == before]
        starts = [e.starts_at for e in entries if e.day == after]
        if ends and starts and min(starts) - max(ends) < rest:
            raise DailyRestTooShort(
                f"employee '{employee_name}' would rest {_duration(min(starts) - max(ends))} between "
                f"{before.isoformat()} {local_hhmm(max(ends))} and {after.isoformat()} "
                f"{local_hhmm(min(starts))} (a daily rest of at least {limits.min_daily_rest_hours} "
                f"consecutive hours, C. trav. L3131-1)",
                field=field,
            )


def check_average(sheet_of: SheetOf, employee_name: str, week: str, week_total: Decimal, hours: Decimal,
                  limits: WorkingTimeLimits, field: str) -> None:
    """L3121-22: every window of `average_weeks` consecutive ISO weeks that contains `week`
    holds at most `max_average_week_hours` x `average_weeks` hours.

    The other weeks are read nearest first, and only while some window could exceed:
    a week not read yet counts as `max_week_hours` (no stored week holds more, the weekly
    rule saw to it), so when every window is within the cap on that bound, no more weeks
    are read. An employee of 35 h weeks has 6 weeks read around the entry's, one of 10 h
    weeks 2; one near the cap, all 22."""
    n = limits.average_weeks
    cap = limits.max_average_week_hours * n
    # The weeks week-(n-1) .. week+(n-1), each at its bound until it is read; window s
    # (0 .. n-1) holds weeks s .. s+n-1 of this list, the entry's week being index n-1.
    weeks = [limits.max_week_hours] * (2 * n - 1)
    weeks[n - 1] = week_total

    def windows() -> list[Decimal]:
        sums = [sum(weeks[:n], Decimal(0))]
        for s in range(1, n):
            sums.append(sums[-1] + weeks[s + n - 1] - weeks[s - 1])
        return sums

    for offset in (o for k in range(1, n) for o in (-k, k)):
        if max(windows()) <= cap:
            return
        weeks[n - 1 + offset] = week_hours(sheet_of(add_weeks(week, offset)))
    sums = windows()
    worst = max(range(n), key=lambda s: (sums[s], s))
    total = sums[worst]
    worst -= n - 1
    if total > cap:
        raise WorkingTimeExceeded(
            f"employee '{employee_name}' would work {total:.2f} h over the {n} weeks "
            f"{add_weeks(week, worst)} to {add_weeks(week, worst + n - 1)} (limit "
            f"{limits.max_average_week_hours} h a week on average over {n} consecutive weeks, "
            f"{cap} h, C. trav. L3121-22): {total - hours:.2f} h already logged + {hours:.2f} h",
            field=field,
        )


def check_part_time_extra(employee_name: str, week: str, week_total: Decimal, contract_weekly_hours: Decimal | None,
                          limits: WorkingTimeLimits, field: str) -> None:
    """L3123-28: a part-time employee's extra hours in a week are at most a tenth (the
    setting; up to a third by agreement, L3123-20) of the contract's weekly hours. The seam
    for the contracts: the handler will pass the weekly hours of the contract in force
    (None: full time, or no contract known, and nothing to check)."""
    if contract_weekly_hours is None:
        return
    allowed = contract_weekly_hours + contract_weekly_hours * limits.part_time_extra_share
    if week_total > allowed:
        raise WorkingTimeExceeded(
            f"employee '{employee_name}' would work {week_total:.2f} h in week {week}: a part-time "
            f"contract of {contract_weekly_hours} h allows {allowed:.2f} h with its extra hours "
            f"({limits.part_time_extra_share * 100:.0f} % of the contract, C. trav. L3123-28)",
            field=field,
        )


def week_hours(sheet: Container | None) -> Decimal:
    return sum((e.quantity for e in sheet.open_entries()), Decimal(0)) if sheet else Decimal(0)


def _timed_around(sheet: Container, sheet_of: SheetOf, day: date, replacing: Entry | None) -> list[Entry]:
    """The open timed entries of the day before, the day and the day after (in one, two
    weeks' timesheets), less the entry being replaced."""
    days = {day - timedelta(days=1), day, day + timedelta(days=1)}
    sheets = {sheet.period: sheet} | {w: sheet_of(w) for w in {iso_week(d) for d in days} if w != sheet.period}
    return [
        e for s in sheets.values() if s is not None for e in s.open_entries()
        if e.starts_at is not None and e.day in days and (replacing is None or e.entry_id != replacing.entry_id)
    ]


def _span(entry: Entry) -> str:
    return f"{local_hhmm(entry.starts_at)}-{local_hhmm(entry.ends_at)}"


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _hours(hours: Decimal) -> timedelta:
    return timedelta(microseconds=int(hours * 3_600_000_000))
