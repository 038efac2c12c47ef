"""Keeps the projection database following the log while the API serves it.

One thread folds new events as they are recorded (woken by the API after each write,
and every `poll_s` for writes made by other nodes or processes); readers wait on a
condition for the position a write returned (read-your-writes).
"""

from __future__ import annotations

import logging
import threading

import duckdb
from eventsourcing.persistence import ApplicationRecorder

from projections.recorder import DuckDBTrackingRecorder
from projections.runner import ProjectionRunner

log = logging.getLogger(__name__)


class Follower:
    def __init__(self, recorder: ApplicationRecorder, view: DuckDBTrackingRecorder,
                 *, poll_s: float = 0.5, page_size: int = 5_000) -> None:
        self.view = view
        self.runner = ProjectionRunner(recorder, view, page_size=page_size)
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._reached = threading.Condition()
        # The follower thread and a request (closing a month) may both ask to catch up.
        self._catching_up = threading.Lock()
        self._position = self.runner.position
        self._thread = threading.Thread(target=self._follow, name="projection-follower", daemon=True)

    @property
    def position(self) -> int:
        return self._position

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def nudge(self) -> None:
        """Something was written: fold it now rather than at the next poll."""
        self._wake.set()

    def wait_for(self, position: int, timeout: float) -> bool:
        """Block until the projections include `position`; False if `timeout` passed first."""
        self.nudge()
        with self._reached:
            return self._reached.wait_for(lambda: self._position >= position, timeout=timeout)

    def catch_up(self) -> None:
        with self._catching_up:
            self.runner.catch_up(on_page=lambda _: self._publish(self.runner.position))
            self._publish(self.runner.position)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection for one reader thread, seeing committed pages only."""
        with self.view.lock:
            return self.view.connection.cursor()

    def _publish(self, position: int) -> None:
        with self._reached:
            self._position = position
            self._reached.notify_all()

    def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                self.catch_up()
            except Exception:  # a failed page is rolled back; log it and try again later
                log.exception("projection follower failed; retrying")
            self._wake.wait(timeout=self.poll_s)
            self._wake.clear()
