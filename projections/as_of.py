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

# The pools of a month, at position $p, in which a partner can have a line: those where
# it has open usage (usage and tariff bases, usage parts of a mixed key), and those with a
# cost whose resource has a key version applying by that month that names it (weights and
# partner lists of fixed, equal and mixed keys name partners as quoted ids in the key's
# JSON; such keys split nothing in a pool without costs). A superset of the pools that
# charge the partner is enough: each pool is split on its own, so splitting fewer pools
# changes no line of those split.
_PARTNER_POOLS_AT = """
SELECT resource_id, month FROM usage_at($p)
WHERE month = $month AND partner_id = $partner AND status = 'open'
UNION
SELECT resource_id, month FROM costs_at($p)
WHERE month = $month AND resource_id IN (
    SELECT resource_id FROM allocation_keys_at($p)
    WHERE applies_from <= $month AND contains(CAST(key AS VARCHAR), $quoted)
)
"""

# The events behind one partner's line of a pool as of $p: what `charge_trace` lists for a
# `cost_shares` line, with the line (its basis kind and key version) and the versions as
# they stood at $p.
_TRACE_AT = """
SELECT 'cost' AS source, entry_id, valid_from AS position FROM cost_versions
WHERE resource_id = $resource AND month = $month AND valid_from <= $p
UNION ALL
SELECT 'usage', entry_id, valid_from FROM usage_versions
WHERE resource_id = $resource AND month = $month AND partner_id = $partner AND valid_from <= $p
  AND $basis_kind IN ('usage', 'tariff')
UNION ALL
SELECT 'key', NULL, position FROM allocation_keys
WHERE resource_id = $resource AND key_version = $key_version AND position <= $p
UNION ALL
SELECT 'membership', NULL, valid_from FROM membership_versions
WHERE partner_id = $partner AND first_day <= last_day(CAST($month || '-01' AS DATE)) AND valid_from <= $p
  AND $basis_kind IN ('weight', 'equal')
"""


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
        "CREATE OR REPLACE TEMP TABLE wanted AS " + _PARTNER_POOLS_AT,
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
    basis_kind: str,
    key_version: int | None,
    position: int,
) -> list[tuple]:
    """The events behind a partner's line of a pool as of `position`, in log order:
    (source, entry_id, position, event_type, actor, recorded_at, payload as JSON text).

    The rows `charge_trace` joined to `events` gives for that line when `position` is the
    tracked one. Give the line's `basis_kind` and `key_version` as they stood at `position`
    (from statement_as_of).
    """
    return conn.execute(
        "SELECT t.source, t.entry_id, t.position, e.event_type, e.actor, e.recorded_at, "
        "CAST(e.payload AS VARCHAR) FROM (" + _TRACE_AT + ") t JOIN events e USING (position) "
        "ORDER BY t.position, t.source, t.entry_id",
        {"p": position, "partner": partner_id, "month": month, "resource": resource_id,
         "basis_kind": basis_kind, "key_version": key_version},
    ).fetchall()
