"""The DuckDB projection database, as an eventsourcing TrackingRecorder.

The tracking row says up to which log position the tables are derived. It is written in
the same DuckDB transaction as the rows of that page, so after a crash the database is at
one page boundary or the next, never in between.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder

from projections.queries import script


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(path))
    conn.execute(script("schema.sql"))
    conn.execute(script("views.sql"))
    return conn


class DuckDBTrackingRecorder(TrackingRecorder):
    def __init__(self, path: Path | str = ":memory:") -> None:
        self.path = path
        self.connection = connect(path)
        # One DuckDB connection is not safe to share between threads without a lock.
        self.lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.lock:
            self.connection.begin()
            try:
                yield self.connection
            except BaseException:
                self.connection.rollback()
                raise
            self.connection.commit()

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.transaction() as conn:
            self.track(conn, tracking)

    def track(self, conn: duckdb.DuckDBPyConnection, tracking: Tracking) -> None:
        """Advance the position within the caller's transaction; never backwards or twice."""
        current = self._max(conn, tracking.application_name)
        if current is not None and tracking.notification_id <= current:
            raise IntegrityError(
                f"{tracking.application_name} is already tracked at {current}, "
                f"not after {tracking.notification_id}"
            )
        conn.execute(
            "INSERT OR REPLACE INTO tracking VALUES (?, ?)",
            [tracking.application_name, tracking.notification_id],
        )

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.lock:
            return self._max(self.connection, application_name)

    @staticmethod
    def _max(conn: duckdb.DuckDBPyConnection, application_name: str) -> int | None:
        row = conn.execute(
            "SELECT notification_id FROM tracking WHERE application_name = ?", [application_name]
        ).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        with self.lock:
            self.connection.close()
