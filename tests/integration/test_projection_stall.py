"""An event the fold cannot handle, written straight into a real SQLite store: the runner
folds everything before it and names it, the follower keeps serving, retries with a capped
backoff that writes cannot turn into a hot loop, logs the stall once, and moves on once
the fold is fixed."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from bootstrap import bootstrap
from application.ledger import Ledger
from projections.follower import Follower, ProjectionStalled
from projections.recorder import DuckDBTrackingRecorder
from projections.runner import FoldFailed, ProjectionRunner
from settings import Settings
from tests.history import ACTOR, setup
from tests.unfoldable import (RENAMED, Stalled, garbled, register_renamed_topic, renamed_cost,
                              write_around)

INJECTIONS = {
    # No class answers to the topic: found while the page is read, before any SQL runs.
    "renamed class": (RENAMED, renamed_cost, "CostBooked", "no event class answers to topic"),
    # The stored JSON is cut short: the page's SQL fails.
    "garbled payload": ("domain.events:CostRecorded", garbled, "CostRecorded", "JSON"),
}


# Each test starts with the renamed class's old topic unknown, and leaves it so.
pytestmark = pytest.mark.usefixtures("renamed_topic_unknown")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(sqlite_path=tmp_path / "ledger.sqlite")
    with bootstrap(settings) as ledger:
        ledger.execute_batch(setup(), actor=ACTOR)
    return settings


def positions(view: DuckDBTrackingRecorder) -> list[int]:
    return [row[0] for row in view.connection.execute("SELECT position FROM events ORDER BY position").fetchall()]


@pytest.mark.parametrize("injection", INJECTIONS, ids=list(INJECTIONS))
def test_the_runner_folds_every_event_before_the_bad_one_and_names_it(
        settings: Settings, tmp_path: Path, injection: str) -> None:
    """The bad event sits in the middle of a page: the projections end just before it, and
    FoldFailed gives its position, its event type and the error."""
    topic, payload, event_type, error = INJECTIONS[injection]
    stalled = write_around(settings, topic, payload())
    view = DuckDBTrackingRecorder(tmp_path / "projections.duckdb")
    with bootstrap(settings) as ledger:
        runner = ProjectionRunner(ledger.recorder, view, page_size=5_000)
        with pytest.raises(FoldFailed) as failed:
            runner.catch_up()
        assert (failed.value.position, failed.value.event_type) == (stalled.bad, event_type)
        assert error in failed.value.reason
        assert runner.position == stalled.before
        assert positions(view) == list(range(1, stalled.bad))
        # Asked again, it stops at the same event and folds nothing twice.
        with pytest.raises(FoldFailed):
            runner.catch_up()
        assert positions(view) == list(range(1, stalled.bad))
    view.close()


def test_a_renamed_class_folds_under_its_new_name_once_its_old_topic_is_registered(
        settings: Settings, tmp_path: Path) -> None:
    """register_topic is the fix: the event then counts as the class it was renamed to."""
    stalled = write_around(settings, RENAMED, renamed_cost())
    view = DuckDBTrackingRecorder(tmp_path / "projections.duckdb")
    with bootstrap(settings) as ledger:
        runner = ProjectionRunner(ledger.recorder, view)
        with pytest.raises(FoldFailed):
            runner.catch_up()
        register_renamed_topic()
        assert runner.catch_up() == stalled.end - stalled.before
        assert runner.position == stalled.end
        event_type, = view.connection.execute("SELECT event_type FROM events WHERE position = ?",
                                              [stalled.bad]).fetchone()
        assert event_type == "CostRecorded"
        pool, = view.connection.execute("SELECT sum(amount_cents) FROM costs WHERE resource_id = 'loyer'").fetchone()
        assert pool == 100_000 + 24_550
    view.close()


def _stalled_follower(settings: Settings, tmp_path: Path, **kwargs: object) -> tuple[Follower, Stalled, Ledger]:
    stalled = write_around(settings, "domain.events:CostRecorded", garbled())
    ledger = bootstrap(settings)
    return Follower(ledger.recorder, DuckDBTrackingRecorder(tmp_path / "projections.duckdb"), **kwargs), stalled, ledger


def test_a_stalled_follower_serves_what_it_folded_and_answers_waiting_readers_at_once(
        settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """wait_for beyond the stall raises ProjectionStalled without waiting out its timeout;
    a position it holds is answered; the stall is in status() and logged once."""
    follower, stalled, ledger = _stalled_follower(settings, tmp_path, retry_s=(0.05, 0.2))
    with caplog.at_level(logging.WARNING, logger="projections.follower"):
        follower.start()
        try:
            assert follower.wait_for(stalled.before, timeout=10)
            started = time.monotonic()
            with pytest.raises(ProjectionStalled) as raised:
                follower.wait_for(stalled.bad, timeout=30)
            assert time.monotonic() - started < 10
            assert str(raised.value).startswith(
                f"the projections are stalled at position {stalled.bad} on event CostRecorded: ")
            _until(lambda: follower.status().stall.attempts >= 4)
            status = follower.status()
            assert status.position == stalled.before
            assert (status.stall.position, status.stall.event_type) == (stalled.bad, "CostRecorded")
            with pytest.raises(ProjectionStalled):
                follower.catch_up()
        finally:
            follower.stop()
            follower.view.close()
            ledger.close()
    reports = [r for r in caplog.records if r.name == "projections.follower"]
    assert len(reports) == 1, [r.getMessage() for r in reports]
    assert reports[0].levelno == logging.ERROR and not reports[0].exc_info
    assert f"position {stalled.bad} on event CostRecorded" in reports[0].getMessage()


def test_the_retry_pause_doubles_up_to_its_cap(settings: Settings, tmp_path: Path) -> None:
    """0.1 s, 0.2 s, 0.4 s, then 0.4 s: each try that fails on the same event waits twice as
    long as the previous one, never more than the cap (measured on status(), generous margins)."""
    follower, _, ledger = _stalled_follower(settings, tmp_path, retry_s=(0.1, 0.4))
    try:
        pauses = []
        for attempt in range(1, 5):
            with pytest.raises(ProjectionStalled):
                follower.catch_up()
            status = follower.status()
            assert status.stall.attempts == attempt
            pauses.append(status.retry_in_s)
            # Before the pause is over, catch_up answers from the stall without trying.
            with pytest.raises(ProjectionStalled):
                follower.catch_up()
            assert follower.status().stall.attempts == attempt
            time.sleep(status.retry_in_s + 0.01)
        for pause, wanted in zip(pauses, (0.1, 0.2, 0.4, 0.4)):
            assert wanted / 2 < pause <= wanted
    finally:
        follower.view.close()
        ledger.close()


def test_writes_nudging_a_stalled_follower_do_not_make_it_spin(settings: Settings, tmp_path: Path) -> None:
    """A write nudges the follower every 2 ms for 1.5 s: it tries again at most once per
    first backoff step (0.5 s), so a handful of tries, not hundreds; and a nudge brings a
    long pause back to that first step."""
    follower, _, ledger = _stalled_follower(settings, tmp_path)
    follower.start()
    try:
        first = follower.status().stall.attempts
        stop = time.monotonic() + 1.5
        while time.monotonic() < stop:
            follower.nudge()
            time.sleep(0.002)
        tries = follower.status().stall.attempts - first
        assert 1 <= tries <= 6, tries
        _until(lambda: follower.status().retry_in_s > 1.0, timeout=20)  # backed off past 1 s
        follower.nudge()
        assert follower.status().retry_in_s <= 0.5
    finally:
        follower.stop()
        follower.view.close()
        ledger.close()


def test_a_follower_moves_on_by_itself_once_the_fold_is_fixed(
        settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The renamed class's old topic is registered while the follower is stalled: its next
    try folds the rest of the log, readers waiting for the end are answered, the stall is
    gone, and the log says it moved again."""
    stalled = write_around(settings, RENAMED, renamed_cost())
    with bootstrap(settings) as ledger:
        follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp_path / "projections.duckdb"),
                            retry_s=(0.05, 0.2))
        with caplog.at_level(logging.WARNING, logger="projections.follower"):
            follower.start()
            try:
                assert follower.status().stall.position == stalled.bad
                register_renamed_topic()
                waiting = threading.Thread(target=lambda: _until(lambda: follower.wait_for(stalled.end, 1)))
                waiting.start()
                waiting.join(timeout=30)
                assert not waiting.is_alive()
                status = follower.status()
                assert (status.position, status.stall) == (stalled.end, None)
            finally:
                follower.stop()
                follower.view.close()
    messages = [r.getMessage() for r in caplog.records if r.name == "projections.follower"]
    assert len(messages) == 2 and "moving again" in messages[1] and str(stalled.end) in messages[1]


def _until(condition, timeout: float = 30) -> None:
    """Poll `condition` (ProjectionStalled counts as not yet) until it holds, boundedly."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except ProjectionStalled:
            pass
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout} s")
