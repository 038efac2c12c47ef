"""`encommun demo`: load Haut-Val, close its past months, issue a token per role, serve it."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli import support
from cli.serving import reserve_port, serve_api
from settings import Settings

DEMO_PARTNER = "maison-des-associations"
DEMO_MONTH = "2026-03"
DEMO_BATCH = 200  # commands a transaction while loading the demo (demo.load.merged)
# The GE's employee invited to submit her own hour sheets: the demo leaves one of her sheets
# of the last month contested by its member (demo/hour_sheets.py), to submit again.
DEMO_EMPLOYEE = "charge-communication"
# One person per role, invited so that a newcomer signs in to the pages (their links are
# printed): (role, the partner or employee the person is bound to, e-mail, name).
DEMO_PEOPLE = (
    ("coordinator", None, "coordination@haut-val.example", "Camille Roux, coordinatrice"),
    ("partner", DEMO_PARTNER, "tresorerie@maison-des-associations.example", "Inès Martin, trésorière"),
    ("auditor", None, "audit@ge-haut-val.example", "Alix Bernard, commissaire aux comptes"),
    ("analyst", None, "analyse@haut-val.example", "Sacha Petit, chargé d'études"),
    ("employee", DEMO_EMPLOYEE, "emma.roux@ge-haut-val.example", "Emma Roux, chargée de communication"),
)


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
    invites one person per role to the pages (the employee: one of the GE's, who submits
    her hour sheets), prints their sign-in links and the tokens,
    then serves the pages and the API (unless --no-serve)."""
    from application.people import invite_person
    from application.permissions import Operator
    from application.tokens import issue_token, token_keys
    from cli.people import invitation_link
    from demo.run import load_demo
    from projections.rebuild import rebuild

    with support.reported_errors(), ExitStack() as stack:
        # Before the load, which takes a while: a busy port is told at once, not after it.
        listening = stack.enter_context(reserve_port(
            host, port, retry="make demo PORT={port} (or encommun demo --port {port})")) if serve_ else None
        directory.mkdir(parents=True, exist_ok=True)
        store, db = directory / "demo.sqlite", directory / "demo.duckdb"
        _remove_demo_files(store, db)
        # The demo's own loader: its progress bar, the refusals it expects, its summary.
        # --close: past months closed, a late credit note, a rejected and an accepted dispute.
        status = load_demo(store, months=months, force=True, batch=DEMO_BATCH, close=True, projections=db,
                           console=support.out)
        if status != 0:
            raise support.Failure(f"loading Haut-Val failed (python -m demo exited with {status})")
        settings = Settings(store="sqlite", sqlite_path=store, projection_path=db)
        keys = token_keys(settings, create=True)
        with support.open_ledger(settings, existing=True) as ledger:
            tokens = [
                ("coordinator", None, issue_token(ledger, "coordinator", label="demo coordinator", keys=keys)),
                ("auditor", None, issue_token(ledger, "auditor", label="demo auditor", keys=keys)),
                ("analyst", None, issue_token(ledger, "analyst", label="demo analyst", keys=keys)),
                ("partner", DEMO_PARTNER, issue_token(ledger, "partner", partner_id=DEMO_PARTNER, keys=keys,
                                                      label="demo maison des associations")),
            ]
            links = [(role, bound, name, invitation_link(f"http://{host}:{port}", invite_person(
                ledger, Operator("demo"), email=email, name=name, role=role, keys=keys,
                partner_id=bound if role == "partner" else None, employee_id=bound if role == "employee" else None)))
                for role, bound, email, name in DEMO_PEOPLE]
            folded = rebuild(ledger.recorder, db)
        support.out.print(f"\nProjections: {folded:,} events folded into [bold]{escape(str(db))}[/]")
        _print_sign_in_links(links)
        _print_demo_access(tokens, host, port, store, db, months)
        if listening is not None:
            serve_api(settings, host, port, listening)


def _remove_demo_files(store: Path, db: Path) -> None:
    for path in (store, db):
        for suffix in ("", "-wal", "-shm", "-journal", ".wal", ".rebuild", ".rebuild.wal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _print_sign_in_links(links) -> None:
    support.out.print("\n[bold]Sign in to the pages[/] (in French): open a link, choose a password (valid 7 days, "
                      "one use each)")
    for role, bound, name, link in links:
        who = f"{role} ({bound})" if bound else role
        support.out.print(f"  {who:<35} {name}", soft_wrap=True, markup=False)
        support.out.print(f"    {link}", soft_wrap=True, markup=False)


def _print_demo_access(tokens, host: str, port: int, store: Path, db: Path, months: int) -> None:
    base = f"http://{host}:{port}"
    support.out.print("\n[bold]Tokens[/] (shown once: the store keeps only their SHA-256 digest)")
    for role, partner, token in tokens:
        who = f"{role} ({partner})" if partner else role
        support.out.print(f"  {who:<35} {token}", soft_wrap=True, markup=False)
    partner_token = next(token for role, _, token in tokens if role == "partner")
    month = DEMO_MONTH if months >= 3 else f"2026-{months:02d}"
    support.out.print(f"\n[bold]Pages[/]    {base}/ (sign in with a link above)", soft_wrap=True)
    support.out.print(f"[bold]API[/]      {base}/docs", soft_wrap=True)
    support.out.print("[bold]Try[/]      (a statement, with the partner's token)")
    support.out.print(f"  curl -H 'Authorization: Bearer {partner_token}' \\\n"
              f"    {base}/partners/{DEMO_PARTNER}/statements/{month}", soft_wrap=True, markup=False)
    support.out.print("[bold]SQL[/]      (while the API is not running: it holds the projection file)")
    support.out.print(f"  encommun sql --projections {db} \"SELECT resource_name, amount_cents FROM statement_lines "
              f"WHERE partner_id = '{DEMO_PARTNER}' AND month = '{month}' ORDER BY amount_cents DESC\"",
              soft_wrap=True, markup=False)
    support.out.print(f"[bold]Import[/]   encommun import --store {escape(str(store))} hours.csv", soft_wrap=True)
    support.out.print(f"[bold]Serve[/]    encommun serve --store {escape(str(store))} --projections {escape(str(db))}"
              f"{'' if port == 8000 else f' --port {port}'}", soft_wrap=True)
