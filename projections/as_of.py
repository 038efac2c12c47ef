"""Projections as they stood at a past point of the log: a query, not a replay.

The versioned tables keep every row with the positions between which it held, so their
state at position p is a filter (the `*_at(p)` table macros of views.sql). Cost shares
are re-split from those filtered inputs by the same code that keeps `cost_shares`
current, for just the pools asked for.
"""

from __future__ import annotations

import json
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
    """A partner's statement lines for a month, as they stood at `position`.

    The same rows as `cost_shares_as_of(conn, position, month=month, partner_id=partner_id)`,
    but only the pools the partner can take part in are split, not every pool of the month.
    """
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE wanted AS " + named("as_of.sql")["partner_pools_at"],
        {"p": position, "month": month, "partner": partner_id, "quoted": json.dumps(partner_id)},
    )
    lines = shares.compute(conn, as_of=position)
    return lines.filter(pc.equal(lines["partner_id"], partner_id))


def trace_as_of(
    conn: duckdb.DuckDBPyConnection,
    *,
    partner_id: str,
    month: str,
    resource_id: str,
    line_kind: str,
    part: int | None,
    basis_kind: str,
    key_version: int | None,
    position: int,
) -> list[tuple]:
    """The events behind a partner's line of a pool as of `position`, in log order:
    (source, entry_id, position, event_type, actor, recorded_at, payload as JSON text).

    The rows `charge_trace` joined to `events` gives for that line when `position` is the
    tracked one (the `trace_at` macro of views.sql). Give the line's kind, part, `basis_kind`
    and `key_version` as they stood at `position` (from statement_as_of).
    """
    return conn.execute(
        named("as_of.sql")["line_trace_at"],
        {"p": position, "partner": partner_id, "month": month, "resource": resource_id,
         "line_kind": line_kind, "part": part, "basis_kind": basis_kind, "key_version": key_version},
    ).fetchall()
