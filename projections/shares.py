"""Cost shares: each (resource, month) pool split among partners by the key in force.

Which lines a pool has is the domain's pure `pool_lines`; this module gathers its inputs
from the versioned tables, as of a log position, and writes the lines. The current `cost_shares`
table and any as-of reading go through the same `compute`, so they cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from decimal import Decimal
from fractions import Fraction
from typing import Iterable

import duckdb
import pyarrow as pa

from domain.keys import AllocationKey
from domain.pools import KeyVersion, pool_lines
from domain.periods import FIRST_MONTH, LAST_MONTH, in_calendar
from projections.queries import named

NOW = 2**62  # a log position after every event: "as it stands"

_SIX = Decimal("0.000001")
_TEN = Decimal("0.0000000001")

SHARE_SCHEMA = pa.schema(
    [
        ("month", pa.string()),
        ("resource_id", pa.string()),
        ("partner_id", pa.string()),
        ("line_kind", pa.string()),
        ("part", pa.int32()),
        ("method", pa.string()),
        ("basis_kind", pa.string()),
        ("key_version", pa.int32()),
        ("basis", pa.decimal128(24, 6)),
        ("total_basis", pa.decimal128(24, 6)),
        ("ratio", pa.decimal128(12, 10)),
        ("amount_cents", pa.int64()),
        ("pool_cents", pa.int64()),
    ]
)


def _sql(name: str) -> str:
    return named("pools.sql")[name]


def _decimal(value: Fraction, quantum: Decimal) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum)


def select_wanted(conn: duckdb.DuckDBPyConnection, pools: Iterable[tuple[str, str]]) -> None:
    """Fill the temp table `wanted` with the pools to compute. A pool of a month outside
    the calendar (only a store written before the calendar was enforced holds one) is set
    aside: it has no lines, and the readiness report names its events."""
    conn.execute("CREATE OR REPLACE TEMP TABLE wanted (resource_id VARCHAR, month VARCHAR)")
    rows = sorted(pool for pool in set(pools) if in_calendar(pool[1]))
    if rows:
        table = pa.table({"resource_id": [r for r, _ in rows], "month": [m for _, m in rows]})
        conn.register("wanted_rows", table)
        conn.execute("INSERT INTO wanted SELECT * FROM wanted_rows")
        conn.unregister("wanted_rows")


def set_aside(conn: duckdb.DuckDBPyConnection) -> tuple[int, int | None]:
    """Entries of usage set aside for lying beyond the calendar, and the first one's position."""
    return conn.execute(_sql("set_aside"), {"first": FIRST_MONTH, "last": LAST_MONTH}).fetchone()


def compute(conn: duckdb.DuckDBPyConnection, as_of: int = NOW) -> pa.Table:
    """The cost-share lines of the pools in `wanted`, as of log position `as_of`: their
    inputs gathered here, their lines decided by the domain's `pool_lines`."""
    first, last = conn.execute("SELECT min(month), max(month) FROM wanted").fetchone()
    span = {"p": as_of, "first": first, "last": last}
    pools = conn.execute(_sql("pool_costs"), span).fetchall()
    usage: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for resource_id, month, partner_id, quantity in conn.execute(_sql("pool_usage"), span).fetchall():
        usage[(resource_id, month)][partner_id] = quantity
    keys: dict[str, list[KeyVersion]] = defaultdict(list)
    for resource_id, version, applies_from, key in conn.execute(_sql("keys"), {"p": as_of}).fetchall():
        keys[resource_id].append(KeyVersion(version, applies_from, AllocationKey.model_validate_json(key)))
    memberships: dict[str, list] = defaultdict(list)
    for partner_id, first_day, last_day in conn.execute(_sql("memberships"), {"p": as_of}).fetchall():
        memberships[partner_id].append((first_day, last_day))

    columns: dict[str, list] = {field.name: [] for field in SHARE_SCHEMA}
    for resource_id, month, pool_cents, has_costs in sorted(pools):
        lines = pool_lines(month, pool_cents, has_costs, keys[resource_id],
                           usage.get((resource_id, month), {}), memberships)
        for line in lines:
            columns["month"].append(month)
            columns["resource_id"].append(resource_id)
            columns["partner_id"].append(line.partner_id)
            columns["line_kind"].append(line.kind)
            columns["part"].append(line.part)
            columns["method"].append(line.method)
            columns["basis_kind"].append(line.basis_kind)
            columns["key_version"].append(line.key_version)
            columns["basis"].append(_decimal(line.basis, _SIX))
            columns["total_basis"].append(_decimal(line.total_basis, _SIX))
            columns["ratio"].append(_decimal(line.ratio, _TEN))
            columns["amount_cents"].append(line.amount_cents)
            columns["pool_cents"].append(pool_cents)
    return pa.table(columns, schema=SHARE_SCHEMA)


def refresh(conn: duckdb.DuckDBPyConnection, pools: Iterable[tuple[str, str]] | None) -> None:
    """Recompute the current lines of the given pools (all when None) in `cost_shares`."""
    if pools is None:
        # All pools, a month at a time, so memory stays bounded whatever the log's length.
        conn.execute("DELETE FROM cost_shares")
        all_pools = sorted(conn.execute(_sql("all_pools")).fetchall(), key=lambda p: p[1])
        for _, month_pools in groupby(all_pools, key=lambda p: p[1]):
            _replace(conn, list(month_pools))
    else:
        _replace(conn, pools)


def _replace(conn: duckdb.DuckDBPyConnection, pools: Iterable[tuple[str, str]]) -> None:
    select_wanted(conn, pools)
    lines = compute(conn)
    conn.execute(
        "DELETE FROM cost_shares WHERE (resource_id, month) IN (SELECT resource_id, month FROM wanted)"
    )
    conn.register("new_lines", lines)
    conn.execute("INSERT INTO cost_shares SELECT * FROM new_lines")
    conn.unregister("new_lines")
