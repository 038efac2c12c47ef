"""`encommun period close|diff|list`, `encommun dispute open|comment|resolve|list`,
`encommun verify` and `encommun anchor`: closing months, disputes, and proving the log was
not rewritten."""

from __future__ import annotations

import csv
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer
from rich.markup import escape
from rich.table import Table

from application.close_month import close_month
from bootstrap import follow
from cli import support
from domain.disputes import CommentDispute, OpenDispute, ResolveDispute
from domain.money import format_eur
from application.ledger import Ledger
from projections import closing
from projections.follower import Follower
from projections.lookups import closed_periods, period_seal
from projections.recorder import DuckDBTrackingRecorder
from projections.verify import Anchor, head as chain_head, verify as verify_log

period_app = typer.Typer(help="Close months and compare a closed month as issued with now.",
                         no_args_is_help=True)
dispute_app = typer.Typer(help="Open, comment, resolve and list disputes of statement lines.",
                          no_args_is_help=True)
Actor = Annotated[str, typer.Option(help="Who does it, as the events will say.")]


@contextmanager
def caught_up(store, projections) -> Iterator[tuple[Ledger, Follower]]:
    """The ledger and its projections, brought up to the end of the log. The projection
    file must not be held by a running API."""
    settings = support.load_settings(store, projections)
    if not settings.projection_path.exists():
        raise support.Failure(f"no projections at {settings.projection_path}: run `encommun rebuild` first")
    with support.open_ledger(settings, existing=True) as ledger:
        try:
            view = DuckDBTrackingRecorder(settings.projection_path)
        except Exception as error:  # another process (a running API) holds the file
            raise support.Failure(f"the projections at {settings.projection_path} are in use ({error}); "
                          "stop the API or use its routes (/periods)") from None
        try:
            follower = follow(ledger, Follower(ledger.recorder, view))
            follower.catch_up()
            yield ledger, follower
        finally:
            view.close()


@period_app.command("close")
def period_close(
    month: Annotated[str, typer.Argument(help="The month to close, YYYY-MM.")],
    actor: Actor = "coordinator/cli", store: support.StoreOption = None, projections: support.ProjectionsOption = None,
) -> None:
    """Close a month: seal its statements (digest and chain hash) and number them."""
    with support.reported_errors(), caught_up(store, projections) as (ledger, follower):
        outcome = close_month(ledger, follower, month, actor=actor)
        follower.catch_up()
        digest, chain_hash, as_of = period_seal(follower.view.connection, month)
    support.out.print(f"{month} closed at position {outcome.position} (statements as of {as_of})")
    support.out.print(f"  statements SHA-256  {digest}\n  chain hash          {chain_hash}")


@period_app.command("list")
def period_list(store: support.StoreOption = None, projections: support.ProjectionsOption = None) -> None:
    """The closed months and their seals."""
    with support.reported_errors(), caught_up(store, projections) as (_, follower):
        rows = closed_periods(follower.view.connection)
    table = Table("month", "as of", "closed at", "statements SHA-256", "chain hash", "by")
    for month, as_of, position, digest, chain_hash, actor in rows:
        table.add_row(month, str(as_of), str(position), digest[:16] + "…", chain_hash[:16] + "…", actor)
    support.out.print(table)


@period_app.command("diff")
def period_diff(
    month: Annotated[str, typer.Argument(help="A closed month, YYYY-MM.")],
    csv_file: Annotated[Optional[Path], typer.Option("--csv", help="Also write both versions to this CSV file.")] = None,
    store: support.StoreOption = None, projections: support.ProjectionsOption = None,
) -> None:
    """A closed month as issued and as it stands now, line by line, with the events that
    caused each difference."""
    with support.reported_errors():
        with caught_up(store, projections) as (_, follower):
            rows = closing.issued_vs_now(follower.view.connection, month, follower.runner.position)
        if rows is None:
            raise support.Failure(f"month {month} is not closed: there is no issued statement to compare")
    changed = [r for r in rows if r["difference_cents"]]
    table = Table("partner", "resource", "line", "issued", "now", "difference", "caused by (positions)",
                  title=f"{month}: {len(changed)} of {len(rows)} lines changed since issued")
    for r in changed:
        table.add_row(r["partner_id"] or "(pool)", r["resource_id"], r["line_kind"],
                      _eur(r["issued_cents"]), _eur(r["now_cents"]), format_eur(r["difference_cents"]),
                      " ".join(map(str, r["caused_by"])))
    support.out.print(table)
    if csv_file is not None:
        with csv_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["month"], delimiter=";")
            writer.writeheader()
            for r in rows:
                writer.writerow({**r, "caused_by": " ".join(map(str, r["caused_by"]))})
        support.out.print(f"both versions written to {csv_file}")


def _eur(cents: int | None) -> str:
    return "-" if cents is None else format_eur(cents)


