"""The analysts' snapshot: a pseudonymised copy of the projection database, served read-only.

Analysts' SQL never runs on the projection writer's connection: a cursor of it cannot be
made read-only (`DELETE …; COMMIT` escapes a wrapping transaction), and DuckDB refuses a
second connection to the live file with another configuration. So the projection database
is copied, at one tracked position, into a new file (`publish`), the names of employees are
replaced by `employee-<n>` in that copy, and the copy is opened by a database instance of
its own, read-only and locked down (`Snapshot.open`):

* `enable_external_access=false`: no file, URL or directory (read_csv, read_text, glob,
  COPY … TO, ATTACH, EXPORT, INSTALL, LOAD);
* `python_enable_replacements=false`: no Python variable of the server as a table;
* extension autoload, autoinstall and community extensions off;
* `memory_limit`, and spilling to a temp directory of the snapshot's own, bounded by
  `max_temp_directory_size`;
* `max_execution_time`: DuckDB interrupts a query that runs longer;
* `lock_configuration=true`, set last: no `SET`/`PRAGMA`/`RESET` can undo any of it.

On DuckDB 2.0.1, a plain `SET x = …` of `max_execution_time` or `python_enable_replacements`
only reaches the connection that ran it (scope LOCAL), not its cursors, and config keys given
to `duckdb.connect(config=…)` are applied in no fixed order (`temp_directory` is refused when
`enable_external_access=false` happens to come first). So the config holds everything but
those two, everything is then set again with `SET GLOBAL` in the order of `lockdown()`
(`enable_external_access`, then `lock_configuration`, last), and the result is checked on a
fresh cursor before the snapshot serves anyone.

`SnapshotPublisher` publishes a new snapshot when the projections have advanced, at most
every `snapshot_every_s` seconds (0: before a query, whenever the snapshot is behind the
projections; a query's `after` beyond the snapshot also refreshes it), swaps it in for new
queries, and closes the previous one (and deletes its files) once its last query has finished.
The snapshot directory belongs to one API process: files left there are deleted at start.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import duckdb
import pyarrow as pa

from projections.runner import APPLICATION

if TYPE_CHECKING:
    from projections.follower import Follower
    from settings import Settings

log = logging.getLogger(__name__)

SNAPSHOT_PREFIX = "snapshot-"
PARTIAL_PREFIX = "partial-"
TEMP_SUFFIX = ".tmp"
# Rows are streamed out of DuckDB in small Arrow batches, so that a cut result stops the query
# early and a wide row cannot make one huge batch.
BATCH_ROWS = 256
# A result is also cut once its Arrow batches hold this much (DuckDB's memory_limit does not
# bound the values of a result once they are handed to Arrow).
MAX_RESULT_BYTES = 64 * 1024 * 1024
DEFAULT_TEMP_LIMIT = "1GB"


# Errors --------------------------------------------------------------------------------


class SqlError(Exception):
    """A query the snapshot will not run, or that DuckDB stopped; `rule` names why."""

    rule = "sql-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotOneSelect(SqlError):
    rule = "sql-one-select"


class SqlTimeout(SqlError):
    rule = "sql-timeout"


class SqlForbidden(SqlError):
    rule = "sql-forbidden"


class SqlOutOfMemory(SqlError):
    rule = "sql-out-of-memory"


class SqlInvalid(SqlError):
    rule = "sql-invalid"


# Publishing -----------------------------------------------------------------------------


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Employees are numbered in the order they were registered, so a pseudonym never changes
# from one snapshot to the next (new employees get the next numbers).
_STAFF_ALIASES = """
    SELECT resource_id,
           'employee-' || row_number() OVER (ORDER BY min(valid_from), resource_id) AS alias
    FROM {src}.main.resource_versions
    WHERE kind = 'staff'
    GROUP BY resource_id
