"""The analysts' query engine: its errors, its limits, the locked-down connection, one SELECT.

It runs in a worker process of its own (`projections.sql_worker`), never in the API's: the
operating system bounds that process's memory, and the API kills it at the deadline. Here is
what the worker does with one job, on a DuckDB instance opened for that job only:

* `access_mode=read_only`, and `enable_external_access=false`: no file, URL or directory
  (read_csv, read_text, glob, COPY … TO, ATTACH, EXPORT, INSTALL, LOAD), except the
  `allowed_directories` of an export job;
* `python_enable_replacements=false`: no Python variable of the process as a table;
* extension autoload, autoinstall and community extensions off;
* `memory_limit`, and spilling to a temp directory of the job's own, bounded by
  `max_temp_directory_size`;
* `max_execution_time`: DuckDB interrupts a query that runs longer;
* `lock_configuration=true`, set last: no `SET`/`PRAGMA`/`RESET` can undo any of it.

On DuckDB 2.0.1, a plain `SET x = …` of `max_execution_time` or `python_enable_replacements`
only reaches the connection that ran it (scope LOCAL), not its cursors, and config keys given
to `duckdb.connect(config=…)` are applied in no fixed order (`temp_directory` is refused when
`enable_external_access=false` happens to come first). So the config holds everything but
those two, everything is then set again with `SET GLOBAL` in the order of `lockdown()`
(`enable_external_access`, then `lock_configuration`, last), and the result is checked on a
fresh cursor before any query runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

if TYPE_CHECKING:
    from settings import Settings

# Rows are streamed out of DuckDB in small Arrow batches, so that a cut result stops the query
# early and a wide row cannot make one huge batch.
BATCH_ROWS = 256
# A result is also cut once its Arrow batches hold this much (DuckDB's memory_limit does not
# bound the values of a result once they are handed to Arrow).
MAX_RESULT_BYTES = 64 * 1024 * 1024
DEFAULT_TEMP_LIMIT = "1GB"


# Errors: one family for POST /sql, `encommun sql` and `encommun export` ----------------


class SqlError(Exception):
    """A query the sandbox will not run, or that it stopped; `rule` names why."""

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


class SqlBusy(SqlError):
    """Every worker the sandbox may run is busy."""

    rule = "sql-busy"


class SqlUnavailable(SqlError):
    """The database file cannot be opened (missing, or held read-write by another process)."""

    rule = "sql-unavailable"


class SqlParquet(SqlError):
    """The result has columns Parquet cannot hold (the API's Parquet answer)."""

    rule = "sql-parquet"


ERRORS: dict[str, type[SqlError]] = {cls.rule: cls for cls in (
    SqlError, NotOneSelect, SqlTimeout, SqlForbidden, SqlOutOfMemory, SqlInvalid, SqlBusy, SqlUnavailable)}


# Limits and the lockdown ----------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 5.0
    memory_limit: str = "512MB"
    temp_limit: str = DEFAULT_TEMP_LIMIT
    row_limit: int = 10_000

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(timeout_s=settings.sql_timeout_s, memory_limit=settings.sql_memory_limit,
                   row_limit=settings.sql_row_limit)


@dataclass(frozen=True)
class QueryResult:
    columns: list[tuple[str, str]]  # name, DuckDB type
    table: pa.Table
    truncated: bool
    position: int


def lockdown(limits: Limits, temp_dir: Path, allowed_directories: tuple[str, ...] = ()
             ) -> list[tuple[str, object, str | None]]:
    """The settings of a job's instance, in the order they are set, with the value
    `duckdb_settings()` must then show (None: not checked there)."""
    timeout_ms = max(1, round(limits.timeout_s * 1000))
    allowed = [("allowed_directories", list(allowed_directories), None)] if allowed_directories else []
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
        *allowed,
        ("enable_external_access", False, "false"),
        ("lock_configuration", True, "true"),
    ]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(str(item)) for item in value) + "]"
    return _literal(str(value))


def open_locked(path: Path | str, limits: Limits, temp_dir: Path,
                allowed_directories: tuple[str, ...] = ()) -> duckdb.DuckDBPyConnection:
    """A read-only connection to `path`, locked down, checked; SqlUnavailable if it cannot open."""
    settings = lockdown(limits, temp_dir, allowed_directories)
    # enable_external_access and lock_configuration are left out of the config: DuckDB
    # applies config keys in no fixed order, and each refuses some keys that follow it.
    config = {name: value for name, value, _ in settings
              if name not in ("enable_external_access", "lock_configuration", "allowed_directories")}
    try:
        conn = duckdb.connect(str(path), read_only=True, config=config)
    except duckdb.IOException as error:
        raise SqlUnavailable(f"cannot open {path} read-only (is another process writing it?): {error}") from None
    try:
        for name, value, _ in settings:
            conn.execute(f"SET GLOBAL {name} = {_sql_value(value)}")
        check = conn.cursor()
        try:
            shown = dict(check.execute(
                "SELECT name, value FROM duckdb_settings() WHERE list_contains(?, name)",
                [[name for name, _, _ in settings] + ["access_mode"]]).fetchall())
        finally:
            check.close()
        wrong = {name: shown.get(name) for name, _, expected in settings
                 if expected is not None and shown.get(name) != expected}
        if shown.get("access_mode") != "read_only":
            wrong["access_mode"] = shown.get("access_mode")
        if wrong:
            raise RuntimeError(f"the analysts' connection is not locked down as expected: {wrong}")
    except BaseException:
        conn.close()
        raise
    return conn


# One SELECT -----------------------------------------------------------------------------


def one_select(conn: duckdb.DuckDBPyConnection, sql: str) -> object:
    """The statement if `sql` is exactly one SELECT (DuckDB's parser says which), else NotOneSelect."""
    try:
        statements = conn.extract_statements(sql)
    except duckdb.Error as error:
        raise SqlInvalid(str(error)) from None
    if len(statements) != 1:
        raise NotOneSelect(f"send exactly one SELECT statement, not {len(statements)} statements")
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        raise NotOneSelect(f"only a SELECT statement is accepted, not {statement.type.name}")
    return statement


def translated(error: BaseException, limits: Limits) -> SqlError:
    """DuckDB's (or Arrow's) error as one of the family, naming the limit it hit."""
    if isinstance(error, SqlError):
        return error
    if isinstance(error, duckdb.InterruptException):
        return SqlTimeout(f"the query ran longer than {limits.timeout_s:g} s, the analysts' limit, "
                          f"and was stopped")
    if isinstance(error, duckdb.PermissionException):
        return SqlForbidden(str(error))
    if isinstance(error, (duckdb.OutOfMemoryException, MemoryError)) or str(error).startswith("Out of Memory"):
        return SqlOutOfMemory(f"the query needs more than the analysts' memory ({limits.memory_limit}, "
                              f"and {limits.temp_limit} on disk): {error}")
    return SqlInvalid(str(error))


def run_select(conn: duckdb.DuckDBPyConnection, sql: str, limits: Limits, position: int = 0) -> QueryResult:
    """Run exactly one SELECT on a cursor of its own; cut it after the row limit (or
    MAX_RESULT_BYTES). Every failure is raised as a SqlError."""
    limit = limits.row_limit
    cursor = conn.cursor()
    try:
        statement = one_select(cursor, sql)
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
        return QueryResult(columns, pa.Table.from_batches(batches, schema=reader.schema), truncated, position)
    except (duckdb.Error, pa.ArrowException, OSError, MemoryError) as error:
        raise translated(error, limits) from None
    finally:
        cursor.close()
