"""Idempotency keys: a retried command records nothing twice and answers as the first time."""

from __future__ import annotations

import threading

import pytest

from bootstrap import bootstrap
from domain.commands import LogStaffHours
from domain.errors import IdempotencyKeyReused
from application.ledger import Ledger
from settings import Settings
from tests.ledger_fixtures import COORDINATOR, event_count, small_pool


def hours(h: str) -> LogStaffHours:
    return LogStaffHours(employee_id="anne", partner_id="creche-a", work_date="2026-03-02", hours=h)


def test_the_same_command_twice_with_one_key_records_one_event(ledger: Ledger) -> None:
    """The retry returns the first outcome, marked replayed, and the store grows by one event."""
    small_pool(ledger)
    before = event_count(ledger)
    first = ledger.execute(hours("3"), actor=COORDINATOR, idempotency_key="req-1")
    again = ledger.execute(hours("3"), actor=COORDINATOR, idempotency_key="req-1")
    assert again.events == first.events
    assert (first.replayed, again.replayed) == (False, True)
    stored = list(ledger.events.get(first.events[0].originator_id))
    assert len(stored) == 1
    # One usage event and its receipt, both in one transaction.
    assert event_count(ledger) == before + 2


def test_the_same_key_with_another_body_is_an_error(ledger: Ledger) -> None:
    """Reusing a key for a different command is refused and records nothing."""
    small_pool(ledger)
    ledger.execute(hours("3"), actor=COORDINATOR, idempotency_key="req-1")
    before = event_count(ledger)
    with pytest.raises(IdempotencyKeyReused) as caught:
        ledger.execute(hours("4"), actor=COORDINATOR, idempotency_key="req-1")
    assert "already used for a different request" in str(caught.value)
    assert event_count(ledger) == before


def test_a_batch_retried_with_its_key_is_not_recorded_twice(ledger: Ledger) -> None:
    """Batches are idempotent as a whole."""
    small_pool(ledger)
    batch = [hours("2"), hours("3")]
    first = ledger.execute_batch(batch, actor=COORDINATOR, idempotency_key="import-42")
    before = event_count(ledger)
    again = ledger.execute_batch(batch, actor=COORDINATOR, idempotency_key="import-42")
    assert again.events == first.events and again.replayed
    assert event_count(ledger) == before


def test_concurrent_retries_of_one_key_record_once(store_settings: Settings) -> None:
    """Six nodes sending the same keyed request at once: one event, six identical answers."""
    apps = [bootstrap(store_settings) for _ in range(6)]
    small_pool(apps[0])
    before = event_count(apps[0])
    answers: list = []
    barrier = threading.Barrier(len(apps))

    def send(app: Ledger) -> None:
        barrier.wait()
        answers.append(app.execute(hours("3"), actor=COORDINATOR, idempotency_key="same"))

    threads = [threading.Thread(target=send, args=(app,)) for app in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == len(apps)
    assert len({a.events for a in answers}) == 1
    assert event_count(apps[0]) == before + 2
    for app in apps:
        app.close()


def test_execute_each_records_the_accepted_commands_once_and_returns_each_refusal(ledger: Ledger) -> None:
    """7 h, then 4 h (an 11-hour day: refused), then 2 h: two recorded in one transaction;
    sent again with the same keys, nothing new and the same answers."""
    small_pool(ledger)
    commands, keys = [hours("7"), hours("4"), hours("2")], ["row-1", "row-2", "row-3"]
    before = event_count(ledger)
    first = ledger.execute_each(commands, keys=keys, actor=COORDINATOR)
    assert [type(r).__name__ for r in first] == ["Outcome", "WorkingTimeExceeded", "Outcome"]
    assert [r.events[0].entry_id for r in (first[0], first[2])] == ["anne:2026-W10:1", "anne:2026-W10:2"]
    assert event_count(ledger) == before + 4  # two events and their two receipts
    again = ledger.execute_each(commands, keys=keys, actor=COORDINATOR)
    assert again[0].replayed and again[2].replayed and again[0].events == first[0].events
    assert type(again[1]).__name__ == "WorkingTimeExceeded"
    assert event_count(ledger) == before + 4
    assert ledger.execute(hours("2"), actor=COORDINATOR, idempotency_key="row-3").replayed