"""

# Tables whose rows are rewritten on the way into the snapshot (every other table is copied
# as it is), given `$ids`, the resource ids of the employees, and `$aliases`, their pseudonyms.
# Names of employees appear in `resource_versions.name` and in the payload of their
# `ResourceRegistered` events (docs/schema.md); every other name column is derived from these.
# Each is a plain projection of its source table, so rows keep their order (events by position).
_MASKED = {
    "resource_versions": """
        INSERT INTO {dst}.main.resource_versions
        SELECT * REPLACE (
                   CASE WHEN kind = 'staff'
                        THEN coalesce($aliases[list_position($ids, resource_id)], 'employee-?')
                        ELSE name END AS name)
        FROM {src}.main.resource_versions
    """,
    "events": """
        INSERT INTO {dst}.main.events
        SELECT * REPLACE (
                   CASE WHEN event_type = 'ResourceRegistered' AND payload->>'kind' = 'staff'
                        THEN json_merge_patch(payload, json_object(
                                 'name', coalesce($aliases[list_position($ids, payload->>'resource_id')],
                                          'employee-?')))
                        ELSE payload END AS payload)
        FROM {src}.main.events
    """,
}


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
    """Within the caller's transaction: the schema, views and macros, then every table's rows."""
    src, dst = _ident(source), _ident(target)
    row = conn.execute(f"SELECT notification_id FROM {src}.main.tracking WHERE application_name = ?",
                       [APPLICATION]).fetchone()
    conn.execute(f"COPY FROM DATABASE {src} TO {dst} (SCHEMA)")
    tables = conn.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE database_name = ? AND NOT temporary ORDER BY schema_name, table_name",
        [source]).fetchall()
    staff = conn.execute(_STAFF_ALIASES.format(src=src)).fetchall()
    params = {"ids": [resource_id for resource_id, _ in staff], "aliases": [alias for _, alias in staff]}
    for schema, table in tables:
        if schema == "main" and table in _MASKED:
            conn.execute(_MASKED[table].format(src=src, dst=dst), params)
        else:
            name = f"{_ident(schema)}.{_ident(table)}"
            conn.execute(f"INSERT INTO {dst}.{name} SELECT * FROM {src}.{name}")
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


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 5.0
    memory_limit: str = "512MB"
    temp_limit: str = DEFAULT_TEMP_LIMIT
    row_limit: int = 10_000


@dataclass(frozen=True)
class QueryResult:
    columns: list[tuple[str, str]]  # name, DuckDB type
    table: pa.Table
    truncated: bool
    position: int


def lockdown(limits: Limits, temp_dir: Path) -> list[tuple[str, object, str]]:
    """The settings of a snapshot's instance, in the order they are set, with the value
    `duckdb_settings()` must then show (None: not checked there)."""
    timeout_ms = max(1, round(limits.timeout_s * 1000))
    return [
        ("memory_limit", limits.memory_limit, None),
        ("temp_directory", str(temp_dir), str(temp_dir)),
        ("max_temp_directory_size", limits.temp_limit, None),
        ("max_execution_time", timeout_ms, str(timeout_ms)),
        ("autoload_known_extensions", False, "false"),
        ("autoinstall_known_extensions", False, "false"),
        ("allow_community_extensions", False, "false"),
        ("allow_unsigned_extensions", False, "false"),
        ("allow_persistent_secrets", False, "false"),
        ("python_enable_replacements", False, "false"),
        ("python_scan_all_frames", False, "false"),
        ("enable_external_access", False, "false"),
        ("lock_configuration", True, "true"),
    ]


def _sql_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _literal(str(value))


class Snapshot:
    """One published snapshot, open read-only and locked down; closed when retired and idle."""

    def __init__(self, path: Path, conn: duckdb.DuckDBPyConnection, position: int, temp_dir: Path,
                 limits: Limits) -> None:
        self.path = path
        self.position = position
        self.limits = limits
        self._conn = conn
        self._temp_dir = temp_dir
        self._lock = threading.Lock()
        self._users = 0
        self._retired = False
        self.closed = False

    @classmethod
    def open(cls, path: Path | str, limits: Limits = Limits()) -> Snapshot:
        path = Path(path)
        temp_dir = path.with_name(path.name + TEMP_SUFFIX)
        temp_dir.mkdir(exist_ok=True)
        settings = lockdown(limits, temp_dir)
        # enable_external_access and lock_configuration are left out of the config: DuckDB
        # applies config keys in no fixed order, and each refuses some keys that follow it.
        config = {name: value for name, value, _ in settings
                  if name not in ("enable_external_access", "lock_configuration")}
        try:
            conn = duckdb.connect(str(path), read_only=True, config=config)
        except BaseException:
            shutil.rmtree(temp_dir, ignore_errors=True)
            raise
        try:
            for name, value, _ in settings:
                conn.execute(f"SET GLOBAL {name} = {_sql_value(value)}")
            check = conn.cursor()
            try:
                shown = dict(check.execute(
                    "SELECT name, value FROM duckdb_settings() WHERE list_contains(?, name)",
                    [[name for name, _, _ in settings] + ["access_mode"]]).fetchall())
                row = check.execute("SELECT notification_id FROM tracking WHERE application_name = ?",
                                    [APPLICATION]).fetchone()
            finally:
                check.close()
            wrong = {name: shown.get(name) for name, _, expected in settings
                     if expected is not None and shown.get(name) != expected}
            if shown.get("access_mode") != "read_only":
                wrong["access_mode"] = shown.get("access_mode")
            if wrong:
                raise RuntimeError(f"the snapshot's connection is not locked down as expected: {wrong}")
        except BaseException:
            conn.close()
            shutil.rmtree(temp_dir, ignore_errors=True)
            raise
        return cls(path, conn, 0 if row is None else int(row[0]), temp_dir, limits)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own for one thread (each query gets a new one, so nothing a
        statement leaves in a cursor, e.g. a temp table, reaches another query)."""
        with self._lock:
            if self.closed:
                raise RuntimeError("this snapshot is closed")
            return self._conn.cursor()

    def query(self, sql: str, row_limit: int | None = None) -> QueryResult:
        """Run exactly one SELECT; cut it after `row_limit` rows (or MAX_RESULT_BYTES)."""
        limit = self.limits.row_limit if row_limit is None else row_limit
        cursor = self.cursor()
        try:
            statement = self._one_select(cursor, sql)
            try:
                relation = cursor.sql(statement)
                columns = [(name, str(type_)) for name, type_ in zip(relation.columns, relation.types)]
                reader = relation.to_arrow_reader(min(BATCH_ROWS, limit + 1))
                batches: list[pa.RecordBatch] = []
                rows = size = 0
                truncated = False
                try:
                    for batch in reader:
                        if rows + batch.num_rows > limit or size + batch.nbytes > MAX_RESULT_BYTES:
                            truncated = True
                            if size + batch.nbytes <= MAX_RESULT_BYTES:
                                batches.append(batch.slice(0, limit - rows))
                            break
                        batches.append(batch)
                        rows += batch.num_rows
                        size += batch.nbytes
                finally:
                    reader.close()
                table = pa.Table.from_batches(batches, schema=reader.schema)
            except duckdb.InterruptException:
                raise SqlTimeout(
                    f"the query ran longer than {self.limits.timeout_s:g} s, the analysts' limit, "
                    f"and was stopped") from None
            except duckdb.PermissionException as error:
                raise SqlForbidden(str(error)) from None
            except duckdb.OutOfMemoryException as error:
                raise SqlOutOfMemory(
                    f"the query needs more than the analysts' memory ({self.limits.memory_limit}, "
                    f"and {self.limits.temp_limit} on disk): {error}") from None
            except duckdb.Error as error:
                raise SqlInvalid(str(error)) from None
            except (pa.ArrowException, OSError) as error:  # Arrow conversion of the rows
                raise SqlInvalid(str(error)) from None
        finally:
            cursor.close()
        return QueryResult(columns, table, truncated, self.position)

    @staticmethod
    def _one_select(cursor: duckdb.DuckDBPyConnection, sql: str) -> object:
        try:
            statements = cursor.extract_statements(sql)
        except duckdb.Error as error:
            raise SqlInvalid(str(error)) from None
        if len(statements) != 1:
            raise NotOneSelect(f"send exactly one SELECT statement, not {len(statements)} statements")
        statement = statements[0]
        if statement.type != duckdb.StatementType.SELECT:
            raise NotOneSelect(f"only a SELECT statement is accepted, not {statement.type.name}")
        return statement

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
            self._conn.close()
        finally:
            _remove(self.path)
            shutil.rmtree(self._temp_dir, ignore_errors=True)


class SnapshotPublisher:
    """Keeps one current snapshot of the follower's projections for the analysts' queries."""

    def __init__(self, follower: Follower, snapshot_dir: Path, *, every_s: float, limits: Limits) -> None:
        self.follower = follower
        self.snapshot_dir = Path(snapshot_dir)
        self.every_s = every_s
        self.limits = limits
        self._current: Snapshot | None = None
        self._lock = threading.Lock()          # guards _current
        self._publishing = threading.Lock()    # one publish at a time
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._refresh_periodically, name="snapshot-publisher",
                                        daemon=True)
        self.last_publish_s: float | None = None

    @classmethod
    def from_settings(cls, follower: Follower, settings: Settings) -> SnapshotPublisher:
        return cls(follower, settings.snapshot_dir, every_s=settings.snapshot_every_s,
                   limits=Limits(timeout_s=settings.sql_timeout_s, memory_limit=settings.sql_memory_limit,
                                 row_limit=settings.sql_row_limit))

    @property
    def position(self) -> int | None:
        current = self._current
        return None if current is None else current.position

    def start(self) -> None:
        clean(self.snapshot_dir)  # files a previous process left
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
                fresh = Snapshot.open(path, self.limits)
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
