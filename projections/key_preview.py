"""What a new allocation key would do to a pool already recorded, nothing recorded.

A pool's inputs (its cost, its partners' usage, the memberships, the key versions of its
resource) are gathered by the same named queries that keep `cost_shares` current
(sql/pools.sql), and split by the domain's pure `pool_lines`, once by the key in force and
once by the proposed key as if it applied that month: the two splits differ only by the key.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import duckdb

from domain.keys import AllocationKey
from domain.pools import KeyVersion, PoolLine, key_in_force, pool_lines
from projections import shares
from projections.queries import named


@dataclass(frozen=True)
class KeyPreview:
    resource_id: str
    month: str
    pool_cents: int
    has_costs: bool
    current_version: KeyVersion | None
    current: tuple[PoolLine, ...]
    proposed: tuple[PoolLine, ...]


def preview_key(conn: duckdb.DuckDBPyConnection, resource_id: str, month: str, key: AllocationKey) -> KeyPreview:
    """The pool of `resource_id` in `month` as the projections hold it, split by the key in
    force that month and by `key`. Runs in the caller's read transaction (a temp table)."""
    sql = named("pools.sql")
    shares.select_wanted(conn, [(resource_id, month)])
    span = {"p": shares.NOW, "first": month, "last": month}
    pools = conn.execute(sql["pool_costs"], span).fetchall()
    pool_cents, has_costs = (pools[0][2], pools[0][3]) if pools else (0, False)
    usage = {partner: quantity for _, _, partner, quantity in conn.execute(sql["pool_usage"], span).fetchall()}
    versions = [KeyVersion(version, applies_from, AllocationKey.model_validate_json(text))
                for rid, version, applies_from, text in conn.execute(sql["keys"], {"p": shares.NOW}).fetchall()
                if rid == resource_id]
    memberships: dict[str, list] = defaultdict(list)
    for partner_id, first_day, last_day in conn.execute(sql["memberships"], {"p": shares.NOW}).fetchall():
        memberships[partner_id].append((first_day, last_day))
    proposed_version = KeyVersion(max((v.version for v in versions), default=0) + 1, month, key)
    return KeyPreview(
        resource_id=resource_id, month=month, pool_cents=pool_cents, has_costs=has_costs,
        current_version=key_in_force(versions, month),
        current=pool_lines(month, pool_cents, has_costs, versions, usage, memberships),
        proposed=pool_lines(month, pool_cents, has_costs, [proposed_version], usage, memberships),
    )