@dispute_app.command("open")
def dispute_open(
    partner: Annotated[str, typer.Option(help="The partner disputing its line.")],
    month: Annotated[str, typer.Option(help="The statement's month, YYYY-MM.")],
    resource: Annotated[str, typer.Option(help="The resource of the line.")],
    reason: Annotated[str, typer.Option(help="Why the line is disputed.")],
    line_kind: Annotated[str, typer.Option(help="share, tariff, adjustment...")] = "share",
    part: Annotated[Optional[int], typer.Option(help="For a mixed key: the part.")] = None,
    attachment: Annotated[Optional[str], typer.Option(help="A reference to a supporting document.")] = None,
    actor: Actor = "cli", store: support.StoreOption = None, projections: support.ProjectionsOption = None,
) -> None:
    """Open a dispute on one line of a partner's statement (checked against the statement
    when the projection file is there)."""
    command = OpenDispute(partner_id=partner, month=month, resource_id=resource, line_kind=line_kind,
                          part=part, reason=reason, attachment_ref=attachment)
    with support.reported_errors():
        if support.load_settings(store, projections).projection_path.exists():
            with caught_up(store, projections) as (ledger, _):
                outcome = ledger.execute(command, actor=actor)
            _print_recorded(outcome)
            return
        support.err.print(f"[yellow]no projections at {escape(str(support.load_settings(store, projections).projection_path))}: "
                  "the line is not checked against the statement (give --projections)[/]")
    _record(command, actor, store)


@dispute_app.command("comment")
def dispute_comment(dispute_id: str, comment: str, actor: Actor = "cli", store: support.StoreOption = None) -> None:
    """Add a comment to an open dispute."""
    _record(CommentDispute(dispute_id=dispute_id, comment=comment), actor, store)


@dispute_app.command("resolve")
def dispute_resolve(
    dispute_id: str,
    outcome: Annotated[str, typer.Option(help="accepted or rejected")],
    reason: Annotated[str, typer.Option(help="The reason given to the partner.")],
    credit_cents: Annotated[Optional[int], typer.Option(help="An accepted dispute's credit, in cents.")] = None,
    actor: Actor = "coordinator/cli", store: support.StoreOption = None,
) -> None:
    """Resolve a dispute; an accepted one may credit the partner's next statement."""
    _record(ResolveDispute(dispute_id=dispute_id, outcome=outcome, reason=reason, credit_cents=credit_cents),
            actor, store)


def _record(command, actor: str, store) -> None:
    with support.reported_errors():

        settings = support.load_settings(store)
        with support.open_ledger(settings, existing=True) as ledger:
            outcome = ledger.execute(command, actor=actor)
    _print_recorded(outcome)


def _print_recorded(outcome) -> None:
    for event in outcome.events:
        support.out.print(f"{event.type} at position {event.position}"
                  + (f" ({event.dispute_id})" if event.dispute_id else ""))


AnchorOption = Annotated[list[str], typer.Option(
    "--anchor", metavar="POSITION:HASH",
    help="A head of the chain noted earlier (`encommun anchor`, GET /audit/anchor, or the seal of an "
         "issued statement): the log up to it must be as it was then. Repeatable.")]


def verify(store: support.StoreOption = None, anchor: AnchorOption = []) -> None:  # noqa: B006 (typer's default)
    """Replay the whole log: check every stored row against itself, recompute the hash chain
    and compare it with every closed month's seal and every anchor given, and recompute every
    closed month's statements. Says what it could not prove: the events after the last seal
    or anchor.

    Exit status: 0 when everything checked holds, 1 at the first mismatch (named), 2 on an
    error."""
    with support.reported_errors():
        try:
            anchors = [Anchor.parse(text) for text in anchor]
        except ValueError as error:
            raise support.Failure(f"--anchor: {error}") from None
        settings = support.load_settings(store)
        with support.open_ledger(settings, existing=True) as ledger:
            try:
                result = verify_log(ledger.recorder, anchors=anchors, progress=True)
            except RuntimeError as error:  # an event edited into something that cannot be folded
                support.out.print(f"[bold red]verification FAILED: {escape(str(error))}[/]")
                raise typer.Exit(1) from None
    if result.ok:
        support.out.print(f"[green]{result}[/]")
        if result.proved is not None:
            support.out.print(f"proved: positions 1–{result.proved.position} ({escape(result.proved.source)})")
        for line in result.unproved:
            support.out.print(f"[yellow]{escape(line)}[/]")
        return
    support.out.print(f"[bold red]{escape(str(result))}[/]")
    raise typer.Exit(1)


def anchor(store: support.StoreOption = None) -> None:
    """Print the head of the hash chain, POSITION:HASH, read from the event store. Note it
    somewhere the store's administrators cannot write; `encommun verify --anchor` later
    proves that the log up to it was not rewritten."""
    with support.reported_errors():
        with support.open_ledger(support.load_settings(store), existing=True) as ledger:
            head = chain_head(ledger.recorder)
    support.out.print(str(head), soft_wrap=True, markup=False)
