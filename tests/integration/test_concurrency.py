"""Concurrent writers: the rules hold when several nodes record at the same moment."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from typing import Callable

import pytest

from bootstrap import bootstrap
from domain.commands import BookSlot, Command, CorrectEntry, LogStaffHours, RecordCost
from domain.errors import BookingOverlap, DomainError, RuleViolation, WorkingTimeExceeded
from domain.ids import agenda_aggregate_id, cost_book_aggregate_id, timesheet_aggregate_id
from application.ledger import Ledger
from settings import Settings
from tests.ledger_fixtures import COORDINATOR, small_pool
from tests.timesheet_fixtures import at


def race(store_settings: Settings, writers: int, act: Callable[[Ledger, int], object]) -> tuple[list, list]:
    """Each writer is its own application (as on separate nodes) and starts at one signal."""
    apps = [bootstrap(store_settings) for _ in range(writers)]
    barrier = threading.Barrier(writers)
    done: list = []
    refused: list[DomainError] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            done.append(act(apps[i], i))
        except DomainError as error:
            refused.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for app in apps:
        app.close()
    return done, refused


def test_two_writers_booking_the_same_slot_leave_exactly_one_booking(store_settings: Settings) -> None:
    """Of two simultaneous bookings of one room at one time, one stands, one is refused."""
    with bootstrap(store_settings) as setup:
        small_pool(setup)
    slot = BookSlot(resource_id="salle-vercors", partner_id="creche-a",
                    starts_at="2026-03-02T14:00:00+01:00", ends_at="2026-03-02T16:00:00+01:00")
    done, refused = race(store_settings, 2, lambda app, _: app.execute(slot, actor=COORDINATOR))
    assert len(done) == 1 and len(refused) == 1
    assert isinstance(refused[0], BookingOverlap)
    with bootstrap(store_settings) as check:
        stored = list(check.events.get(agenda_aggregate_id("salle-vercors", "2026-03-02")))
    assert len(stored) == 1


def test_many_writers_booking_one_room_never_overbook_it(store_settings: Settings) -> None:
    """Eight writers book overlapping hours of one room: the stored bookings never overlap."""
    with bootstrap(store_settings) as setup:
        small_pool(setup)

    def book(app: Ledger, i: int) -> object:
        start = 8 + i  # 08:00-10:00, 09:00-11:00, ...: each overlaps its neighbours
        return app.execute(
            BookSlot(resource_id="salle-vercors", partner_id="creche-a",
                     starts_at=f"2026-03-02T{start:02d}:00:00+01:00",
                     ends_at=f"2026-03-02T{start + 2:02d}:00:00+01:00"),
            actor=COORDINATOR,
        )

    done, refused = race(store_settings, 8, book)
    assert len(done) + len(refused) == 8 and done
    with bootstrap(store_settings) as check:
        stored = list(check.events.get(agenda_aggregate_id("salle-vercors", "2026-03-02")))
    spans = sorted((e.starts_at, e.ends_at) for e in stored)
    assert all(prev_end <= start for (_, prev_end), (start, _) in zip(spans, spans[1:]))


def test_hours_logged_concurrently_never_exceed_the_daily_limit(store_settings: Settings) -> None:
    """Six writers log 3 h each for one employee on one day: three are accepted (9 h), three refused."""
    with bootstrap(store_settings) as setup:
        small_pool(setup)
    entry = LogStaffHours(employee_id="anne", partner_id="creche-a", work_date="2026-03-02", hours=3)
    done, refused = race(store_settings, 6, lambda app, _: app.execute(entry, actor=COORDINATOR))
    assert (len(done), len(refused)) == (3, 3)
    assert all(isinstance(e, WorkingTimeExceeded) for e in refused)
    with bootstrap(store_settings) as check:
        stored = list(check.events.get(timesheet_aggregate_id("anne", "2026-W10")))
    assert sum((e.hours for e in stored), Decimal(0)) == Decimal(9)


def a_records_between(store_settings: Settings, first: Command, second: Command,
                      refusal: type[DomainError]) -> tuple[int, DomainError]:
    """B decides `second`; before B saves, A (another node) records `first`. Returns how many
    times B saved, and B's refusal once it decided again."""
    a, b = bootstrap(store_settings), bootstrap(store_settings)
    saves: list[int] = []
    real_save = b.store.save

    def save_after_a(*events: object, **kwargs: object):
        if not saves:
            a.execute(first, actor="node-a")  # A wins the race between B's decision and B's save
        saves.append(len(events))
        return real_save(*events, **kwargs)

    b.store.save = save_after_a  # type: ignore[method-assign]
    try:
        with pytest.raises(refusal) as refused:
            b.execute(second, actor="node-b")
    finally:
        a.close(), b.close()
    return len(saves), refused.value


def test_a_writer_that_loses_the_race_decides_again_on_fresh_state(store_settings: Settings) -> None:
    """B decides on stale state; A records first; B's save conflicts, B retries and is refused."""
    with bootstrap(store_settings) as setup:
        small_pool(setup)
    slot = BookSlot(resource_id="salle-vercors", partner_id="creche-a",
                    starts_at="2026-03-02T14:00:00+01:00", ends_at="2026-03-02T16:00:00+01:00")
    saves, refusal = a_records_between(store_settings, slot, slot, BookingOverlap)
    assert saves == 1, "B's stale save must be rejected by the store, then B re-decides"
    assert "overlaps booking salle-vercors:2026-03-02:1" in str(refusal)


