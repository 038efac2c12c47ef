"""A pool's inputs -> its lines: which pools have lines, and what each line says.

A pool is one resource's month: its open costs, its usage, the key versions of the
resource, and the partners' memberships. `allocate` splits a pool by a key; this module
decides everything around that split, once, for the current projection and for every
reading of the past alike:

* the key in force for a month (`key_in_force`);
* a pool with no recorded cost has no lines, except under a tariff: its usage is charged
  at the unit price even before the invoice is in, and the recovery line shows the
  over-recovery until the cost arrives;
* a pool with no key in force is shown whole as one `unallocated` line;
* a partner with no basis and no cents in the month (not a member, no usage) has no line.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Mapping, Protocol, TypeVar

from domain.allocation import Periods, Quantity, allocate
from domain.keys import AllocationKey

# What `basis` measures, by the method that split the line.
BASIS_KIND = {"usage": "usage", "fixed": "weight", "equal": "equal", "tariff": "tariff"}


class MonthVersion(Protocol):
    """A version that applies from a month: a key, a contract's terms, a rate card."""

    @property
    def version(self) -> int: ...

    @property
    def applies_from(self) -> str: ...


V = TypeVar("V", bound=MonthVersion)


@dataclass(frozen=True)
class KeyVersion:
    version: int
    applies_from: str
    key: AllocationKey


def key_in_force(versions: Iterable[V], month: str) -> V | None:
    """The key in force for a month: the latest `applies_from` on or before it, and of two
    versions applying from the same month, the later one. The same rule picks a GE's
    contract terms and rate card in force (domain/billing.py): any versions dated by month."""
    in_force = [k for k in versions if k.applies_from <= month]
    return max(in_force, key=lambda k: (k.applies_from, k.version)) if in_force else None


@dataclass(frozen=True)
class PoolLine:
    """One line of a pool, as the projections store it (before display rounding)."""

    partner_id: str | None
    kind: str  # 'share' | 'tariff' | 'unallocated' | 'recovery'
    part: int | None
    method: str | None  # the key's method; None when no key is in force
    basis_kind: str  # 'usage' | 'weight' | 'equal' | 'tariff' | 'none'
    key_version: int | None
    basis: Fraction
    total_basis: Fraction
    amount_cents: int

    @property
    def ratio(self) -> Fraction:
        return self.basis / self.total_basis if self.total_basis else Fraction(0)


def pool_lines(
    month: str,
    pool_cents: int,
    has_costs: bool,
    versions: Iterable[KeyVersion],
    usage: Mapping[str, Quantity],
    memberships: Mapping[str, Periods],
) -> tuple[PoolLine, ...]:
    """The lines of one pool; they sum exactly to `pool_cents` (none: the pool has no lines).

    `has_costs` says whether any cost was recorded for the pool (cancelled ones included:
    a pool whose costs were all cancelled keeps its lines, at 0 cents)."""
    in_force = key_in_force(versions, month)
    if not has_costs and (in_force is None or in_force.key.method != "tariff"):
        return ()
    if in_force is None:
        return (PoolLine(None, "unallocated", None, None, "none", None, Fraction(0), Fraction(0), pool_cents),)
    key = in_force.key
    allocation = allocate(pool_cents, key, month, usage, memberships)
    return tuple(
        PoolLine(
            line.partner_id, line.kind, line.part, key.method,
            BASIS_KIND[key.method if line.part is None else key.parts[line.part].method],
            in_force.version, line.basis, line.total_basis, line.amount_cents,
        )
        for line in allocation.lines
        if line.partner_id is None or line.basis != 0 or line.amount_cents != 0
    )
