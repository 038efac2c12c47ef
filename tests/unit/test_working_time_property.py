"""Whatever timed staff entries are accepted satisfy every working-time rule, as an
independent, simple checker of the accepted entries sees them (not the domain's code)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings

from domain.commands import LogStaffHours
from domain.errors import InvalidCommand, WorkingTimeExceeded
from domain.entries import booked_hours
from domain.periods import LOCAL_TZ, iso_week, local_day
from domain.working_time import WorkingTimeLimits
from tests.strategies import TIMED_SHIFTS_FROM, timed_shifts
from tests.timesheet_fixtures import Timesheets

# Tight limits, so that every rule bites within three weeks: 2-week windows of 12 h a week.
LIMITS = WorkingTimeLimits(max_day_hours=Decimal(10), max_week_hours=Decimal(20),
                           max_average_week_hours=Decimal(12), average_weeks=2)


def hours(span: timedelta) -> Decimal:
    return Decimal(int(span.total_seconds())) / 3600


def broken_rules(accepted: list[tuple[datetime, datetime]], limits: WorkingTimeLimits) -> list[str]:
    """Each rule checked on the accepted entries alone, written from the articles."""
    broken = []
    ordered = sorted(accepted)
    broken += [f"overlap {a} {b}" for a, b in zip(ordered, ordered[1:]) if b[0] < a[1]]
    by_day: dict = defaultdict(list)
    for start, end in ordered:
        by_day[local_day(start)].append((start, end))
    by_week: dict = defaultdict(Decimal)
    for day, shifts in by_day.items():
        # An entry's hours are what the ledger records for it: its time to the thousandth of an
        # hour (domain.entries.booked_hours), so totals are compared as recorded.
        worked = sum((booked_hours(s, e) for s, e in shifts), Decimal(0))
        by_week[iso_week(day)] += worked
        if worked > limits.max_day_hours:
            broken.append(f"day {day}: {worked}")
        run_work, run_end = timedelta(0), None
        for start, end in shifts:
            if run_end is not None and start - run_end < timedelta(minutes=limits.min_break_minutes):
                run_work += end - start
            else:
                run_work = end - start
            run_end = end
            if hours(run_work) > limits.break_after_hours:
                broken.append(f"no break on {day}")
        following = by_day.get(day + timedelta(days=1))
        if following and following[0][0] - shifts[-1][1] < timedelta(hours=float(limits.min_daily_rest_hours)):
            broken.append(f"rest after {day}")
    broken += [f"week {w}: {t}" for w, t in by_week.items() if t > limits.max_week_hours]
    weeks = sorted(by_week)
    for first in range(len(weeks)):
        window = [w for w in weeks[first:] if w < _plus_weeks(weeks[first], limits.average_weeks)]
        total = sum(by_week[w] for w in window)
        if total > limits.max_average_week_hours * limits.average_weeks:
            broken.append(f"average from {weeks[first]}: {total}")
    return broken


def _plus_weeks(week: str, n: int) -> str:
    monday = datetime.fromisocalendar(int(week[:4]), int(week[6:]), 1).date()
    return iso_week(monday + timedelta(weeks=n))


@settings(max_examples=300)
@given(timed_shifts)
def test_whatever_is_accepted_keeps_every_working_time_rule(shifts: list[tuple[int, int, int]]) -> None:
    """Random shifts over three weeks, each logged or refused by a rule; the accepted ones
    break no rule, and each refused one would have broken one if it were added."""
    sheets = Timesheets(LIMITS)
    accepted: list[tuple[datetime, datetime]] = []
    for offset, start_minute, minutes in shifts:
        day = TIMED_SHIFTS_FROM + timedelta(days=offset)
        start = datetime.combine(day, time(0), LOCAL_TZ) + timedelta(minutes=start_minute)
        # In UTC: the end is `minutes` of elapsed time later, even across a change of time (on
        # 29 March 2026 local wall-clock arithmetic would give 02:00 and 03:00, the same instant).
        start = start.astimezone(timezone.utc)
        try:
            cmd = LogStaffHours(employee_id="anne", partner_id="p", starts_at=start,
                                ends_at=start + timedelta(minutes=minutes))
            event = sheets.log(cmd)
        except InvalidCommand:
            continue  # across midnight: not a working-time question
        except WorkingTimeExceeded:
            assert broken_rules(accepted + [(cmd.starts_at, cmd.ends_at)], LIMITS), "refused, yet breaks no rule"
            continue
        accepted.append((event.starts_at, event.ends_at))
    assert broken_rules(accepted, LIMITS) == []
