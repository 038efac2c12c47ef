"""The analysts' snapshot: a pseudonymised copy of the projection database, and its lifecycle.

Analysts' SQL never runs on the projection writer's connection, nor in the API's process: a
cursor of the writer's connection cannot be made read-only (`DELETE …; COMMIT` escapes a
wrapping transaction), and a query in the API's process shares its memory. So the projection
database is copied, at one tracked position, into a new file (`publish`), pseudonymised on the
way (projections.pseudonymise), and each query on the copy runs in a worker process of the
sandbox (projections.workers, projections.sandbox), bounded in memory by the operating system
and killed at the deadline.

`SnapshotPublisher` publishes a new snapshot when the projections have advanced, at most
every `snapshot_every_s` seconds (0: before a query, whenever the snapshot is behind the
projections; a query's `after` beyond the snapshot also refreshes it), swaps it in for new
queries, and deletes the previous one's files once its last query has finished. The snapshot
directory belongs to one API process: files left there are deleted at start.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import duckdb

from projections.pseudonymise import copy_tables
from projections.runner import APPLICATION
from projections.sandbox import Limits, QueryResult
from projections.workers import WorkerPool

if TYPE_CHECKING:
    from projections.follower import Follower
    from settings import Settings

log = logging.getLogger(__name__)

SNAPSHOT_PREFIX = "snapshot-"
PARTIAL_PREFIX = "partial-"
TEMP_SUFFIX = ".tmp"
# Publishing -----------------------------------------------------------------------------


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(source: duckdb.DuckDBPyConnection | Path | str, snapshot_dir: Path | str) -> Path:
    """Copy the projection database into a new snapshot file of `snapshot_dir`, pseudonymised.

    `source` is a connection to the projection database (the follower's: the copy runs on a
    cursor of its own, in one transaction, so it reflects exactly one tracked position and
    never blocks the follower), or the path of a projection file no process is writing.
    Returns the snapshot's path, `snapshot-p<position>-<random>.duckdb`.
    """
    snapshot_dir = Path(snapshot_dir)
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    token = f"{time.time_ns():x}-{secrets.token_hex(4)}"
    partial = snapshot_dir / f"{PARTIAL_PREFIX}{token}.duckdb"
    alias = f"encommun_snapshot_{token.replace('-', '_')}"
    conn = duckdb.connect() if isinstance(source, (str, Path)) else source.cursor()
    try:
        if isinstance(source, (str, Path)):
            conn.execute(f"ATTACH {_literal(str(source))} AS src (READ_ONLY)")
            src = "src"
        else:
            src = conn.execute("SELECT current_database()").fetchone()[0]
        conn.execute(f"ATTACH {_literal(str(partial))} AS {_ident(alias)}")
        try:
            conn.begin()
            try:
                position = _copy(conn, src, alias)
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        finally:
            conn.execute(f"DETACH {_ident(alias)}")
        final = snapshot_dir / f"{SNAPSHOT_PREFIX}p{position}-{token}.duckdb"
        os.replace(partial, final)
        return final
    except BaseException:
        _remove(partial)
        raise
    finally:
        conn.close()


def _copy(conn: duckdb.DuckDBPyConnection, source: str, target: str) -> int:
    """Within the caller's transaction: the schema, views and macros, then every table's rows,
    pseudonymised (projections.pseudonymise)."""
    src, dst = _ident(source), _ident(target)
    row = conn.execute(f"SELECT notification_id FROM {src}.main.tracking WHERE application_name = ?",
                       [APPLICATION]).fetchone()
    conn.execute(f"COPY FROM DATABASE {src} TO {dst} (SCHEMA)")
    tables = conn.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE database_name = ? AND NOT temporary ORDER BY schema_name, table_name",
        [source]).fetchall()
    if any(schema != "main" for schema, _ in tables):
        raise RuntimeError(f"tables outside the main schema: {tables}")
    copy_tables(conn, source, target, [table for _, table in tables])
    return 0 if row is None else int(row[0])


def _remove(path: Path) -> None:
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            file.unlink()
        except FileNotFoundError:
            pass


def clean(snapshot_dir: Path | str, keep: set[Path] = frozenset()) -> None:
    """Delete snapshot files (and their temp directories) left in `snapshot_dir`, except `keep`."""
    snapshot_dir = Path(snapshot_dir)
    if not snapshot_dir.is_dir():
        return
    kept = {p.name for p in keep} | {p.name + TEMP_SUFFIX for p in keep} | {p.name + ".wal" for p in keep}
    for entry in snapshot_dir.iterdir():
        if entry.name in kept or not entry.name.startswith((SNAPSHOT_PREFIX, PARTIAL_PREFIX)):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


# Serving --------------------------------------------------------------------------------


class Snapshot:
    """One published snapshot; its queries run in the sandbox's workers. Closed (its files
    deleted) when retired and idle."""

    def __init__(self, path: Path, position: int, temp_dir: Path, limits: Limits, pool: WorkerPool,
                 own_pool: bool = False) -> None:
        self.path = path
        self.position = position
        self.limits = limits
        self._pool = pool
        self._own_pool = own_pool
        self._temp_dir = temp_dir
        self._lock = threading.Lock()
        self._users = 0
        self._retired = False
        self.closed = False

    @classmethod
    def open(cls, path: Path | str, limits: Limits = Limits(), pool: WorkerPool | None = None) -> Snapshot:
        """The snapshot at `path`, checked by a first query in a worker (which also reads its
        position). Without `pool`, the snapshot starts workers of its own, stopped on close."""
        path = Path(path)
        temp_dir = path.with_name(path.name + TEMP_SUFFIX)
        temp_dir.mkdir(exist_ok=True)
        own = pool is None
        pool = WorkerPool(limits, spare=0) if pool is None else pool
        try:
            position = pool.select(path, "SELECT 1", temp_dir).position
        except BaseException:
            shutil.rmtree(temp_dir, ignore_errors=True)
            if own:
                pool.close()
            raise
        return cls(path, position, temp_dir, limits, pool, own)

    def query(self, sql: str, row_limit: int | None = None) -> QueryResult:
        """Run exactly one SELECT in a worker; cut it after `row_limit` rows (or MAX_RESULT_BYTES)."""
        if self.closed:
            raise RuntimeError("this snapshot is closed")
        return self._pool.select(self.path, sql, self._temp_dir, row_limit)

    # Lifecycle: acquired by each query, retired when a newer snapshot replaces it.

    def acquire(self) -> bool:
        with self._lock:
            if self._retired or self.closed:
                return False
            self._users += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            idle = self._retired and self._users == 0
        if idle:
            self.close()

    def retire(self) -> None:
        with self._lock:
            self._retired = True
            idle = self._users == 0
        if idle:
            self.close()

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
        try:
            if self._own_pool:
                self._pool.close()
        finally:
            _remove(self.path)
            shutil.rmtree(self._temp_dir, ignore_errors=True)


class SnapshotPublisher:
    """Keeps one current snapshot of the follower's projections for the analysts' queries."""

    def __init__(self, follower: Follower, snapshot_dir: Path, *, every_s: float, limits: Limits,
                 max_workers: int = 4) -> None:
        self.follower = follower
        self.snapshot_dir = Path(snapshot_dir)
        self.every_s = every_s
        self.limits = limits
        self._current: Snapshot | None = None
        self._lock = threading.Lock()          # guards _current
        self._publishing = threading.Lock()    # one publish at a time
        self._stop = threading.Event()
        self.pool = WorkerPool(limits, max_workers=max_workers)
        self._thread = threading.Thread(target=self._refresh_periodically, name="snapshot-publisher",
                                        daemon=True)
        self.last_publish_s: float | None = None

    @classmethod
    def from_settings(cls, follower: Follower, settings: Settings) -> SnapshotPublisher:
        return cls(follower, settings.snapshot_dir, every_s=settings.snapshot_every_s,
                   limits=Limits.from_settings(settings), max_workers=settings.sql_workers)

    @property
    def position(self) -> int | None:
        current = self._current
        return None if current is None else current.position

    def start(self) -> None:
        clean(self.snapshot_dir)  # files a previous process left
        self.pool.start()
        if self.every_s > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=120)
        with self._publishing, self._lock:
            current, self._current = self._current, None
        if current is not None:
            current.retire()
        self.pool.close()

    @contextmanager
    def snapshot(self, at_least: int | None = None) -> Iterator[Snapshot]:
        """The current snapshot, held until the block ends: refreshed first if it is behind
        `at_least`, or (with `every_s` 0) behind the projections."""
        current = self._current
        if (current is None
                or (at_least is not None and current.position < at_least)
                or (self.every_s == 0 and current.position < self.follower.position)):
            self.refresh(at_least)
        with self._lock:  # a snapshot is retired only once it is no longer current
            current = self._current
            if current is None or not current.acquire():
                raise RuntimeError("the snapshot publisher is stopped")
        try:
            yield current
        finally:
            current.release()

    def refresh(self, at_least: int | None = None) -> Snapshot:
        """Publish a snapshot unless the current one already reflects the projections."""
        with self._publishing:
            if self._stop.is_set():
                raise RuntimeError("the snapshot publisher is stopped")
            current = self._current
            wanted = max(self.follower.position, at_least or 0)
            if current is not None and current.position >= wanted:
                return current
            started = time.perf_counter()
            path = publish(self.follower.view.connection, self.snapshot_dir)
            try:
                fresh = Snapshot.open(path, self.limits, self.pool)
            except BaseException:
                _remove(path)
                raise
            self.last_publish_s = time.perf_counter() - started
            with self._lock:
                previous, self._current = self._current, fresh
            if previous is not None:
                previous.retire()
            log.info("analysts' snapshot at position %s published in %.2f s", fresh.position,
                     self.last_publish_s)
            return fresh

    def _refresh_periodically(self) -> None:
        while not self._stop.is_set():
            try:
                current = self._current
                if current is None or current.position < self.follower.position:
                    self.refresh()
            except Exception:
                log.exception("publishing the analysts' snapshot failed; retrying")
            self._stop.wait(self.every_s)
