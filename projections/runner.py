"""Follows the event log into the DuckDB projection database, one page per transaction.

eventsourcing 9.5.6's SQLite recorder cannot push to subscribers, so the runner pulls
pages of notifications after the last tracked position (PostgreSQL ids may have gaps, so
"after", never "+1 and count"). Each page is copied into `events` through Arrow, folded
into the versioned tables by set-based SQL, the touched pools are re-split, and the new
position is tracked, all in one DuckDB transaction: one commit per page, not per event.

An event that cannot be folded (a topic no class answers to, a payload the SQL rejects)
stops the projections just before it: the events of its page before it are still folded
(a failed page is retried in halves, down to the single event), and `FoldFailed` names it.
A page that fails because another runner on the same file (another app of this process)
folded it first is no event's fault: the runner goes on from where the other one left.
"""

from __future__ import annotations

import queue
import re
import threading
import time
import contextlib
from typing import Callable, Iterator, Sequence

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from eventsourcing.persistence import ApplicationRecorder, Notification, Tracking
from eventsourcing.utils import TopicError, get_topic, resolve_topic

from domain.periods import month_of
from event_store.mapper import unseal
from projections import chain, closing, folds, shares
from projections.queries import named
from projections.recorder import DuckDBTrackingRecorder
from projections.row_checks import RowChecker

APPLICATION = "encommun"
# Another runner's open transaction on the same rows: how often, and after what pause, to try again.
CONFLICT_TRIES, CONFLICT_PAUSE_S = 40, 0.05
_PARAM = re.compile(r"\$(\w+)")


def run(conn: duckdb.DuckDBPyConnection, name: str, **params: object) -> duckdb.DuckDBPyConnection:
    """Execute a named statement of apply_page.sql, binding the parameters it names."""
    sql = named("apply_page.sql")[name]
    wanted = set(_PARAM.findall(sql))
    return conn.execute(sql, {k: v for k, v in params.items() if k in wanted})


class FoldFailed(Exception):
    """An event of the log cannot be folded: the projections stop just before it."""

    def __init__(self, position: int, event_type: str, reason: str) -> None:
        super().__init__(f"position {position} ({event_type}): {reason}")
        self.position = position
        self.event_type = event_type
        self.reason = reason


def _class_topics(notifications: Sequence[Notification]) -> dict[str, str]:
    """Each stored topic and the topic of the class that answers to it now, so that a
    renamed class (its old topic kept with `register_topic`) folds under its new name.
    Only the domain's topics are resolved: resolving imports, and a row of the store must
    not make the server import whatever module it names."""
    found: dict[str, str] = {}
    for n in notifications:
        if n.topic not in found:
            try:
                if not n.topic.startswith("domain."):
                    raise TopicError(n.topic)
                found[n.topic] = get_topic(resolve_topic(n.topic))
            except TopicError:
                raise FoldFailed(n.id, n.topic.rpartition(":")[2],
                                 f"no event class answers to topic {n.topic} (a renamed class keeps "
                                 "its old topic with eventsourcing.utils.register_topic)") from None
    return found


