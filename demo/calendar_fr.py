"""Working days in France: public holidays, half-hours of a local day, weeks cut at months."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from domain.periods import LOCAL_TZ, iso_week


def at_half_hour(day: date, half_hour: int) -> datetime:
    return datetime.combine(day, time(half_hour // 2, 30 * (half_hour % 2)), tzinfo=LOCAL_TZ)


def add_months(day: date, n: int) -> date:
    months = day.year * 12 + day.month - 1 + n
    return date(months // 12, months % 12 + 1, 1)


def weekly_closing_days(working: list[date]) -> dict[date, int]:
    """The secretariat's weekly counts: for each ISO week of the month (cut at the month's
    edges, a stub of one or two working days joined to its neighbour), its last working
    day and how many working days it has."""
    weeks: dict[str, list[date]] = {}
    for day in working:
        weeks.setdefault(iso_week(day), []).append(day)
    chunks = list(weeks.values())
    if len(chunks) > 1 and len(chunks[0]) < 3:
        chunks[1] = chunks.pop(0) + chunks[0]
    if len(chunks) > 1 and len(chunks[-1]) < 3:
        chunks[-2] = chunks[-2] + chunks.pop()
    return {chunk[-1]: len(chunk) for chunk in chunks}


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


_HOLIDAYS: dict[int, frozenset[date]] = {}


def public_holidays(year: int) -> frozenset[date]:
    """French public holidays (Easter Monday, Ascension and Whit Monday included)."""
    if year not in _HOLIDAYS:
        easter = _easter(year)
        fixed = {date(year, m, d) for m, d in ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15),
                                               (11, 1), (11, 11), (12, 25))}
        moving = {easter + timedelta(days=n) for n in (1, 39, 50)}
        _HOLIDAYS[year] = frozenset(fixed | moving)
    return _HOLIDAYS[year]


def _easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, (b, c) = year % 19, divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)
