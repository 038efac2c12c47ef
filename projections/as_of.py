"""Projections as they stood at a past point of the log: a query, not a replay.

The versioned tables keep every row with the positions between which it held, so their
state at position p is a filter (the `*_at(p)` table macros of views.sql). Cost shares
are re-split from those filtered inputs by the same code that keeps `cost_shares`
current, for just the pools asked for.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from projections import shares
from projections.queries import named


def position_at(conn: duckdb.DuckDBPyConnection, recorded_at: datetime) -> int:
    """The last log position recorded at or before a time (0 before the first event)."""
    return conn.execute("SELECT position_at(?)", [recorded_at]).fetchone()[0]


def cost_shares_as_of(
    conn: duckdb.DuckDBPyConnection,
    position: int,
    *,
    month: str | None = None,
    resource_id: str | None = None,
    partner_id: str | None = None,
) -> pa.Table:
    """cost_shares rows as they stood just after the event at `position`."""
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE wanted AS " + named("pools.sql")["pools_at"],
        {"p": position, "month": month, "resource": resource_id},
    )
    lines = shares.compute(conn, as_of=position)
    if partner_id is not None:
        lines = lines.filter(pc.equal(lines["partner_id"], partner_id))
    return lines


def statement_as_of(
    conn: duckdb.DuckDBPyConnection, partner_id: str, month: str, position: int
) -> pa.Table:
    """A partner's statement lines for a month, as they stood at `position`."""
    return cost_shares_as_of(conn, position, month=month, partner_id=partner_id)
