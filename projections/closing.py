"""Closed months: what was issued, and how later events reach the books.

A closed month's statements are those computed as of the position it was sealed at.
An event that changes a closed month afterwards leaves that statement as issued; the
difference it makes is booked as an adjustment line in the month that was first open
when the event was recorded (the window between two closes), naming the month it comes
from and the events that caused it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from typing import Iterable

import duckdb
import pyarrow as pa

from domain.periods import next_month
from projections import shares
from projections.queries import named

Pool = tuple[str, str]

ADJUSTMENT_SCHEMA = pa.schema([
    ("booked_month", pa.string()), ("origin_month", pa.string()), ("resource_id", pa.string()),
    ("partner_id", pa.string()), ("line_kind", pa.string()), ("part", pa.int32()),
    ("amount_cents", pa.int64()), ("caused_by", pa.list_(pa.int64())),
])


def _sql(name: str) -> str:
    return named("closing.sql")[name]


def closed_months(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    return conn.execute(_sql("closed_months")).fetchall()


def refresh_adjustments(conn: duckdb.DuckDBPyConnection, pools: Iterable[Pool] | None = None) -> None:
    """Recompute the adjustment lines coming from the given pools of closed months
    (by default every pool changed after its month was closed)."""
    closes = closed_months(conn)
    sealed = dict(closes)
    if pools is None and closes:
        span = {"first": closes[0][0], "last": closes[-1][0], "after": min(p for _, p in closes)}
        pools = conn.execute(_sql("late_pools"), span).fetchall()
    wanted = set(pools or ())
    wanted = {p for p in wanted if p[1] in sealed}
    if not wanted:
        return  # most pages touch only open months
    shares.select_wanted(conn, wanted)
    conn.execute("DELETE FROM adjustments WHERE (resource_id, origin_month) IN (SELECT * FROM wanted)")
    rows: list[dict] = []
    by_month: dict[str, list[Pool]] = defaultdict(list)
    for pool in sorted(wanted):
        by_month[pool[1]].append(pool)
    for month, month_pools in by_month.items():
        rows += _month_adjustments(conn, month, month_pools, closes)
    if rows:
        conn.register("new_adjustments", pa.Table.from_pylist(rows))
        conn.execute(
            "INSERT INTO adjustments SELECT booked_month, origin_month, resource_id, partner_id, "
            "line_kind, part, amount_cents, caused_by FROM new_adjustments"
        )
        conn.unregister("new_adjustments")


def _month_adjustments(conn, month: str, pools: list[Pool], closes: list[tuple[str, int]]) -> list[dict]:
    # Windows: from the month's seal to the next month's seal, and so on, then to now.
    later = [(m, p) for m, p in closes if m >= month]
    boundaries = [p for _, p in later] + [shares.NOW]
    booked = [next_month(m) for m, _ in later]
    shares.select_wanted(conn, pools)
    causes: dict[Pool, list[int]] = defaultdict(list)
    span = {"month": month, "resources": sorted({resource_id for resource_id, _ in pools})}
    for resource_id, pool_month, position in conn.execute(_sql("pool_causes"), span).fetchall():
        causes[(resource_id, pool_month)].append(position)
    rows = []
    before = _lines(conn, pools, boundaries[0])
    for k, booked_month in enumerate(booked):
        lo, hi = boundaries[k], boundaries[k + 1]
        moved = {pool: sorted(p for p in causes[pool] if lo < p <= hi) for pool in pools}
        if not any(moved.values()):
            continue
        after = _lines(conn, pools, hi)
        rows += _differences(booked_month, month, before, after, moved)
        before = after
    return rows


def _differences(booked_month: str, origin_month: str, before: dict[tuple, int], after: dict[tuple, int],
                 moved: dict[Pool, list[int]]) -> list[dict]:
    """The adjustment rows from an origin month's lines at a window's start to its end."""
    rows = []
    for key in sorted(set(before) | set(after), key=_sort_key):
        difference = after.get(key, 0) - before.get(key, 0)
        if difference:
            resource_id, partner_id, line_kind, part = key
            rows.append({
                "booked_month": booked_month, "origin_month": origin_month, "resource_id": resource_id,
                "partner_id": partner_id, "line_kind": line_kind, "part": part,
                "amount_cents": difference, "caused_by": moved.get((resource_id, origin_month), []),
            })
    return rows


def adjustments_at(conn: duckdb.DuckDBPyConnection, month: str, position: int) -> list[dict]:
    """The adjustment lines booked into `month` as they stood at `position`.

    Into a month go the late events recorded from the previous month's seal to its own
    seal (to now while it is open). As of a position, only those recorded by then count:
    a pool whose late events of the window all came by then is as stored; one that had
    none yet has no adjustment; one moved on both sides of the position (or whose window
    then ran further than the stored one) is split again as of the position."""
    sealed = dict(conn.execute(_sql("closed_by"), {"p": position}).fetchall())
    previous = [m for m in sealed if next_month(m) == month]
    if not previous:
        return []  # the month before was still open: nothing was late yet
    lo, hi = sealed[previous[0]], sealed.get(month, position)
    stored_hi = dict(closed_months(conn)).get(month, shares.NOW)
    if hi == stored_hi:
        return _stored(conn, month)  # the window as it ended then is the one stored
    moves: dict[Pool, list[int]] = defaultdict(list)
    for resource_id, origin, moved_at in conn.execute(
            _sql("late_moves"), {"first": min(sealed), "last": previous[0], "after": lo}).fetchall():
        moves[(resource_id, origin)].append(moved_at)
    kept: set[Pool] = set()
    again: dict[str, dict[Pool, list[int]]] = defaultdict(dict)
    for pool, positions in moves.items():
        then = sorted(p for p in positions if p <= hi)
        if not then:
            continue
        if then == sorted(p for p in positions if p <= stored_hi):
            kept.add(pool)
        else:
            again[pool[1]][pool] = then
    rows = [row for row in _stored(conn, month) if (row["resource_id"], row["origin_month"]) in kept]
    for origin, moved in sorted(again.items()):
        pools = sorted(moved)
        rows += _differences(month, origin, _lines(conn, pools, lo), _lines(conn, pools, hi), moved)
    return rows


def _stored(conn: duckdb.DuckDBPyConnection, month: str) -> list[dict]:
    cursor = conn.execute(_sql("booked_adjustments"), {"month": month})
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _sort_key(key: tuple) -> tuple:
    resource_id, partner_id, line_kind, part = key
    return (resource_id, partner_id or "", line_kind, -1 if part is None else part)


def _lines(conn, pools: list[Pool], position: int) -> dict[tuple, int]:
    shares.select_wanted(conn, pools)
    table = shares.compute(conn, as_of=position)
    return {
        (r["resource_id"], r["partner_id"], r["line_kind"], r["part"]): r["amount_cents"]
        for r in table.to_pylist()
    }


# The seal of a month ---------------------------------------------------------------------

CANONICAL_FIELDS = ("month", "resource_id", "partner_id", "line_kind", "part", "method", "basis_kind",
                    "key_version", "basis", "total_basis", "ratio", "amount_cents", "origin_month",
                    "dispute_id")


def month_lines(conn: duckdb.DuckDBPyConnection, month: str, position: int,
                shares_at: pa.Table | None = None) -> list[dict]:
    """Every line of a month's statements as of a position, in canonical order: the
    shares of its pools (computed here unless given), the adjustments booked into it and
    the credits granted in it, each as they stood at that position."""
    if shares_at is None:
        shares_at = month_shares(conn, month, position)
    booked = pa.Table.from_pylist(adjustments_at(conn, month, position), schema=ADJUSTMENT_SCHEMA)
    conn.register("shares_at", shares_at)
    conn.register("adjustments_booked_at", booked)
    rows = conn.execute(_sql("month_lines_at"), {"month": month, "p": position}).fetchall()
    conn.unregister("adjustments_booked_at")
    conn.unregister("shares_at")
    lines = [dict(zip(CANONICAL_FIELDS, row)) for row in rows]
    return sorted(lines, key=lambda l: (l["partner_id"] or "", l["resource_id"], l["line_kind"],
                                        -1 if l["part"] is None else l["part"], l["origin_month"] or "",
                                        l["dispute_id"] or "", l["amount_cents"]))


def canonical(lines: list[dict]) -> bytes:
    """The serialisation the digest is taken over: one JSON object per line, keys sorted,
    no spaces, decimals as strings with their scale, lines joined by newlines."""
    def value(v: object) -> object:
        return str(v) if isinstance(v, Decimal) else v

    return "\n".join(
        json.dumps({k: value(line[k]) for k in CANONICAL_FIELDS}, sort_keys=True, separators=(",", ":"),
                   ensure_ascii=False)
        for line in lines
    ).encode()


def statements_digest(conn: duckdb.DuckDBPyConnection, month: str, position: int) -> str:
    return hashlib.sha256(canonical(month_lines(conn, month, position))).hexdigest()


def chain_hash_at(conn: duckdb.DuckDBPyConnection, position: int) -> str | None:
    rows = conn.execute("SELECT chain_hash FROM events WHERE position = ?", [position]).fetchall()
    return rows[0][0] if rows else None


# As issued, as now ---------------------------------------------------------------------------

def moved_since(conn: duckdb.DuckDBPyConnection, month: str, position: int) -> dict[str, list[int]]:
    """The month's pools that an event after `position` moved, with those events' positions."""
    causes: dict[str, list[int]] = defaultdict(list)
    for resource_id, cause in conn.execute(_sql("moved_since"), {"month": month, "p": position}).fetchall():
        causes[resource_id].append(cause)
    return causes


def month_shares(conn: duckdb.DuckDBPyConnection, month: str, position: int,
                 moved: Iterable[str] | None = None) -> pa.Table:
    """The month's cost-share lines as of `position`. A pool that no event moved since
    has the same inputs as now, so its current `cost_shares` rows are its rows then; only
    the moved pools are split again, as of `position`."""
    moved = sorted(moved_since(conn, month, position) if moved is None else moved)
    still = conn.sql(
        "SELECT * FROM cost_shares WHERE month = $month AND NOT list_contains($moved, resource_id)",
        params={"month": month, "moved": moved}).to_arrow_table().cast(shares.SHARE_SCHEMA)
    if not moved:
        return still
    conn.execute("CREATE OR REPLACE TEMP TABLE wanted AS " + named("pools.sql")["pools_at"],
                 {"p": position, "month": month, "resource": None})
    conn.execute("DELETE FROM wanted WHERE NOT list_contains($moved, resource_id)", {"moved": moved})
    return pa.concat_tables([still, shares.compute(conn, as_of=position)])


def issued_vs_now(conn: duckdb.DuckDBPyConnection, month: str, now: int) -> list[dict] | None:
    """Every line of a closed month's statements as issued and as it stands at `now` (the
    tracked position), with the difference and the events after the seal that caused it
    (None if the month is not closed)."""
    sealed = dict(closed_months(conn))
    if month not in sealed:
        return None
    seal = sealed[month]
    causes = {r: [p for p in ps if p <= now] for r, ps in moved_since(conn, month, seal).items()}
    issued = {_line_key(l): l for l in month_lines(conn, month, seal, month_shares(conn, month, seal, causes))}
    current = {_line_key(l): l for l in month_lines(conn, month, now, month_shares(conn, month, now, ()))}
    rows = []
    for key in sorted(issued.keys() | current.keys(), key=lambda k: tuple("" if v is None else str(v) for v in k)):
        before = issued[key]["amount_cents"] if key in issued else 0
        after = current[key]["amount_cents"] if key in current else 0
        partner_id, resource_id, line_kind, part, origin_month, dispute_id = key
        rows.append({
            "month": month, "partner_id": partner_id, "resource_id": resource_id, "line_kind": line_kind,
            "part": part, "origin_month": origin_month, "dispute_id": dispute_id,
            "issued_cents": before if key in issued else None, "now_cents": after if key in current else None,
            "difference_cents": after - before,
            "caused_by": sorted(set(causes.get(resource_id, []))) if after != before else [],
        })
    return rows


def _line_key(line: dict) -> tuple:
    return (line["partner_id"], line["resource_id"], line["line_kind"], line["part"],
            line["origin_month"], line["dispute_id"])
