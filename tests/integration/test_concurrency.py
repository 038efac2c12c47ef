"""Concurrent writers: the rules hold when several nodes record at the same moment."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Callable

from bootstrap import bootstrap
from domain.commands import BookSlot, LogStaffHours
from domain.errors import BookingOverlap, DomainError, WorkingTimeExceeded
from domain.ids import agenda_aggregate_id, timesheet_aggregate_id
from application.ledger import Ledger
from settings import Settings
from tests.ledger_fixtures import COORDINATOR, small_pool


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


def test_a_writer_that_loses_the_race_decides_again_on_fresh_state(store_settings: Settings) -> None:
    """B decides on stale state; A records first; B's save conflicts, B retries and is refused."""
    with bootstrap(store_settings) as setup:
        small_pool(setup)
    slot = BookSlot(resource_id="salle-vercors", partner_id="creche-a",
                    starts_at="2026-03-02T14:00:00+01:00", ends_at="2026-03-02T16:00:00+01:00")
    a, b = bootstrap(store_settings), bootstrap(store_settings)
    saves: list[int] = []
    real_save = b.store.save

    def save_after_a(*events: object):
        if not saves:
            a.execute(slot, actor="node-a")  # A wins the race between B's decision and B's save
        saves.append(len(events))
        return real_save(*events)

    b.store.save = save_after_a  # type: ignore[method-assign]
    try:
        b.execute(slot, actor="node-b")
    except BookingOverlap as error:
        refusal = error
    assert len(saves) == 1, "B's stale save must be rejected by the store, then B re-decides"
    assert "overlaps booking salle-vercors:2026-03-02:1" in str(refusal)
    a.close(), b.close()
