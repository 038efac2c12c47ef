"""One member's regularisation line of a year, traced back to what made it: the year's actual
costs (each cost recorded on the GE's employees and on the running costs' resources), the
member's invoice lines of the year at the provisional rate, its hours with each employee by
month, and the largest-remainder splits the regularisation made.

The figures are those of application/regularisation.year_read, the computation the
regularisation issues, never a second one: once the member's regularisation document is
issued, the year read at the position the document was computed at (its `as_of_position`),
so that the trace explains the document as issued (a cost recorded later is the next
regularisation's); before, the year as it would be issued at the position asked. The rows
listed beside the figures are the same reads' detail, read at the same position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from application.regularisation import YearRead, year_read
from domain.allocation import RemainderSplit
from domain.errors import NotFound
from domain.regularisation import MemberRegularisation
from projections import billing_reads

Row = dict[str, Any]


@dataclass(frozen=True)
class MemberTrace:
    partner_id: str
    position: int             # the ledger as it stood here
    document: Row | None      # the member's last regularisation document of the year by `position`
    read: YearRead            # the regularisation, at the document's position if issued
    costs: list[Row]          # the year's cost events the actual costs sum
    billed_lines: list[Row]   # the member's invoice and credit note lines of the year
    hours: list[Row]          # the member's hours by employee and month, with its sheet

    @property
    def member(self) -> MemberRegularisation:
        found = self.read.regularisation.member(self.partner_id)
        return found if found is not None else MemberRegularisation(self.partner_id, {}, 0, 0)

    @property
    def splits(self) -> dict[str, RemainderSplit]:
        """The splits that gave the member a share: each employee's it worked with."""
        return {e: s for e, s in self.read.regularisation.pool_splits.items() if self.partner_id in s.shares}

    @property
    def running_split(self) -> RemainderSplit | None:
        split = self.read.regularisation.running_split
        return split if split is not None and self.partner_id in split.shares else None


def member_trace(conn: duckdb.DuckDBPyConnection, year: int, partner_id: str, at: int) -> MemberTrace:
    """The member's regularisation of `year` as the ledger stood at `at` (see the module).
    NotFound if the member has neither hours nor billing that year, nor a document."""
    documents = [r for r in billing_reads.invoices_at(conn, at, month=f"{year:04d}-12", partner_id=partner_id)
                 if r["regularises"] == year]
    document = documents[-1] if documents else None
    computed_at = document["as_of_position"] if document else at
    read = year_read(conn, year, computed_at)
    if document is None and read.regularisation.member(partner_id) is None:
        raise NotFound(f"member '{partner_id}' has no hours, invoice or regularisation in {year} "
                       f"as of position {at}", field="partner_id")
    resources = sorted(set(read.employee_names) | set(read.running_cost_resources))
    return MemberTrace(
        partner_id, at, document, read,
        billing_reads.year_costs_of_resources(conn, resources, year, computed_at) if resources else [],
        billing_reads.member_billed_lines_of_year(conn, partner_id, year, computed_at),
        billing_reads.member_staff_hours_of_year(conn, partner_id, year, computed_at))
