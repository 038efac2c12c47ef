"""Idempotency keys: a retried command records nothing twice and answers as the first time."""

from __future__ import annotations

import threading

import pytest

from bootstrap import bootstrap
from domain.commands import LogStaffHours
from domain.errors import IdempotencyKeyReused
from event_store.ledger import Ledger
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
