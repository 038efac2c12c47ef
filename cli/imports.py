"""`encommun import`: a file of commands, each row on its own."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from application import importing
from cli import support


class CsvKindChoice(str, Enum):
    staff_hours = "staff-hours"
    bookings = "bookings"
    equipment_uses = "equipment-uses"


def import_(
    file: Annotated[Path, typer.Argument(help="A .jsonl file (one command a line) or a .csv file "
                                         "(staff hours, bookings or equipment uses).")],
    kind: Annotated[Optional[CsvKindChoice], typer.Option(
        help="The kind of rows of a CSV file (default: inferred from its header).")] = None,
    actor: Annotated[str, typer.Option(help="Who recorded the rows, as the events will say.")] = "cli",
    chunk: Annotated[int, typer.Option(help="Rows decided and saved per transaction (1: one a row).",
                                       min=1, max=10_000)] = importing.CHUNK_SIZE,
    store: support.StoreOption = None,
) -> None:
    """Import a file of commands (JSON Lines or CSV), each row on its own.

    Accepted rows are recorded; rejected rows record nothing and are listed with their
    line and reason.

    A .jsonl file holds one command a line (`{"command": "log_staff_hours", ...}`). A .csv
    file has a header row: staff hours `employee_id,partner_id,work_date,hours`, bookings
    `resource_id,partner_id,starts_at,ends_at` or equipment uses
    `resource_id,partner_id,used_on,quantity,unit`.

    Each row has an idempotency key derived from its content: importing a file again
    records nothing new for the rows already recorded, and a row repeated in the file is
    recorded once (reported as a duplicate of its first line).

    Exit status: 0 if no row was rejected, 1 if some were (the others were recorded),
    2 if the file could not be imported at all (nothing was recorded).
    """
    with support.reported_errors():
        settings = support.load_settings(store)
        importing.inspect_file(file, kind.value if kind else None)  # before creating a store
        with support.open_ledger(settings) as ledger, support.progress(console=support.err) as progress:
            task = progress.add_task(file.name, total=None)

            def start(info: importing.FileInfo) -> None:
                progress.update(task, total=info.rows, description=f"{file.name} ({info.kind})")

            report = importing.import_file(
                ledger, file, kind=kind.value if kind else None, actor=actor, chunk_size=chunk,
                on_start=start, on_row=lambda _: progress.advance(task),
            )
            progress.update(task, total=report.rows, completed=report.rows)
        _print_import_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_import_report(report: importing.ImportReport) -> None:
    support.out.print(
        f"{report.path.name}: {report.rows:,} row{'s' if report.rows != 1 else ''} in {report.seconds:.1f} s "
        f"({report.rows_per_second:,.0f} rows/s): "
        f"[green]{report.accepted:,} accepted[/] ({report.events:,} events), "
        f"{report.replayed:,} already imported, "
        f"{len(report.duplicates):,} duplicate{'s' if len(report.duplicates) != 1 else ''} in the file, "
        f"[{'red' if report.rejected else 'green'}]{len(report.rejected):,} rejected[/]",
        soft_wrap=True,
    )
    skipped = sorted(report.rejected + report.duplicates, key=lambda r: r.line)
    if not skipped:
        return
    table = Table(title="Rows not recorded")
    table.add_column("line", justify="right")
    table.add_column("outcome")
    table.add_column("field")
    table.add_column("reason", overflow="fold")
    for row in skipped:
        outcome = f"[red]rejected[/] {escape(f'[{row.rule}]')}" if row.status == "rejected" else "duplicate"
        table.add_row(str(row.line), outcome, escape(row.field or ""), escape(row.reason))
    support.out.print(table)
