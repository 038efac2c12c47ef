"""`encommun token create|list|revoke`: API access tokens."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from cli import support

token_app = typer.Typer(help="Issue, list and revoke API access tokens.", no_args_is_help=True,
                        rich_markup_mode="markdown")


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
    store: support.StoreOption = None,
) -> None:
    """Issue a token. It is printed once, on standard output, and never shown again.

    It is signed with ENCOMMUN_TOKEN_KEY, else with the key file (ENCOMMUN_TOKEN_KEY_FILE,
    by default token.key beside the SQLite store, created on first use): the API must be
    given the same key."""
    from application.tokens import issue_token, token_keys

    with support.reported_errors():
        settings = support.load_settings(store)
        with support.open_ledger(settings) as ledger:
            token = issue_token(ledger, role.value, label=label, partner_id=partner, actor="cli",
                                keys=token_keys(settings, create=True))
    scope = f"{role.value} token for partner '{partner}'" if partner else f"{role.value} token"
    support.err.print(f"[green]issued[/] {escape(scope)} '{escape(label)}'; "
              "[bold]copy it now, it will not be shown again[/]:")
    support.out.print(token, soft_wrap=True, markup=False)


@token_app.command("list")
def token_list(store: support.StoreOption = None) -> None:
    """Every token issued, revoked ones included (tokens themselves are never stored), and
    which key signed it: `current`, `previous` (still accepted), or `NONE` (it does not
    authenticate: issued before tokens were signed, with a key since dropped, or not by
    encommun)."""
    from domain.access import signed_by
    from application.tokens import list_tokens, token_keys

    with support.reported_errors():
        settings = support.load_settings(store)
        with support.open_ledger(settings, existing=True) as ledger:
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
    support.out.print(table)


@token_app.command("revoke")
def token_revoke(
    digest_prefix: Annotated[str, typer.Argument(metavar="DIGEST_PREFIX",
                                                 help="The start of its digest, as `token list` shows it.")],
    store: support.StoreOption = None,
) -> None:
    """Revoke a token: it no longer authenticates."""
    from application.tokens import revoke_token

    with support.reported_errors():
        prefix = digest_prefix.strip().lower()
        if len(prefix) < 6 or any(c not in "0123456789abcdef" for c in prefix):
            raise support.Failure(f"give at least 6 hex digits of the digest (as `token list` shows), not {digest_prefix!r}")
        with support.open_ledger(support.load_settings(store), existing=True) as ledger:
            token = revoke_token(ledger, prefix, actor="cli")
    scope = f"{token.role}:{token.partner_id}" if token.partner_id else token.role
    support.out.print(f"revoked token '{escape(token.label)}' ({scope}, digest {token.token_sha256[:12]})")
