"""Each member's share of the GE's outstanding debts to its employees and social bodies
(C. trav. L1253-8), pro rata of its use: each debt split by the members' hours over the
months it relates to, largest remainder (domain.allocation), as of any position."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from domain.allocation import split_largest_remainder
from projections import billing_reads


@dataclass(frozen=True)
class DebtShares:
    debt_id: str
    creditor_kind: str
    creditor: str
    amount_cents: int
    first_month: str
    last_month: str
    due_on: date
    reference: str
    shares: dict[str, int]  # member -> cents; empty when nobody used the staff those months

    @property
    def unallocated_cents(self) -> int:
        return self.amount_cents - sum(self.shares.values())


def exposure(conn: duckdb.DuckDBPyConnection, at: int) -> list[DebtShares]:
    """Every debt outstanding at `at`, with each member's share of it."""
    found = []
    for debt in billing_reads.outstanding_debts_at(conn, at):
        hours = {p: h for p, h in billing_reads.member_hours_of_months(
            conn, debt["first_month"], debt["last_month"], at).items() if h > 0}
        shares = split_largest_remainder(debt["amount_cents"], hours) if hours else {}
        found.append(DebtShares(debt["debt_id"], debt["creditor_kind"], debt["creditor"], debt["amount_cents"],
                                debt["first_month"], debt["last_month"], debt["due_on"], debt["reference"], shares))
    return found


def member_totals(debts: list[DebtShares]) -> dict[str, int]:
    """Each member's exposure: the sum of its shares of the outstanding debts."""
    totals: dict[str, int] = {}
    for debt in debts:
        for partner, cents in debt.shares.items():
            totals[partner] = totals.get(partner, 0) + cents
    return dict(sorted(totals.items()))
