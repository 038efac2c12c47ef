"""Calendar helpers: days of membership in a month."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.periods import days_overlapping, iso_week, month_bounds

MARCH = month_bounds("2026-03")


def test_overlapping_periods_count_each_day_once() -> None:
    """1-10 March and 5-20 March cover 20 days, not 26."""
    assert days_overlapping([(date(2026, 3, 1), date(2026, 3, 10)), (date(2026, 3, 5), date(2026, 3, 20))], *MARCH) == 20


def test_an_open_period_runs_to_the_end_of_the_month() -> None:
    """Joined in February and still a member: all 31 days of March."""
    assert days_overlapping([(date(2026, 2, 1), None)], *MARCH) == 31


def test_iso_weeks_cross_years() -> None:
    """1 January 2027 is in ISO week 53 of 2026."""
    assert iso_week(date(2027, 1, 1)) == "2026-W53"


@given(st.lists(st.tuples(st.dates(date(2026, 1, 1), date(2026, 6, 1)), st.integers(0, 90)), max_size=4))
def test_days_match_a_day_by_day_count(spans: list[tuple[date, int]]) -> None:
    """The interval arithmetic agrees with counting the days one by one."""
    periods = [(start, start + timedelta(days=length)) for start, length in spans]
    first, last = MARCH
    by_day = {first + timedelta(days=i) for i in range((last - first).days + 1)
              if any(s <= first + timedelta(days=i) <= e for s, e in periods)}
    assert days_overlapping(periods, first, last) == len(by_day)
