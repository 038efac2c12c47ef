"""`encommun`: the command line of the ledger.

    encommun serve [--host 127.0.0.1] [--port 8000]
    encommun demo [--months 12] [--port 8000] [--no-serve]
    encommun import FILE [--kind staff-hours|bookings|equipment-uses] [--actor NAME]
    encommun rebuild
    encommun sql "SELECT …" [--format table|csv|json]
    encommun export [--format parquet|csv] DIR
    encommun token create|list|revoke
    encommun verify [--anchor POSITION:HASH]…
    encommun anchor

Settings come from the ENCOMMUN_* environment variables (settings.py); `--store PATH` (a
SQLite event store) and `--projections PATH` (the DuckDB projection file) override them.

Exit status: 0 when all went well; 1 when `import` rejected rows (the others were
recorded); 2 on an error (a refused command, a missing or unreadable file, a bad
option): a message in red, nothing recorded, never a traceback.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from application import exporting, importing
from api.cli_periods import anchor, dispute_app, period_app, verify
from api.cli_support import (ProjectionsOption, StoreOption, Failure, _progress, err, load_settings,
                             open_ledger, out, reported_errors)
from projections.sandbox import Limits
from settings import Settings

app = typer.Typer(
    name="encommun",
    help="encommun: an event-sourced ledger for organisations that pool their means.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold tokens
    rich_markup_mode="markdown",
)
token_app = typer.Typer(help="Issue, list and revoke API access tokens.", no_args_is_help=True,
                        rich_markup_mode="markdown")
app.add_typer(token_app, name="token")
app.add_typer(period_app, name="period")
app.add_typer(dispute_app, name="dispute")
app.command("verify")(verify)
app.command("anchor")(anchor)

DEMO_PARTNER = "maison-des-associations"
DEMO_MONTH = "2026-03"
DEMO_BATCH = 200  # commands a transaction while loading the demo (demo.load.merged)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    store: StoreOption = None,
    projections: ProjectionsOption = None,
) -> None:
    """Serve the HTTP API (OpenAPI documentation at /docs)."""
    with reported_errors():
        settings = load_settings(store, projections)
        _serve(settings, host, port)


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from api.app import create_app

    out.print(f"encommun API on [bold]http://{host}:{port}/docs[/] (Ctrl-C to stop)")
    uvicorn.run(create_app(settings), host=host, port=port)


@app.command()
def demo(
    months: Annotated[int, typer.Option(help="Months of Haut-Val to generate, from 2026-01.", min=1)] = 12,
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8000,
    host: Annotated[str, typer.Option(help="Interface to serve on.")] = "127.0.0.1",
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the API once loaded.")] = True,
    directory: Annotated[Path, typer.Option("--dir", help="Where demo.sqlite and demo.duckdb are created.",
                                            file_okay=False)] = Path("var"),
) -> None:
    """Load the demo territory Haut-Val and serve it.

    Loads Haut-Val into a fresh DIR/demo.sqlite, closes its past months (with a late
    credit note and two disputes), builds DIR/demo.duckdb, issues one token per role,
    prints them with the URLs, then serves the API (unless --no-serve)."""
    from demo.__main__ import main as load_demo
    from application.tokens import issue_token, token_keys
    from projections.rebuild import rebuild

    with reported_errors():
        directory.mkdir(parents=True, exist_ok=True)
        store, db = directory / "demo.sqlite", directory / "demo.duckdb"
        _remove_demo_files(store, db)
        # The demo's own loader: its progress bar, the refusals it expects, its summary.
        # --close: past months closed, a late credit note, a rejected and an accepted dispute.
        status = load_demo(["--store", str(store), "--months", str(months), "--force",
                            "--batch", str(DEMO_BATCH), "--close", "--projections", str(db)])
        if status != 0:
            raise Failure(f"loading Haut-Val failed (python -m demo exited with {status})")
        settings = Settings(store="sqlite", sqlite_path=store, projection_path=db)
        keys = token_keys(settings, create=True)
        with open_ledger(settings, existing=True) as ledger:
            tokens = [
                ("coordinator", None, issue_token(ledger, "coordinator", label="demo coordinator", keys=keys)),
                ("auditor", None, issue_token(ledger, "auditor", label="demo auditor", keys=keys)),
                ("analyst", None, issue_token(ledger, "analyst", label="demo analyst", keys=keys)),
                ("partner", DEMO_PARTNER, issue_token(ledger, "partner", partner_id=DEMO_PARTNER, keys=keys,
                                                      label="demo maison des associations")),
            ]
            folded = rebuild(ledger.recorder, db)
        out.print(f"\nProjections: {folded:,} events folded into [bold]{escape(str(db))}[/]")
        _print_demo_access(tokens, host, port, store, db, months)
        if serve_:
            _serve(settings, host, port)


def _remove_demo_files(store: Path, db: Path) -> None:
    for path in (store, db):
        for suffix in ("", "-wal", "-shm", "-journal", ".wal", ".rebuild", ".rebuild.wal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _print_demo_access(tokens, host: str, port: int, store: Path, db: Path, months: int) -> None:
    base = f"http://{host}:{port}"
    out.print("\n[bold]Tokens[/] (shown once: the store keeps only their SHA-256 digest)")
    for role, partner, token in tokens:
        who = f"{role} ({partner})" if partner else role
        out.print(f"  {who:<35} {token}", soft_wrap=True, markup=False)
    partner_token = next(token for role, _, token in tokens if role == "partner")
    month = DEMO_MONTH if months >= 3 else f"2026-{months:02d}"
    out.print(f"\n[bold]API[/]      {base}/docs", soft_wrap=True)
    out.print("[bold]Try[/]      (a statement, with the partner's token)")
    out.print(f"  curl -H 'Authorization: Bearer {partner_token}' \\\n"
              f"    {base}/partners/{DEMO_PARTNER}/statements/{month}", soft_wrap=True, markup=False)
    out.print("[bold]SQL[/]      (while the API is not running: it holds the projection file)")
    out.print(f"  encommun sql --projections {db} \"SELECT resource_name, amount_cents FROM statement_lines "
              f"WHERE partner_id = '{DEMO_PARTNER}' AND month = '{month}' ORDER BY amount_cents DESC\"",
              soft_wrap=True, markup=False)
    out.print(f"[bold]Import[/]   encommun import --store {escape(str(store))} hours.csv", soft_wrap=True)
    out.print(f"[bold]Serve[/]    encommun serve --store {escape(str(store))} --projections {escape(str(db))}"
              f"{'' if port == 8000 else f' --port {port}'}", soft_wrap=True)


# import ---------------------------------------------------------------------------------


class CsvKindChoice(str, Enum):
    staff_hours = "staff-hours"
    bookings = "bookings"
    equipment_uses = "equipment-uses"


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A .jsonl file (one command a line) or a .csv file "
                                         "(staff hours, bookings or equipment uses).")],
    kind: Annotated[Optional[CsvKindChoice], typer.Option(
        help="The kind of rows of a CSV file (default: inferred from its header).")] = None,
    actor: Annotated[str, typer.Option(help="Who recorded the rows, as the events will say.")] = "cli",
    chunk: Annotated[int, typer.Option(help="Rows decided and saved per transaction (1: one a row).",
                                       min=1, max=10_000)] = importing.CHUNK_SIZE,
    store: StoreOption = None,
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
    with reported_errors():
        settings = load_settings(store)
        importing.inspect_file(file, kind.value if kind else None)  # before creating a store
        with open_ledger(settings) as ledger, _progress(console=err) as progress:
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
    out.print(
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
    out.print(table)


# rebuild, sql, export -------------------------------------------------------------------


@app.command("rebuild")
def rebuild_(store: StoreOption = None, projections: ProjectionsOption = None) -> None:
    """Rebuild the projection file from the whole event log, then swap it in."""
    from projections.rebuild import rebuild
    from projections.runner import FoldFailed

    with reported_errors():
        settings = load_settings(store, projections)
        target = settings.projection_path
        if target.exists():
            # Swapping the file under a process that holds it would lose that process's
            # writes: refuse while anyone has it open read-write.
            exporting.connect_read_only(target).close()
        target.parent.mkdir(parents=True, exist_ok=True)
        with open_ledger(settings, existing=True) as ledger:
            try:
                folded = rebuild(ledger.recorder, target)
            except FoldFailed as error:
                kept = f"{target} is left as it was" if target.exists() else f"no projections written to {target}"
                raise Failure(f"rebuild stopped: the event at position {error.position} ({error.event_type}) "
                              f"cannot be folded: {error.reason}; {kept}") from None
        out.print(f"{folded:,} events folded into [bold]{escape(str(target))}[/]")


class SqlFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="One SELECT statement (WITH … SELECT included).")],
    format: Annotated[SqlFormat, typer.Option("--format", help="How to print the rows.")] = SqlFormat.table,
    projections: ProjectionsOption = None,
) -> None:
    """Run one SELECT on a read-only connection to the projection file (docs/schema.md).

    For the operator: the file as it is, employee names included (analysts query the
    API's pseudonymised snapshot). It runs in the analysts' sandbox, with their time and
    memory limits (ENCOMMUN_SQL_TIMEOUT_S, ENCOMMUN_SQL_MEMORY_LIMIT) and row limit
    (ENCOMMUN_SQL_ROW_LIMIT), and reads nothing but the projection file: no local file, URL
    or extension. It cannot run while `encommun serve` holds the file."""
    with reported_errors():
        settings = load_settings(projections=projections)
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
        out.print(table)
        err.print(f"{len(result.rows):,} rows in {result.seconds * 1000:.0f} ms")
    if result.truncated:
        err.print(f"[yellow]cut after {len(result.rows):,} rows (ENCOMMUN_SQL_ROW_LIMIT)[/]")


def _text(value: object) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class ExportFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Where to write <table>.<format> files.",
                                              file_okay=False)],
    format: Annotated[ExportFormat, typer.Option("--format", help="File format.")] = ExportFormat.parquet,
    employee_names: Annotated[bool, typer.Option(
        "--employee-names", help="Keep the names of employees (not for analysts: by default "
        "they are employee-<n>, as in the API's analyst snapshot).")] = False,
    projections: ProjectionsOption = None,
) -> None:
    """Export every analyst table and view (docs/schema.md) to DIR, one file each.

    Employees are pseudonymised as in the API's analyst snapshot, unless --employee-names.
    Each table is copied in the analysts' sandbox, within their time and memory limits."""
    with reported_errors():
        settings = load_settings(projections=projections)
        with _progress(console=err) as progress:
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
    out.print(table)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:,.0f} {unit}"
        n /= 1024
    return f"{n:,.1f} GiB"


