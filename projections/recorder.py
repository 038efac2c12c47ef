"""The DuckDB projection database, as an eventsourcing TrackingRecorder.

The tracking row says up to which log position the tables are derived. It is written in
the same DuckDB transaction as the rows of that page, so after a crash the database is at
one page boundary or the next, never in between.

The file says which schema wrote it: the comment of its `tracking` table, "encommun
projections, schema version N". A file of another version (or of none: written before
versions) is refused when opened, with the command that rebuilds it; a new file is given
the current one.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder

from projections.queries import script


# Bump it when what the tables hold changes (schema.sql, or what apply_page.sql and the
# re-splits write): files of another version are then refused until rebuilt.
SCHEMA_VERSION = 3
_MARK = "encommun projections, schema version {}"
_MARKED = re.compile(r"^encommun projections, schema version (\d+)$")


class OutdatedProjections(Exception):
    """The projection file was written by another schema version: it must be rebuilt."""

    def __init__(self, path: Path | str, found: int | None) -> None:
        written = f"schema version {found}" if found is not None else "no schema version (an older encommun)"
        super().__init__(
            f"the projection file {path} has {written}, this encommun reads schema version "
            f"{SCHEMA_VERSION}: rebuild it from the event log with "
            f"`encommun rebuild --store <event store> --projections {path}`")
        self.path = path
        self.found = found


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open (or create) a projection file of the current schema version, views recreated;
    OutdatedProjections if the file holds another version."""
    conn = duckdb.connect(str(path))
    try:
        found = schema_version(conn)
        if found is not None and found != SCHEMA_VERSION:
            raise OutdatedProjections(path, None if found == 0 else found)
        conn.execute(script("schema.sql"))
        if found is None:
            conn.execute(f"COMMENT ON TABLE tracking IS '{_MARK.format(SCHEMA_VERSION)}'")
        conn.execute(script("views.sql"))
    except BaseException:
        conn.close()
        raise
    return conn


def schema_version(conn: duckdb.DuckDBPyConnection) -> int | None:
    """The file's schema version: None for a new (empty) file, 0 for one written before versions."""
    row = conn.execute(
        "SELECT comment FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = 'tracking'").fetchone()
    if row is None:
        return None
    marked = _MARKED.match(row[0] or "")
    return int(marked[1]) if marked else 0


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
