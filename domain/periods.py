"""Calendar rules: months, ISO weeks, local days and membership days.

Usage happens in France, so days and months of bookings are taken in Europe/Paris time,
while every instant is stored as timezone-aware UTC.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Iterable
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator

LOCAL_TZ = ZoneInfo("Europe/Paris")

# The ledger's calendar: every day, month and instant it records or answers about lies in
# these years. One rule for the write side and the read side alike, so that nothing the
# write side accepts can be refused later (a usage dated 2101 once stalled the projections).
FIRST_YEAR, LAST_YEAR = 2000, 2100
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
FIRST_MONTH, LAST_MONTH = f"{FIRST_YEAR}-01", f"{LAST_YEAR}-12"
# Instants: from the first local day's midnight to the end of the last local day.
FIRST_INSTANT = datetime(FIRST_YEAR, 1, 1, tzinfo=LOCAL_TZ).astimezone(timezone.utc)
END_INSTANT = datetime(LAST_YEAR + 1, 1, 1, tzinfo=LOCAL_TZ).astimezone(timezone.utc)
CALENDAR = f"the ledger's calendar ({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})"

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def check_month(value: str) -> str:
    if not isinstance(value, str) or not (match := _MONTH.match(value)):
        raise ValueError(f"month must be written YYYY-MM (e.g. 2026-03), got {value!r}")
    if not 1 <= int(match[2]) <= 12:
        raise ValueError(f"{value} is not a month (months run from 01 to 12)")
    if not FIRST_MONTH <= value <= LAST_MONTH:
        raise ValueError(f"month {value} is outside {CALENDAR}")
    return value


def in_calendar(month: str) -> bool:
    """Whether a month read from the log lies in the calendar (a store written before the
    calendar was enforced may hold months beyond it)."""
    return FIRST_MONTH <= month <= LAST_MONTH


Month = Annotated[str, AfterValidator(check_month)]


def parse_day(value: object) -> object:
    """Say why an impossible day is one ('2026-02-30'); pydantic parses the rest."""
    # Only a month outside 01..12 or a day outside 01..28 can be impossible: the common
    # case (every command of a batch carries a day) costs two slices, no pattern.
    if isinstance(value, str) and len(value) == 10 and "01" <= value[5:7] <= "12" and "01" <= value[8:] <= "28":
        return value
    if isinstance(value, str) and (match := _DAY.match(value)):
        year, mon, day = (int(part) for part in match.groups())
        if not 1 <= mon <= 12:
            raise ValueError(f"{value} is not a day: {year}-{match[2]} is not a month")
        last = calendar.monthrange(year, mon)[1]
        if not 1 <= day <= last:
            raise ValueError(f"{value} is not a day: {_MONTH_NAMES[mon - 1]} {year} has {last} days")
    return value


def check_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"day {value.isoformat()} is outside {CALENDAR}")
    return value


Day = Annotated[date, BeforeValidator(parse_day), AfterValidator(check_day)]


def check_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"time {value.isoformat()} has no timezone; give one (e.g. +01:00 or Z)")
    # Compared before any conversion: converting 9999-12-31T23:30Z to local time overflows.
    if not FIRST_INSTANT <= value < END_INSTANT:
        raise ValueError(f"time {value.isoformat()} is outside {CALENDAR}, Europe/Paris time")
    return value.astimezone(timezone.utc)


def check_stored_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"time {value.isoformat()} has no timezone")
    return value.astimezone(timezone.utc)


# What commands and queries accept: an instant of the calendar, converted to UTC.
UtcDatetime = Annotated[datetime, AfterValidator(check_utc)]
# What stored events hold: their instants were checked when they were recorded, and a
# store written before the calendar was enforced must still load.
StoredDatetime = Annotated[datetime, AfterValidator(check_stored_utc)]


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a YYYY-MM month."""
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])


def next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_monday(week: str) -> date:
    """The Monday of a YYYY-Www ISO week."""
    return date.fromisocalendar(int(week[:4]), int(week[6:8]), 1)


def add_weeks(week: str, n: int) -> str:
    """The ISO week `n` weeks after (or before, n < 0) `week`: 2026-W01 - 1 is 2025-W52."""
    return iso_week(week_monday(week) + timedelta(weeks=n))


def local_day(instant: datetime) -> date:
    return instant.astimezone(LOCAL_TZ).date()


def local_hhmm(instant: datetime) -> str:
    return instant.astimezone(LOCAL_TZ).strftime("%H:%M")


def days_overlapping(
    periods: Iterable[tuple[date, date | None]], first: date, last: date
) -> int:
    """Days of [first, last] covered by the given inclusive periods (None = still open)."""
    spans = sorted(
        (max(start, first), min(end or last, last)) for start, end in periods
        if start <= last and (end is None or end >= first)
    )
    days, reached = 0, first - timedelta(days=1)  # last day already counted
    for lo, hi in spans:  # periods may overlap: count each day once
        lo = max(lo, reached + timedelta(days=1))
        if lo <= hi:
            days += (hi - lo).days + 1
            reached = hi
    return days
