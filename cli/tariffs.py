"""`encommun tariff show|settle`: a tariff pool's year read as the statements see it, and its
year-end settlement on an open month (CGCT D5211-16), as the page « Régularisation des
tarifs » and POST /resources/{id}/settlements do (application/tariff_settlement.py)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from application.tariff_settlement import TariffYearRead, settle_tariff_year, tariff_year_read
from cli import support
from cli.periods import Actor, caught_up
from domain.money import format_eur

tariff_app = typer.Typer(help="A tariff pool's year: its statement of uses, and its settlement at year end.",
                         no_args_is_help=True)
Resource = Annotated[str, typer.Argument(help="The resource billed at a tariff (its id).")]
Year = Annotated[int, typer.Argument(help="The year, e.g. 2026.")]


def _print(read: TariffYearRead) -> None:
    table = Table("partner", "units", "charged", "already settled", "share of the costs", "difference",
                  title=f"{escape(read.resource_id)} {read.year} at position {read.position}: costs "
                        f"{format_eur(read.costs_cents)}, charged {format_eur(read.charged_cents)}, "
                        f"settled {format_eur(read.settled_cents)}")
    for member in read.settlement.members:
        partner = member.partner_id
        table.add_row(escape(partner), f"{member.units.normalize():f}", format_eur(read.charged.get(partner, 0)),
                      format_eur(read.settled.get(partner, 0)), format_eur(member.real_cost_cents),
                      format_eur(member.difference_cents))
    support.out.print(table)
    if read.difference_cents == 0 and all(m.difference_cents == 0 for m in read.settlement.members):
        support.out.print("nothing to settle: each partner paid its share of the year's costs")
    else:
        support.out.print(f"to settle: {format_eur(read.difference_cents)} in all "
                          f"({'owed by' if read.difference_cents >= 0 else 'refunded to'} the partners)")


@tariff_app.command("show")
def tariff_show(resource: Resource, year: Year, store: support.StoreOption = None,
                projections: support.ProjectionsOption = None) -> None:
    """The year's statement of uses: each partner's units, what the tariff charged it, its
    exact share of the year's costs (largest remainder) and the difference to settle."""
    with support.reported_errors(), caught_up(store, projections) as (_, follower):
        with follower.view.transaction() as conn:
            read = tariff_year_read(conn, resource, year, follower.runner.position)
    _print(read)


@tariff_app.command("settle")
def tariff_settle(
    resource: Resource, year: Year,
    month: Annotated[str, typer.Option(help="The open month whose statements carry the settlement, YYYY-MM "
                                            "(December of the year or later).")],
    actor: Actor = "coordinator/cli", store: support.StoreOption = None, projections: support.ProjectionsOption = None,
) -> None:
    """Settle the year to its actual costs: each partner's difference as a settlement line on
    the month's statements, so that the pool's year comes to zero."""
    with support.reported_errors(), caught_up(store, projections) as (ledger, follower):
        with follower.view.transaction() as conn:
            read = tariff_year_read(conn, resource, year, follower.runner.position)
        _print(read)
        outcome = settle_tariff_year(ledger, follower, resource, year, month, read.position, actor=actor)
        follower.catch_up()  # the projection file left holding the settlement's lines
    support.out.print(f"{resource} {year} settled on the statements of {month} at position {outcome.position}")
