"""Loading the demo territory Haut-Val into a fresh SQLite store, with its progress bar,
the refusals it expects and its summary: for `python -m demo` and `encommun demo`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from application.outcome import Outcome
from bootstrap import bootstrap
from demo.aftermath import close_and_dispute
from demo.haut_val import generate
from demo.steps import Step
from demo.load import LoadReport, Refusal, StoreSummary, load, merged, summarize
from settings import Settings

MAX_ROWS = 60  # longer tables (a large --scale) are cut, with a count of what was left


def prepare_store(path: Path, force: bool, console: Console) -> bool:
    """True when the store file may be written: absent, empty, or deleted with --force."""
    if path.exists() and path.stat().st_size > 0:
        if not force:
            console.print(
                f"[red]{path} exists and is not empty:[/] refusing to load into it "
                "(use --force to delete it first)"
            )
            return False
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return True


def load_demo(store: Path, *, months: int = 12, scale: int = 1, seed: int = 7, start: str = "2026-01",
              force: bool = False, batch: int = 1, close: bool = False, projections: Path | None = None,
              console: Console | None = None) -> int:
    """Load Haut-Val into `store`, printing progress and a summary; with `close`, then close
    its past months with a late credit note and two disputes. The exit status: 0 loaded,
    1 a refusal other than expected (a bug), 2 the store is not empty (without `force`)."""
    args = SimpleNamespace(store=store, months=months, scale=scale, seed=seed, start=start, force=force,
                           batch=batch, close=close, projections=projections)
    console = console or Console()
    if not prepare_store(args.store, args.force, console):
        return 2
    ledger = bootstrap(Settings(store="sqlite", sqlite_path=args.store))
    try:
        report = _load_with_progress(ledger, args, console)
        if report.problem is not None:
            console.print(f"[bold red]bug:[/] {report.problem}")
            return 1
        _print_summary(console, summarize(ledger), report, args.scale)
        if args.close:
            projections = args.projections or args.store.with_suffix(".duckdb")
            for suffix in ("", ".wal"):
                Path(f"{projections}{suffix}").unlink(missing_ok=True)
            with console.status("closing months…"):
                aftermath = close_and_dispute(ledger, projections, args.start, args.months)
            console.print(f"Closed {len(aftermath.closed)} months: "
                          f"{aftermath.closed[0] if aftermath.closed else '-'} to "
                          f"{aftermath.closed[-1] if aftermath.closed else '-'}; projections in {projections}")
            for note in aftermath.notes:
                console.print(f"  {note}")
        return 0
    finally:
        ledger.close()


def _load_with_progress(ledger, args: SimpleNamespace, console: Console) -> LoadReport:
    # The refusals are counted here and listed once, in the summary's table.
    columns = (
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[events]:>10,} events"), TextColumn("{task.fields[refused]:>4,} expected refusals"),
        TimeElapsedColumn(), TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("Haut-Val: months", total=args.months, events=0, refused=0)
        months_seen: set[str] = set()
        recorded = refused = 0

        def on_step(step: Step, outcome: Outcome | None, refusal: Refusal | None) -> None:
            nonlocal recorded, refused
            if step.month not in months_seen:
                months_seen.add(step.month)
                progress.update(task, completed=len(months_seen) - 1,
                                description=f"Haut-Val: {step.month}")
            if refusal is not None:
                refused += 1
                progress.update(task, refused=refused)
            if outcome is not None:
                recorded += len(outcome.events)
                progress.update(task, events=recorded)

        steps = generate(months=args.months, scale=args.scale, seed=args.seed, start=args.start)
        if args.batch > 1:
            steps = merged(steps, args.batch)
        report = load(ledger, steps, on_step)
        progress.update(task, completed=len(months_seen) if report.problem else args.months,
                        events=report.events, description="Haut-Val")
    return report


def _print_summary(console: Console, summary: StoreSummary, report: LoadReport, scale: int) -> None:
    types = Table(title="Events in the store, by type")
    types.add_column("type")
    types.add_column("events", justify="right")
    for name, n in sorted(summary.events_by_type.items(), key=lambda item: -item[1]):
        types.add_row(name, f"{n:,}")
    types.add_row("[bold]total", f"[bold]{summary.events:,}")
    console.print(types)

    partners = Table(title=f"Partners ({len(summary.partners)})")
    for column in ("id", "name", "kind", "membership"):
        partners.add_column(column)
    for row in summary.partners[:MAX_ROWS]:
        partners.add_row(row.partner_id, row.name, row.kind, row.membership)
    _cut(partners, len(summary.partners), 4)
    console.print(partners)

    resources = Table(title=f"Resources ({len(summary.resources)}) and their keys (method, from)")
    for column in ("id", "name", "kind", "unit", "key versions"):
        resources.add_column(column)
    for row in summary.resources[:MAX_ROWS]:
        resources.add_row(row.resource_id, row.name, row.kind, row.unit, row.keys)
    _cut(resources, len(summary.resources), 5)
    console.print(resources)

    by_rule = Counter(refusal.rule for refusal in report.refusals)
    refusals = Table(
        title=f"Refused commands ({len(report.refusals)}, all expected: "
        + ", ".join(f"{n} {rule}" for rule, n in sorted(by_rule.items())) + ")"
    )
    refusals.add_column("rule", no_wrap=True)
    refusals.add_column("command")
    refusals.add_column("message")
    for refusal in report.refusals[:MAX_ROWS]:
        refusals.add_row(refusal.rule, escape(refusal.step.note), escape(refusal.message))
    _cut(refusals, len(report.refusals), 3)
    console.print(refusals)

    months = summary.months
    covered = f"{months[0]} to {months[-1]} ({len(months)} months)" if months else "none"
    per_month = report.events / len(report.events_by_month) / scale if report.events_by_month else 0
    console.print(f"Months covered: [bold]{covered}[/]")
    console.print(
        f"Loaded [bold]{report.events:,}[/] events in {report.steps:,} steps in "
        f"{report.seconds:.1f} s: [bold]{report.events_per_second:,.0f} events/s[/] "
        f"({per_month:,.0f} events a month per copy of the territory, on average)"
    )


def _cut(table: Table, total: int, columns: int) -> None:
    if total > MAX_ROWS:
        table.add_row(f"… and {total - MAX_ROWS:,} more", *([""] * (columns - 1)))