def page_table(notifications: Sequence[Notification], previous_hash: str, *,
               check: RowChecker | None = None) -> pa.Table:
    """The page as Arrow columns, each event chained to the previous one; with `check`
    (verify), every row is checked against itself first, else RowMismatch names it.
    An event whose topic no class answers to is a FoldFailed."""
    if check is not None:
        for n in notifications:
            check.check(n)
    topics = _class_topics(notifications)
    hashes = chain.chain(
        previous_hash,
        ((n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications),
    )
    return pa.table(
        {
            "position": pa.array([n.id for n in notifications], pa.int64()),
            "topic": [topics[n.topic] for n in notifications],
            "originator_id": [str(n.originator_id) for n in notifications],
            "originator_version": pa.array([n.originator_version for n in notifications], pa.int64()),
            "state": [unseal(n.topic, n.state).decode() for n in notifications],
            "chain_hash": hashes,
        }
    )


def fold_page(conn: duckdb.DuckDBPyConnection, page: pa.Table, lo: int, *, split: bool) -> None:
    """Fold a page of the log (from `page_table`), positions in (lo, last], into the
    tables, in the caller's transaction, by the statements projections/folds.py finds."""
    hi = page["position"][-1].as_py()
    conn.register("page", page)
    run(conn, "insert_events")
    conn.unregister("page")
    event_types = frozenset(topic.partition(":")[2] for topic in pc.unique(page["topic"]).to_pylist())
    for name in folds.page_steps_for(event_types):
        run(conn, name, lo=lo, hi=hi)
    membership_months = _fold_each(conn, lo, hi)
    if split:
        touched = touched_pools(conn, lo, hi, membership_months)
        shares.refresh(conn, touched)
        if run(conn, "closes_in_page", lo=lo, hi=hi).fetchall()[0][0]:
            closing.refresh_adjustments(conn)  # a new seal moves every late window
        else:
            closing.refresh_adjustments(conn, touched)


def _fold_each(conn: duckdb.DuckDBPyConnection, lo: int, hi: int) -> set[str]:
    """The events folded one by one (memberships, retirements), in log order; returns the
    months whose memberships moved."""
    months: set[str] = set()
    steps = folds.each_steps()
    for position, event_type, partner, resource, day in run(conn, "select_each", lo=lo, hi=hi).fetchall():
        for name in steps[event_type]:
            run(conn, name, partner=partner, resource=resource, day=day, position=position)
        if partner is not None:
            months.add(month_of(day))
    return months


def touched_pools(
    conn: duckdb.DuckDBPyConnection, lo: int, hi: int, membership_months: set[str]
) -> set[tuple[str, str]]:
    """Pools whose inputs changed: their costs or usage, their key, or who was a member."""
    pools = set(run(conn, "touched_pools", lo=lo, hi=hi).fetchall())
    pools_from = named("pools.sql")["pools_from"]
    for resource, applies_from in run(conn, "key_changes", lo=lo, hi=hi).fetchall():
        pools |= set(conn.execute(pools_from, {"month": applies_from, "resource": resource}).fetchall())
    if membership_months:
        first = min(membership_months)
        pools |= set(conn.execute(pools_from, {"month": first, "resource": None}).fetchall())
    return pools


def pages(recorder: ApplicationRecorder, after: int, page_size: int, previous_hash: str, *,
          check: bool = False) -> Iterator[pa.Table]:
    """Pages of the log after a position, as Arrow tables chained from `previous_hash`.

    They are read and prepared one page ahead on another thread: while DuckDB folds a page
    (it releases the GIL), the next one is read from the store, checked and hashed."""
    ahead: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read() -> None:
        start, chained = after, previous_hash
        checker = RowChecker() if check else None
        try:
            while not stop.is_set():
                notifications = recorder.select_notifications(start=start, limit=page_size,
                                                              inclusive_of_start=False)
                if not notifications:
                    ahead.put(None)
                    return
                try:
                    page = page_table(notifications, chained, check=checker)
                except FoldFailed as error:
                    # The events before the one to blame are sound (and already checked):
                    # hand them over first.
                    sound = [n for n in notifications if n.id < error.position]
                    if sound:
                        ahead.put(page_table(sound, chained))
                    raise
                ahead.put(page)
                start, chained = notifications[-1].id, page["chain_hash"][-1].as_py()
        except BaseException as error:  # handed over to the consuming thread
            ahead.put(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        while True:
            page = ahead.get()
            if isinstance(page, BaseException):
                raise page
            if page is None:
                return
            yield page
    finally:
        stop.set()
        while reader.is_alive():
            try:
                ahead.get_nowait()
            except queue.Empty:
                reader.join(timeout=0.05)


class _Overtaken(Exception):
    """Another runner on this projection file tracked past the page first."""


class ProjectionRunner:
    """Brings the projection database up to the end of the log, page by page."""

    def __init__(
        self, recorder: ApplicationRecorder, view: DuckDBTrackingRecorder, page_size: int = 5_000,
        *, check_checksums: bool = False,
    ) -> None:
        self.check_checksums = check_checksums
        self.recorder = recorder
        self.view = view
        self.page_size = page_size

    @property
    def position(self) -> int:
        return self.view.max_tracking_id(APPLICATION) or 0

    def catch_up(self, *, split: bool = True, on_page: Callable[[int], None] | None = None) -> int:
        """Fold every event after the tracked position; returns how many were folded.
        FoldFailed names the first event that cannot be, once every event before it is."""
        folded = conflicts = 0

        def count(rows: int) -> None:
            nonlocal folded
            folded += rows
            if on_page is not None:
                on_page(rows)

        while True:
            lo = self.position
            if (self.recorder.max_notification_id() or 0) <= lo:
                return folded  # nothing new: the follower asks often
            with self.view.lock:
                previous_hash = run(self.view.connection, "last_chain_hash", lo=lo).fetchall()[0][0]
            log = pages(self.recorder, lo, self.page_size, previous_hash, check=self.check_checksums)
            try:
                with contextlib.closing(log):  # a failed fold stops the reader thread now, not at collection
                    for page in log:
                        lo = self._fold(page, lo, split, count)
                return folded
            except _Overtaken as overtaken:
                if self.position > lo:
                    continue  # on from where the other runner left: this ends with the log
                # A conflict with a transaction still open: once it commits, the next try
                # starts after it; a conflict that never clears is the store's, not an event's.
                conflicts += 1
                if conflicts > CONFLICT_TRIES:
                    raise overtaken.__cause__
                time.sleep(CONFLICT_PAUSE_S)

    def _fold(self, page: pa.Table, lo: int, split: bool, on_page: Callable[[int], None]) -> int:
        """Fold and track a page in one transaction; if that fails, its halves one after the
        other, down to the single event, which is then the one to blame. Returns the new position."""
        hi = page["position"][-1].as_py()
        try:
            with self.view.transaction() as conn:
                fold_page(conn, page, lo, split=split)
                self.view.track(conn, Tracking(APPLICATION, hi))
        except Exception as error:
            if isinstance(error, duckdb.TransactionException) or self.position > lo:
                # It met another runner's transaction (a conflict, or a position already
                # tracked): nothing to blame on an event.
                raise _Overtaken from error
            if page.num_rows == 1:
                reason = " ".join(str(error).split()) or type(error).__name__
                raise FoldFailed(hi, page["topic"][0].as_py().rpartition(":")[2], reason) from error
            half = page.num_rows // 2
            lo = self._fold(page.slice(0, half), lo, split, on_page)
            return self._fold(page.slice(half), lo, split, on_page)
        on_page(page.num_rows)
        return hi
