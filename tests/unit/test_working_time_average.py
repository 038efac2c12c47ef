"""The 12-week average (C. trav. L3121-22) as the domain checks it, reading the other weeks
only while a window could exceed, against every window summed by hand."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from domain.entries import Container, Entry
from domain.errors import WorkingTimeExceeded
from domain.periods import add_weeks
from domain.working_time import WorkingTimeLimits, check_average

WEEK = "2026-W20"


def sheet(week: str, hours: Decimal) -> Container:
    entry = Entry(f"e-{week}", "hours", "p", None, hours)
    return Container(uuid.uuid4(), 1, "emp", week, (entry,))


@settings(max_examples=300, deadline=None)
@given(n=st.integers(2, 12), data=st.data())
def test_refused_exactly_when_some_window_holding_the_week_exceeds_the_cap(n: int, data) -> None:
    limits = WorkingTimeLimits(max_week_hours=Decimal(48), max_average_week_hours=Decimal(44), average_weeks=n)
    # Each stored week within the weekly limit (the weekly rule sees to it), in quarter hours,
    # mostly near the 44 h average so that both outcomes are common.
    quarters = st.integers(160, 192) | st.integers(0, 192)
    stored = {add_weeks(WEEK, k): Decimal(data.draw(quarters)) / 4 for k in range(-(n - 1), n) if k}
    week_total = Decimal(data.draw(quarters)) / 4
    hours = min(week_total, Decimal(2))
    read: list[str] = []

    def sheet_of(week: str) -> Container | None:
        read.append(week)
        return sheet(week, stored[week])

    totals = {**stored, WEEK: week_total}
    windows = [sum((totals[add_weeks(WEEK, s + k)] for k in range(n)), Decimal(0)) for s in range(-(n - 1), 1)]
    cap = Decimal(44) * n
    event("refused" if max(windows) > cap else "accepted")
    if max(windows) > cap:
        with pytest.raises(WorkingTimeExceeded) as refused:
            check_average(sheet_of, "Anne Martin", WEEK, week_total, hours, limits, "hours")
        assert f"would work {max(windows):.2f} h over the {n} weeks" in str(refused.value)
    else:
        check_average(sheet_of, "Anne Martin", WEEK, week_total, hours, limits, "hours")
    assert len(read) == len(set(read)) <= 2 * (n - 1)


def test_an_employee_of_short_weeks_has_only_the_nearest_weeks_read() -> None:
    read: list[str] = []

    def sheet_of(week: str) -> Container | None:
        read.append(week)
        return sheet(week, Decimal(10))

    check_average(sheet_of, "Anne Martin", WEEK, Decimal(10), Decimal(2), WorkingTimeLimits(), "hours")
    assert read == [add_weeks(WEEK, -1), add_weeks(WEEK, 1)]
