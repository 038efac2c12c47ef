"""Each GE member's fees and deposit as the read model holds them at a position: the one fold
of its movements (the projections' member_funds rows), so that the deposit held — called
less returned — is worked out in one place for the API, the pages and the demo."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from projections import billing_reads


@dataclass
class MemberFundsRead:
    partner_id: str
    partner_name: str
    fees: dict[int, int] = field(default_factory=dict)     # year → fee called
    called_cents: int = 0
    returned_cents: int = 0
    returns: list[dict[str, Any]] = field(default_factory=list)  # the DepositReturned rows, oldest first

    @property
    def held_cents(self) -> int:
        return self.called_cents - self.returned_cents


def funds_at(conn: duckdb.DuckDBPyConnection, at: int) -> dict[str, MemberFundsRead]:
    """Each member with a fee or a deposit movement recorded by `at`, by name."""
    members: dict[str, MemberFundsRead] = {}
    for row in billing_reads.member_funds_at(conn, at):
        member = members.setdefault(row["partner_id"], MemberFundsRead(row["partner_id"], row["partner_name"]))
        if row["movement"] == "fee":
            member.fees[row["year"]] = row["amount_cents"]
        elif row["movement"] == "deposit":
            member.called_cents += row["amount_cents"]
        else:
            member.returned_cents += row["amount_cents"]
            member.returns.append(row)
    return members