# token ----------------------------------------------------------------------------------


class Role(str, Enum):
    coordinator = "coordinator"
    partner = "partner"
    auditor = "auditor"
    analyst = "analyst"


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option(help="What the token may do.")],
    label: Annotated[str, typer.Option(help="Who or what holds it; events recorded with it name it.")],
    partner: Annotated[Optional[str], typer.Option(help="The partner of a partner token.")] = None,
    store: StoreOption = None,
) -> None:
    """Issue a token. It is printed once, on standard output, and never shown again.

    It is signed with ENCOMMUN_TOKEN_KEY, else with the key file (ENCOMMUN_TOKEN_KEY_FILE,
    by default token.key beside the SQLite store, created on first use): the API must be
    given the same key."""
    from application.tokens import issue_token, token_keys

    with reported_errors():
        settings = load_settings(store)
        with open_ledger(settings) as ledger:
            token = issue_token(ledger, role.value, label=label, partner_id=partner, actor="cli",
                                keys=token_keys(settings, create=True))
    scope = f"{role.value} token for partner '{partner}'" if partner else f"{role.value} token"
    err.print(f"[green]issued[/] {escape(scope)} '{escape(label)}'; "
              "[bold]copy it now, it will not be shown again[/]:")
    out.print(token, soft_wrap=True, markup=False)


