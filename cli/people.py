"""`encommun person invite|list|revoke`: the people who sign in to the web pages (the first
coordinator of a new pool is invited here; the pages invite the others)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from cli import support

class PersonRole(str, Enum):
    """The tokens' roles (cli/tokens.py), and the employee's: a person of the pages only."""

    coordinator = "coordinator"
    partner = "partner"
    auditor = "auditor"
    analyst = "analyst"
    employee = "employee"


person_app = typer.Typer(help="Invite, list and revoke the people who sign in to the pages.", no_args_is_help=True,
                         rich_markup_mode="markdown")


@person_app.command("invite")
def person_invite(
    email: Annotated[str, typer.Argument(help="Their e-mail address: they sign in with it.")],
    name: Annotated[str, typer.Option(help="Their name, as the pages greet them.")],
    role: Annotated[PersonRole, typer.Option(help="What they may do.")],
    partner: Annotated[Optional[str], typer.Option(help="The partner of a partner's person.")] = None,
    employee: Annotated[Optional[str], typer.Option(
        help="The staff resource an employee's person is (it submits that employee's hour sheets).")] = None,
    base_url: Annotated[str, typer.Option(help="Where the pages are served, for the link.")] = "http://127.0.0.1:8000",
    store: support.StoreOption = None,
) -> None:
    """Invite someone: prints the invitation link, valid 7 days and for one use, on standard
    output. They open it, choose a password, and are signed in."""
    from application.people import invite_person
    from application.permissions import Operator
    from application.tokens import token_keys

    with support.reported_errors():
        settings = support.load_settings(store)
        with support.open_ledger(settings) as ledger:
            secret = invite_person(ledger, Operator("cli"), email=email, name=name, role=role.value,
                                   partner_id=partner, employee_id=employee, keys=token_keys(settings, create=True))
    support.err.print(f"[green]invited[/] {escape(email)} as {role.value}; send them this link "
                      "(shown once, valid 7 days):")
    support.out.print(invitation_link(base_url, secret), soft_wrap=True, markup=False)


def invitation_link(base_url: str, secret: str) -> str:
    return f"{base_url.rstrip('/')}/invitation/{secret}"


@person_app.command("list")
def person_list(store: support.StoreOption = None) -> None:
    """Everyone ever invited, with their role and status (invited, active, revoked)."""
    from application.people import list_people

    with support.reported_errors():
        settings = support.load_settings(store)
        with support.open_ledger(settings, existing=True) as ledger:
            found = list_people(ledger)
    table = Table(title=f"People ({len(found)})", box=box.SIMPLE_HEAD)
    for column in ("e-mail", "name", "role", "partner or employee", "status", "invited (UTC)", "by"):
        table.add_column(column)
    for person in found:
        table.add_row(escape(person.email), escape(person.name), person.role,
                      person.partner_id or person.employee_id or "", person.status,
                      person.invited_at.strftime("%Y-%m-%d %H:%M"), escape(person.invited_by))
    support.out.print(table)


@person_app.command("revoke")
def person_revoke(
    email: Annotated[str, typer.Argument(help="Their e-mail address.")],
    store: support.StoreOption = None,
) -> None:
    """End someone's access: their open sessions stop at once."""
    from application.people import revoke_person
    from application.permissions import Operator

    with support.reported_errors():
        settings = support.load_settings(store)
        with support.open_ledger(settings, existing=True) as ledger:
            revoke_person(ledger, Operator("cli"), email)
    support.err.print(f"[green]revoked[/] {escape(email)}")
