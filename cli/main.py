"""`encommun`: the command line of the ledger; each command group lives in its own module.

    encommun serve [--host 127.0.0.1] [--port 8000]
    encommun demo [--months 12] [--port 8000] [--no-serve]
    encommun import FILE [--kind staff-hours|bookings|equipment-uses] [--actor NAME]
    encommun rebuild
    encommun sql "SELECT …" [--format table|csv|json]
    encommun export [--format parquet|csv] DIR
    encommun token create|list|revoke
    encommun person invite|list|revoke
    encommun verify [--anchor POSITION:HASH]…
    encommun anchor

Settings come from the ENCOMMUN_* environment variables (settings.py); `--store PATH` (a
SQLite event store) and `--projections PATH` (the DuckDB projection file) override them.

Exit status: 0 when all went well; 1 when `import` rejected rows (the others were
recorded); 2 on an error (a refused command, a missing or unreadable file, a bad
option): a message in red, nothing recorded, never a traceback.
"""

from __future__ import annotations

import typer

from cli.demo import demo
from cli.imports import import_
from cli.people import person_app
from cli.periods import anchor, dispute_app, period_app, verify
from cli.projection_file import export, rebuild_, sql
from cli.serving import serve
from cli.tariffs import tariff_app
from cli.tokens import token_app

app = typer.Typer(
    name="encommun",
    help="encommun: an event-sourced ledger for organisations that pool their means.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold tokens
    rich_markup_mode="markdown",
)
app.add_typer(token_app, name="token")
app.add_typer(person_app, name="person")
app.add_typer(period_app, name="period")
app.add_typer(dispute_app, name="dispute")
app.add_typer(tariff_app, name="tariff")
app.command("verify")(verify)
app.command("anchor")(anchor)
app.command("serve")(serve)
app.command("demo")(demo)
app.command("import")(import_)
app.command("rebuild")(rebuild_)
app.command("sql")(sql)
app.command("export")(export)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