@token_app.command("list")
def token_list(store: StoreOption = None) -> None:
    """Every token issued, revoked ones included (tokens themselves are never stored), and
    which key signed it: `current`, `previous` (still accepted), or `NONE` (it does not
    authenticate: issued before tokens were signed, with a key since dropped, or not by
    encommun)."""
    from domain.access import signed_by
    from application.tokens import list_tokens, token_keys

    with reported_errors():
        settings = load_settings(store)
        with open_ledger(settings, existing=True) as ledger:
            tokens = list_tokens(ledger)
        keys = token_keys(settings)
    table = Table(title=f"Tokens ({len(tokens)})", box=box.SIMPLE_HEAD)
    for column in ("label", "role", "partner", "issued (UTC)", "by", "digest", "signed", "revoked"):
        table.add_column(column, no_wrap=column in {"role", "issued (UTC)", "digest", "signed", "revoked"})
    for token in tokens:
        table.add_row(
            escape(token.label), token.role, token.partner_id or "",
            token.issued_at.strftime("%Y-%m-%d %H:%M"), escape(token.issued_by),
            token.token_sha256[:12],
            "current" if keys.current and signed_by(token, (keys.current,))
            else "previous" if signed_by(token, keys.previous) else "[red]NONE[/]",
            "[red]revoked[/]" if token.revoked else "no",
        )
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    digest_prefix: Annotated[str, typer.Argument(metavar="DIGEST_PREFIX",
                                                 help="The start of its digest, as `token list` shows it.")],
    store: StoreOption = None,
) -> None:
    """Revoke a token: it no longer authenticates."""
    from application.tokens import revoke_token

    with reported_errors():
        prefix = digest_prefix.strip().lower()
        if len(prefix) < 6 or any(c not in "0123456789abcdef" for c in prefix):
            raise Failure(f"give at least 6 hex digits of the digest (as `token list` shows), not {digest_prefix!r}")
        with open_ledger(load_settings(store), existing=True) as ledger:
            token = revoke_token(ledger, prefix, actor="cli")
    scope = f"{token.role}:{token.partner_id}" if token.partner_id else token.role
    out.print(f"revoked token '{escape(token.label)}' ({scope}, digest {token.token_sha256[:12]})")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
