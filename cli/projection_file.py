"""`encommun rebuild`, `sql` and `export`: the projection file, rebuilt, queried, exported."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from application import exporting
from cli import support
from projections.sandbox import Limits


def rebuild_(store: support.StoreOption = None, projections: support.ProjectionsOption = None) -> None:
    """Rebuild the projection file from the whole event log, then swap it in."""
    from projections.rebuild import rebuild
    from projections.runner import FoldFailed

    with support.reported_errors():
        settings = support.load_settings(store, projections)
        target = settings.projection_path
        if target.exists():
            # Swapping the file under a process that holds it would lose that process's
            # writes: refuse while anyone has it open read-write.
            exporting.connect_read_only(target).close()
        target.parent.mkdir(parents=True, exist_ok=True)
        with support.open_ledger(settings, existing=True) as ledger:
            try:
                folded = rebuild(ledger.recorder, target)
            except FoldFailed as error:
                kept = f"{target} is left as it was" if target.exists() else f"no projections written to {target}"
                raise support.Failure(f"rebuild stopped: the event at position {error.position} ({error.event_type}) "
                              f"cannot be folded: {error.reason}; {kept}") from None
        support.out.print(f"{folded:,} events folded into [bold]{escape(str(target))}[/]")


class SqlFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def sql(
    query: Annotated[str, typer.Argument(help="One SELECT statement (WITH … SELECT included).")],
    format: Annotated[SqlFormat, typer.Option("--format", help="How to print the rows.")] = SqlFormat.table,
    projections: support.ProjectionsOption = None,
) -> None:
    """Run one SELECT on a read-only connection to the projection file (docs/schema.md).

    For the operator: the file as it is, employee names included (analysts query the
    API's pseudonymised snapshot). It runs in the analysts' sandbox, with their time and
    memory limits (ENCOMMUN_SQL_TIMEOUT_S, ENCOMMUN_SQL_MEMORY_LIMIT) and row limit
    (ENCOMMUN_SQL_ROW_LIMIT), and reads nothing but the projection file: no local file, URL
    or extension. It cannot run while `encommun serve` holds the file."""
    with support.reported_errors():
        settings = support.load_settings(projections=projections)
        result = exporting.select(settings.projection_path, query, Limits.from_settings(settings))
    if format is SqlFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(["" if v is None else _text(v) for v in row] for row in result.rows)
    elif format is SqlFormat.json:
        rows = [dict(zip(result.columns, row)) for row in result.rows]
        typer.echo(json.dumps(rows, default=_text, ensure_ascii=False, indent=2))
    else:
        table = Table(*result.columns)
        for row in result.rows:
            table.add_row(*("" if v is None else escape(_text(v)) for v in row))
        support.out.print(table)
        support.err.print(f"{len(result.rows):,} rows in {result.seconds * 1000:.0f} ms")
    if result.truncated:
        support.err.print(f"[yellow]cut after {len(result.rows):,} rows (ENCOMMUN_SQL_ROW_LIMIT)[/]")


def _text(value: object) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class ExportFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"


def export(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Where to write <table>.<format> files.",
                                              file_okay=False)],
    format: Annotated[ExportFormat, typer.Option("--format", help="File format.")] = ExportFormat.parquet,
    employee_names: Annotated[bool, typer.Option(
        "--employee-names", help="Keep the names of employees (not for analysts: by default "
        "they are employee-<n>, as in the API's analyst snapshot).")] = False,
    projections: support.ProjectionsOption = None,
) -> None:
    """Export every analyst table and view (docs/schema.md) to DIR, one file each.

    Employees are pseudonymised as in the API's analyst snapshot, unless --employee-names.
    Each table is copied in the analysts' sandbox, within their time and memory limits."""
    with support.reported_errors():
        settings = support.load_settings(projections=projections)
        with support.progress(console=support.err) as progress:
            task = progress.add_task("export", total=len(exporting.ANALYST_TABLES))
            exported = exporting.export(
                settings.projection_path, directory, format.value, Limits.from_settings(settings),
                employee_names=employee_names,
                on_table=lambda done: progress.advance(task),
            )
    names = "with employee names" if employee_names else "employees pseudonymised"
    table = Table(title=f"Exported to {escape(str(directory))} ({format.value}, {names})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("file")
    table.add_column("size", justify="right")
    for done in exported:
        table.add_row(done.name, f"{done.rows:,}", escape(done.path.name), _size(done.bytes))
    support.out.print(table)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:,.0f} {unit}"
        n /= 1024
    return f"{n:,.1f} GiB"
