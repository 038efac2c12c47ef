"""Keeps the projection database following the log while the API serves it.

One thread folds new events as they are recorded (woken by the API after each write,
and every `poll_s` for writes made by other nodes or processes); readers wait on a
condition for the position a write returned (read-your-writes).

An event the fold cannot handle never stops the projections for good, nor silently: they
stay just before it and keep serving what they hold, the stall is logged once (again only
if it changes) and shown by `status()`, a reader waiting beyond it is answered at once,
and the follower tries again after a pause that doubles from `retry_s[0]` up to
`retry_s[1]`. A write's nudge brings the next try back to `retry_s[0]` after the last one,
never sooner, so a busy API cannot turn a stall into a hot loop.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import duckdb
from eventsourcing.persistence import ApplicationRecorder

from projections.recorder import DuckDBTrackingRecorder
from projections.runner import FoldFailed, ProjectionRunner

log = logging.getLogger(__name__)

RETRY_S = (0.5, 30.0)
# Quoted values in an error may come from an event's payload (a name, a reason).
_QUOTED = re.compile(r"'[^']*'")


@dataclass(frozen=True)
class Stall:
    """Why the projections stopped: after which position, on which event (when one event is
    to blame), with what error, since when and after how many tries."""

    folded: int
    position: int | None
    event_type: str | None
    error: str
    since: datetime
    attempts: int = 1

    @property
    def public_error(self) -> str:
        """The error with its quoted values masked, for answers that must not show payload
        data: single-quoted values become '…', and it is cut at a double quote (DuckDB quotes
        a piece of the input that way, quotes and all)."""
        masked = _QUOTED.sub("'…'", self.error)
        cut = masked.find('"')
        return masked if cut < 0 else masked[:cut].rstrip() + " …"

    def message(self, *, public: bool = False) -> str:
        error = self.public_error if public else self.error
        if self.position is None:
            return f"the projections are stalled after position {self.folded}: {error}"
        return f"the projections are stalled at position {self.position} on event {self.event_type}: {error}"

    def same_as(self, other: Stall | None) -> bool:
        return other is not None and (other.position, other.event_type, other.error) == (
            self.position, self.event_type, self.error)


class ProjectionStalled(Exception):
    """The projections cannot reach what was asked of them until their stall is fixed."""

    def __init__(self, stall: Stall, retry_in_s: float) -> None:
        super().__init__(stall.message())
        self.stall = stall
        self.retry_in_s = retry_in_s


@dataclass(frozen=True)
class Status:
    position: int
    stall: Stall | None
    retry_in_s: float | None  # until the next try of a stalled follower


class Follower:
    def __init__(self, recorder: ApplicationRecorder, view: DuckDBTrackingRecorder,
                 *, poll_s: float = 0.5, page_size: int = 5_000,
                 retry_s: tuple[float, float] = RETRY_S) -> None:
        self.view = view
        self.runner = ProjectionRunner(recorder, view, page_size=page_size)
        self.poll_s = poll_s
        self.retry_s = retry_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        # Guards _position, _stall and the retry schedule; readers wait on it.
        self._reached = threading.Condition()
        # The follower thread and a request (closing a month) may both ask to catch up.
        self._catching_up = threading.Lock()
        self._position = self.runner.position
        self._stall: Stall | None = None
        self._gone_stall: Stall | None = None  # cleared by a page past it, until the try ends
        self._delay = retry_s[0]
        self._last_try = 0.0
        self._next_try = 0.0
        self._thread = threading.Thread(target=self._follow, name="projection-follower", daemon=True)

    @property
    def position(self) -> int:
        return self._position

    def status(self) -> Status:
        with self._reached:
            retry_in = None if self._stall is None else max(0.0, self._next_try - time.monotonic())
            return Status(self._position, self._stall, retry_in)

    def start(self) -> None:
        """Catch up once (so nothing older than the log is served, unless stalled), then follow."""
        with self._catching_up:
            self._try()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def nudge(self) -> None:
        """Something was written: fold it now rather than at the next poll (a stalled
        follower: at the first step of its backoff after its last try)."""
        with self._reached:
            if self._stall is not None:
                self._delay = self.retry_s[0]
                self._next_try = min(self._next_try, self._last_try + self.retry_s[0])
        self._wake.set()

    def wait_for(self, position: int, timeout: float) -> bool:
        """Block until the projections include `position`; False if `timeout` passed first.
        ProjectionStalled, without waiting, if they are stalled before it."""
        with self._reached:
            if self._position < position and self._stall is None:
                self._wake.set()
                self._reached.wait_for(lambda: self._position >= position or self._stall is not None,
                                       timeout=timeout)
            if self._position >= position:
                return True
            if self._stall is not None:
                raise ProjectionStalled(self._stall, max(0.0, self._next_try - time.monotonic()))
            return False

    def catch_up(self) -> None:
        """Fold the log to its end; ProjectionStalled if an event stops it (at once, without
        trying, while a stalled follower waits for its next try)."""
        with self._catching_up:
            if self._stall is None or time.monotonic() >= self._next_try:
                self._try()
            status = self.status()
            if status.stall is not None:
                raise ProjectionStalled(status.stall, status.retry_in_s or 0.0)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection for one reader thread, seeing committed pages only."""
        with self.view.lock:
            return self.view.connection.cursor()

    def _publish(self, position: int) -> None:
        with self._reached:
            self._position = position
            # Past the event it was stalled on, the follower is no longer stalled: no reader
            # woken by this page may see the old stall (the log line waits for the end).
            stall = self._stall
            if stall is not None and (stall.position is None or position >= stall.position):
                self._stall, self._gone_stall = None, stall
            self._reached.notify_all()

    def _try(self) -> None:
        """One attempt to reach the end of the log (the caller holds _catching_up)."""
        try:
            self.runner.catch_up(on_page=lambda _: self._publish(self.runner.position))
            position = self.runner.position
        except FoldFailed as error:
            self._stalled(error.position, error.event_type, error.reason, trace=False)
        except Exception as error:  # not one event's fault (the store, the disk): keep its trace once
            self._stalled(None, None, " ".join(str(error).split()) or type(error).__name__, trace=True)
        else:
            self._recovered(position)

    def _stalled(self, position: int | None, event_type: str | None, error: str, *, trace: bool) -> None:
        try:
            folded = self.runner.position
        except Exception:  # the projection file itself failing: keep what was published
            folded = self._position
        now = time.monotonic()
        with self._reached:
            stall = Stall(folded, position, event_type, error, datetime.now(timezone.utc))
            previous, self._gone_stall = self._stall, None
            if stall.same_as(previous):
                stall = replace(previous, folded=folded, attempts=previous.attempts + 1)
            else:
                self._delay = self.retry_s[0]  # a new stall, or one further on: start over
            self._last_try, self._next_try = now, now + self._delay
            self._delay = min(self._delay * 2, self.retry_s[1])
            self._stall, self._position = stall, folded
            self._reached.notify_all()
        if stall.attempts == 1:
            log.error("%s; serving position %s, trying again in %g s, then at most every %g s",
                      stall.message(), folded, round(self._next_try - now, 3), self.retry_s[1], exc_info=trace)

    def _recovered(self, position: int) -> None:
        with self._reached:
            stall, self._stall = self._stall or self._gone_stall, None
            self._gone_stall = None
            self._delay = self.retry_s[0]
            self._position = position
            self._reached.notify_all()
        if stall is not None:
            log.warning("the projections are moving again after %d failed tries (stalled since %s): now at "
                        "position %s", stall.attempts, stall.since.isoformat(timespec="seconds"), position)

    def _follow(self) -> None:
        while not self._stop.is_set():
            # Cleared before the try, so that a write made during it wakes the next one.
            self._wake.clear()
            with self._catching_up:
                if self._stall is None or time.monotonic() >= self._next_try:
                    self._try()
            with self._reached:
                pause = self.poll_s if self._stall is None else max(0.0, self._next_try - time.monotonic())
            self._wake.wait(timeout=pause)
