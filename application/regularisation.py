"""A GE's year-end regularisation: the year read from the projections at a position, then
the command that issues it (domain/regularisation.py holds the rule).

As for invoices, the projections are first brought to the end of the log; the year's
actual costs (each employee's, and the running costs the GE's profile names), the members'
hours with each employee and what each member was billed for the year are read at that
position, with the number of documents the invoice book held then: the book refuses the
regularisation if any invoice was issued since.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb

from application.ledger import Ledger
from application.outcome import Outcome
from application.permissions import Operator, Principal, require_may_run
from domain.regularisation import PoolYear, IssueRegularisation, MemberYearIn, YearRegularisation, regularise
from projections import billing_reads, read_model
from projections.follower import Follower


@dataclass(frozen=True)
class YearRead:
    """The year's regularisation as it would be issued at `position`."""

    year: int
    position: int
    documents_seen: int
    regularisation: YearRegularisation
    employee_names: dict[str, str]
    running_cost_resources: tuple[str, ...]

    def command(self) -> IssueRegularisation:
        return IssueRegularisation(year=self.year, as_of_position=self.position, documents_seen=self.documents_seen,
                                   members=tuple(MemberYearIn(
                                       partner_id=m.partner_id, employee_shares=m.pool_shares,
                                       employee_names={e: self.employee_names.get(e, e) for e in m.pool_shares},
                                       running_cost_share=m.running_cost_share, billed_cents=m.billed_cents)
                                       for m in self.regularisation.members))


def year_read(conn: duckdb.DuckDBPyConnection, year: int, at: int) -> YearRead:
    """The year's costs, hours and billing as they stood at `at`, regularised."""
    profile = billing_reads.group_profile_at(conn, at)
    running_resources = tuple(profile["running_cost_resources"]) if profile else ()
    costs = billing_reads.employee_costs_of_year(conn, year, at)
    hours: dict[str, dict[str, Decimal]] = {}
    for row in billing_reads.employee_member_hours_of_year(conn, year, at):
        hours.setdefault(row["employee_id"], {})[row["partner_id"]] = row["hours"]
    # The GE's employees: those with contract terms (their hours carry the running costs
    # even in a year with no cost recorded on them).
    staff = {row["employee_id"] for row in billing_reads.contract_terms_at(conn, at)}
    employees = [PoolYear(e, costs.get(e, 0), hours.get(e, {})) for e in sorted(staff)
                 if e in costs or e in hours]
    running = billing_reads.costs_of_resources_of_year(conn, list(running_resources), year, at) if running_resources else 0
    billed = billing_reads.billed_of_year(conn, year, at)
    names = read_model.resource_names_at(conn, at, sorted(staff))
    return YearRead(year, at, billing_reads.documents_at(conn, at), regularise(year, employees, running, billed),
                    names, running_resources)


def read_year(follower: Follower, year: int) -> YearRead:
    """The year as things stand once the projections hold the whole log."""
    follower.catch_up()
    with follower.view.transaction() as conn:
        return year_read(conn, year, follower.runner.position)


def issue_regularisation(ledger: Ledger, follower: Follower, year: int, *, actor: str | Principal,
                         idempotency_key: str | None = None) -> Outcome:
    """Issue the year's regularisation from its figures as they stand: one document per
    member whose real cost differs from what it was billed, all in one transaction."""
    require_may_run(Operator(actor) if isinstance(actor, str) else actor, IssueRegularisation)
    outcome = ledger.execute(read_year(follower, year).command(), actor=actor, idempotency_key=idempotency_key)
    follower.nudge()
    return outcome
