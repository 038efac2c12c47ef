"""Exporting every analyst table and view of the projection file (docs/schema.md) to
Parquet or CSV files, one per table, and running one SELECT, for the operator's CLI. No
printing here.

Both run in a worker of the analysts' sandbox (projections.workers), with the analysts'
time limit (per table, for an export) and memory limit (ENCOMMUN_SQL_TIMEOUT_S,
ENCOMMUN_SQL_MEMORY_LIMIT), on a read-only, locked-down connection: `select` reads the
projection file and nothing else (no local file, URL or extension), employee names
included; `export` writes only into its directory.

Both read the DuckDB projection file read-only: DuckDB lets one process open a file
read-write or several open it read-only, not both, so they fail while a process
(`encommun serve`, a catch-up) holds it read-write; `ProjectionsUnavailable` says so.

Exports are for analysts: by default they are taken from a pseudonymised copy of the
projection file, made as the API's analyst snapshot is (`projections.snapshot.publish`),
in a temporary directory inside the export directory.
"""

from __future__ import annotations

import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

import duckdb

from projections.sandbox import Limits
from projections.snapshot import publish
from projections.workers import WorkerPool

# Every table and view of docs/schema.md, in its order ('tracking' is bookkeeping).
ANALYST_TABLES: tuple[str, ...] = (
    "events", "partners", "memberships", "membership_versions", "resources",
    "resource_versions", "allocation_keys", "usage", "usage_versions", "costs",
    "cost_versions", "cost_shares", "statements", "statement_lines", "charge_trace",
    "periods", "statement_numbers", "adjustments", "disputes", "dispute_events", "credits",
    "hour_sheets", "hour_sheet_versions", "invoices", "invoice_lines",
    "cost_bases", "contract_terms", "rate_cards", "group_profiles", "member_details", "ge_debts",
    "register_notifications", "member_funds", "invoice_payments", "credit_note_refunds", "tariff_settlements",
)

Format = Literal["parquet", "csv"]
FORMATS = ("parquet", "csv")


class ProjectionsUnavailable(Exception):
    """The projection file is missing, or held read-write by another process."""


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
def _sandbox(limits: Limits, work_dir: Path | None = None) -> Iterator[tuple[WorkerPool, Path]]:
    """One worker (started for this command, stopped after) and a temp directory for it."""
    pool = WorkerPool(limits, max_workers=1, spare=0)
    try:
        with tempfile.TemporaryDirectory(prefix=".encommun-", dir=work_dir) as tmp:
            yield pool, Path(tmp)
    finally:
        pool.close()


def export(
    projection_path: Path,
    directory: Path,
    format: Format,
    limits: Limits,
    *,
    tables: tuple[str, ...] = ANALYST_TABLES,
    employee_names: bool = False,
    on_table: Callable[[Exported], None] | None = None,
) -> list[Exported]:
    """Write DIR/<table>.<format> for every table; all are read in one transaction, so
    they agree with each other (as of one log position). Employees are pseudonymised
    unless `employee_names`. A SqlError if a table passes the time or memory limit."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r} (parquet or csv)")
    connect_read_only(projection_path).close()  # a clear error if missing or held
    directory.mkdir(parents=True, exist_ok=True)
    exported: list[Exported] = []

    def done(name: str, rows: int) -> None:
        target = directory / f"{name}.{format}"
        exported.append(Exported(name, target, rows, target.stat().st_size))
        if on_table is not None:
            on_table(exported[-1])

    with _sandbox(limits, directory) as (pool, tmp):
        source = projection_path
        if not employee_names:
            try:
                source = publish(projection_path, tmp)
            except duckdb.IOException as error:
                raise ProjectionsUnavailable(f"cannot copy {projection_path}: {error}") from None
        pool.export(source, tables, directory.resolve(), format, tmp, done)
    return exported


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    seconds: float


def select(projection_path: Path, query: str, limits: Limits) -> QueryResult:
    """One SELECT on the projection file, in the sandbox; a SqlError if refused or stopped."""
    connect_read_only(projection_path).close()  # a clear error if missing or held
    started = time.perf_counter()
    with _sandbox(limits) as (pool, tmp):
        result = pool.select(projection_path.resolve(), query, tmp)
    table = result.table
    rows = list(zip(*(table.column(i).to_pylist() for i in range(table.num_columns))))
    return QueryResult([name for name, _ in result.columns], rows, result.truncated,
                       time.perf_counter() - started)
