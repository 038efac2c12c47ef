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

from pydantic import AfterValidator

LOCAL_TZ = ZoneInfo("Europe/Paris")

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_month(value: str) -> str:
    if not isinstance(value, str) or not _MONTH.match(value):
        raise ValueError(f"month must be written YYYY-MM (e.g. 2026-03), got {value!r}")
    if not 2000 <= int(value[:4]) <= 2100:
        raise ValueError(f"month {value!r} is outside the years 2000-2100")
    return value


Month = Annotated[str, AfterValidator(check_month)]


def check_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"time {value.isoformat()} has no timezone; give one (e.g. +01:00 or Z)")
    return value.astimezone(timezone.utc)


UtcDatetime = Annotated[datetime, AfterValidator(check_utc)]


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