def hours(day: str, hours: int) -> LogStaffHours:
    return LogStaffHours(employee_id="anne", partner_id="creche-a", work_date=day, hours=hours)


def ten_weeks_of_48_hours(store_settings: Settings) -> None:
    """2026-W02 to W11 at 48 h (five days of 9,6 h): the 12 weeks to W13 have 48 h left."""
    with bootstrap(store_settings) as setup:
        small_pool(setup)
        monday = date(2026, 1, 5)
        setup.execute_batch([LogStaffHours(employee_id="anne", partner_id="creche-a", hours="9.6",
                                           work_date=(monday + timedelta(weeks=w, days=d)).isoformat())
                             for w in range(10) for d in range(5)], actor=COORDINATOR)


def test_hours_of_another_week_recorded_meanwhile_count_in_the_twelve_week_average(
        store_settings: Settings) -> None:
    """B logs 8 h in W13 having read W12 at 40 h (528 h over W02-W13: allowed); meanwhile A
    logs 8 h more in W12. B's save is refused by the store, B decides again and is refused
    (L3121-22: 536 h > 12 × 44 h), nothing of B's stored."""
    ten_weeks_of_48_hours(store_settings)
    with bootstrap(store_settings) as setup:
        setup.execute_batch([hours(f"2026-03-{day}", 10) for day in (16, 17, 18, 19)], actor=COORDINATOR)
    saves, refusal = a_records_between(store_settings, hours("2026-03-20", 8), hours("2026-03-23", 8),
                                       WorkingTimeExceeded)
    assert saves == 1
    assert "536.00 h over the 12 weeks 2026-W02 to 2026-W13" in refusal.message
    with bootstrap(store_settings) as check:
        assert list(check.events.get(timesheet_aggregate_id("anne", "2026-W13"))) == []
        week_12 = list(check.events.get(timesheet_aggregate_id("anne", "2026-W12")))
    assert sum((e.hours for e in week_12), Decimal(0)) == Decimal(48)


def test_a_monday_logged_while_the_sunday_before_is_recorded_keeps_the_daily_rest(
        store_settings: Settings) -> None:
    """A records Sunday 2026-03-08 until 22:00 (W10) while B decides Monday from 07:00 (W11):
    B decides again and is refused, 9 h of rest (L3131-1)."""
    with bootstrap(store_settings) as setup:
        small_pool(setup)
    sunday = LogStaffHours(employee_id="anne", partner_id="creche-a", starts_at=at("2026-03-08", "18:00"),
                           ends_at=at("2026-03-08", "22:00"))
    monday = LogStaffHours(employee_id="anne", partner_id="creche-a", starts_at=at("2026-03-09", "07:00"),
                           ends_at=at("2026-03-09", "09:00"))
    saves, refusal = a_records_between(store_settings, sunday, monday, WorkingTimeExceeded)
    assert saves == 1 and "rest" in refusal.message
    with bootstrap(store_settings) as check:
        assert list(check.events.get(timesheet_aggregate_id("anne", "2026-W11"))) == []


def test_writers_logging_hours_in_two_weeks_at_once_never_break_the_twelve_week_average(
        store_settings: Settings) -> None:
    """Six nodes each log a 10-hour day at the same instant, three in W12 and three in W13,
    with 48 h left over the 12 weeks to W13: however they interleave, the stored hours of
    W12 and W13 stay within 48 h and the others are refused by the rule."""
    ten_weeks_of_48_hours(store_settings)
    days = ["2026-03-16", "2026-03-17", "2026-03-18", "2026-03-23", "2026-03-24", "2026-03-25"]
    done, refused = race(store_settings, len(days), lambda app, i: app.execute(hours(days[i], 10), actor=COORDINATOR))
    assert len(done) + len(refused) == len(days)
    assert refused and all(isinstance(e, WorkingTimeExceeded) for e in refused)
    with bootstrap(store_settings) as check:
        stored = [e for week in ("2026-W12", "2026-W13")
                  for e in check.events.get(timesheet_aggregate_id("anne", week))]
    assert sum((e.hours for e in stored), Decimal(0)) == 10 * len(done) <= 48


def test_two_credit_notes_on_one_cost_at_once_never_undo_each_other(store_settings: Settings) -> None:
    """Both read the rent at 350,00 €; A's avoir of 20,00 € lands while B's of 30,00 € is being
    saved: B decides again and is refused (the cost moved), so the rent stays at A's 330,00 €
    rather than B's 320,00 € computed from the amount A changed."""
    with bootstrap(store_settings) as setup:
        small_pool(setup)
        setup.execute(RecordCost(resource_id="salle-vercors", month="2026-03", amount_cents=35_000,
                                 category="loyer", document_ref="F-1"), actor=COORDINATOR)
    entry = "salle-vercors:2026-03:1"
    saves, refusal = a_records_between(
        store_settings, CorrectEntry(entry_id=entry, amount_cents=33_000, from_amount_cents=35_000, reason="avoir A"),
        CorrectEntry(entry_id=entry, amount_cents=32_000, from_amount_cents=35_000, reason="avoir B"), RuleViolation)
    assert saves == 1 and refusal.field == "from_amount_cents"
    with bootstrap(store_settings) as check:
        stored = list(check.events.get(cost_book_aggregate_id("salle-vercors", "2026-03")))
    assert [getattr(e, "amount_cents") for e in stored] == [35_000, 33_000]
