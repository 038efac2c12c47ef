"""Exporting every analyst table and view of the projection file (docs/schema.md) to
Parquet or CSV files, one per table, and running one SELECT. No printing here.

Both read the DuckDB projection file read-only: DuckDB lets one process open a file
read-write or several open it read-only, not both, so they fail while a process
(`encommun serve`, a catch-up) holds it read-write; `ProjectionsUnavailable` says so.

Exports are for analysts: by default they are taken from a pseudonymised copy of the
projection file, made as the API's analyst snapshot is (`projections.snapshot.publish`:
employees are `employee-<n>`), in a temporary directory inside the export directory.
"""

from __future__ import annotations

import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

import duckdb

from projections.snapshot import publish

# Every table and view of docs/schema.md, in its order ('tracking' is bookkeeping).
ANALYST_TABLES: tuple[str, ...] = (
    "events", "partners", "memberships", "membership_versions", "resources",
    "resource_versions", "allocation_keys", "usage", "usage_versions", "costs",
    "cost_versions", "cost_shares", "statements", "statement_lines", "charge_trace",
    "periods", "statement_numbers", "adjustments", "disputes", "dispute_events", "credits",
)

Format = Literal["parquet", "csv"]
FORMATS: dict[str, str] = {"parquet": "(FORMAT parquet)", "csv": "(FORMAT csv, HEADER true)"}


class ProjectionsUnavailable(Exception):
    """The projection file is missing, or held read-write by another process."""


class NotASelect(Exception):
    """`sql` runs one SELECT and nothing else."""


@dataclass(frozen=True)
class Exported:
    name: str
    path: Path
    rows: int
    bytes: int


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.is_file():
        raise ProjectionsUnavailable(
            f"no projection file at {path} (build it with `encommun rebuild`)"
        )
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        raise ProjectionsUnavailable(
            f"cannot open {path} read-only: another process holds it "
            f"(is `encommun serve` running on it?): {error}"
        ) from None


@contextmanager
def pseudonymised_copy(projection_path: Path, work_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a pseudonymised copy of the projection file, deleted after."""
    connect_read_only(projection_path).close()  # a clear error if missing or held
    with tempfile.TemporaryDirectory(prefix=".encommun-", dir=work_dir) as tmp:
        try:
            copy = publish(projection_path, tmp)
        except duckdb.IOException as error:
            raise ProjectionsUnavailable(f"cannot copy {projection_path}: {error}") from None
        with duckdb.connect(str(copy), read_only=True) as conn:
            yield conn


def export(
    projection_path: Path,
    directory: Path,
    format: Format,
    *,
    tables: tuple[str, ...] = ANALYST_TABLES,
    employee_names: bool = False,
    on_table: Callable[[Exported], None] | None = None,
) -> list[Exported]:
    """Write DIR/<table>.<format> for every table; all are read in one transaction, so
    they agree with each other (as of one log position). Employees are pseudonymised
    unless `employee_names`."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r} (parquet or csv)")
    directory.mkdir(parents=True, exist_ok=True)
    exported = []
    source = (connect_read_only(projection_path) if employee_names
              else pseudonymised_copy(projection_path, directory))
    with source as conn:
        conn.begin()
        for name in tables:
            target = directory / f"{name}.{format}"
            literal = str(target).replace("'", "''")
            conn.execute(f"COPY (SELECT * FROM {name}) TO '{literal}' {FORMATS[format]}")
            rows = conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            done = Exported(name, target, rows, target.stat().st_size)
            exported.append(done)
            if on_table is not None:
                on_table(done)
        conn.rollback()
    return exported


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    seconds: float


def check_select(query: str) -> str:
    """The query if it is exactly one SELECT (a WITH … SELECT counts), else NotASelect."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.ParserException as error:
        raise NotASelect(str(error)) from None
    if len(statements) != 1:
        raise NotASelect(f"one SELECT statement, not {len(statements)}")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise NotASelect(f"only a SELECT statement runs here, not {statements[0].type.name}")
    return statements[0].query


def select(projection_path: Path, query: str) -> QueryResult:
    statement = check_select(query)
    started = time.perf_counter()
    with connect_read_only(projection_path) as conn:
        cursor = conn.execute(statement)
        columns = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    return QueryResult(columns, rows, time.perf_counter() - started)
