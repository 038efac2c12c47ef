"""Splitting a resource's monthly cost pool among partners by its allocation key.

Pure functions on integer cents. Quantities (units, weights, membership days) are
carried as exact Fractions so that no rounding happens before the one place where it
must: the largest-remainder split, which makes the shares sum exactly to the pool.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

from domain.errors import InvalidCommand
from domain.keys import AllocationKey
from domain.periods import check_month, days_overlapping, month_bounds

Quantity = Decimal | Fraction | int
Periods = Sequence[tuple[date, date | None]]

# Statement order: partners' shares first, then what nobody was charged.
LINE_KIND_ORDER = {"share": 0, "tariff": 1, "unallocated": 2, "recovery": 3}


@dataclass(frozen=True)
class ShareLine:
    partner_id: str | None
    kind: str  # 'share' | 'unallocated' | 'tariff' | 'recovery'
    amount_cents: int
    basis: Fraction
    total_basis: Fraction
    part: int | None = None

    @property
    def ratio(self) -> Fraction:
        return self.basis / self.total_basis if self.total_basis else Fraction(0)


@dataclass(frozen=True)
class Allocation:
    pool_cents: int
    lines: tuple[ShareLine, ...]

    def __post_init__(self) -> None:
        # The one rule that never bends: no cent is created or lost by a split.
        if sum(line.amount_cents for line in self.lines) != self.pool_cents:
            raise ValueError("allocation lines do not sum to the pool")

    def by_partner(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for line in self.lines:
            if line.kind in ("share", "tariff") and line.partner_id is not None:
                totals[line.partner_id] = totals.get(line.partner_id, 0) + line.amount_cents
        return totals

    @property
    def unallocated_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines if line.kind == "unallocated")

    @property
    def recovery_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines if line.kind == "recovery")


def _check_pool(pool_cents: int) -> None:
    if isinstance(pool_cents, bool) or not isinstance(pool_cents, int):
        raise InvalidCommand(f"a pool is an integer number of cents, got {pool_cents!r}")
    if pool_cents < 0:
        raise InvalidCommand(f"a cost pool cannot be negative ({pool_cents} cents)")


def _quantity(value: Quantity, what: str) -> Fraction:
    # Floats are refused rather than converted: 0.1 would enter as 0.1000000000000000055.
    if isinstance(value, (bool, float)) or not isinstance(value, (int, Decimal, Fraction)):
        raise InvalidCommand(f"{what} must be an int, Decimal or Fraction, got {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise InvalidCommand(f"{what} must be a finite number, got {value!r}")
    # as_integer_ratio is exact and much faster than Fraction(Decimal) on a hot path.
    quantity = Fraction(*value.as_integer_ratio()) if isinstance(value, Decimal) else Fraction(value)
    if quantity < 0:
        raise InvalidCommand(f"{what} cannot be negative, got {value}")
    return quantity


def split_largest_remainder(pool_cents: int, weights: Mapping[str, Quantity]) -> dict[str, int]:
    """Split pool_cents pro rata of weights, summing exactly to the pool.

    Each share is floored; the leftover cents go one each to the largest fractional
    remainders, ties to the smallest id, so the result does not depend on dict order.
    """
    _check_pool(pool_cents)
    exact_weights = {key: _quantity(w, f"weight of {key!r}") for key, w in weights.items()}
    shares, total = _split(pool_cents, exact_weights)
    if total <= 0:
        raise InvalidCommand("cannot split a pool when no weight is positive")
    return shares


@dataclass(frozen=True)
class RemainderShare:
    """One share of a largest-remainder split: its exact value (pool × weight / total) and
    the cents it got, its floor plus one if a leftover cent went to its remainder."""

    weight: Fraction
    exact: Fraction
    cents: int

    @property
    def floor_cents(self) -> int:
        return math.floor(self.exact)

    @property
    def leftover_cent(self) -> bool:
        return self.cents > self.floor_cents


@dataclass(frozen=True)
class RemainderSplit:
    """A largest-remainder split with its working, so that a trace can show it."""

    pool_cents: int
    total_weight: Fraction
    shares: dict[str, RemainderShare]

    @property
    def leftover_cents(self) -> int:
        """The cents the floors left over, each given to one of the largest remainders."""
        return sum(1 for share in self.shares.values() if share.leftover_cent)


def explain_largest_remainder(pool_cents: int, weights: Mapping[str, Quantity]) -> RemainderSplit:
    """The split of `split_largest_remainder` (the same `_split`), with each share's exact
    value and floor (kept apart: the statements' hot path needs only the cents)."""
    exact_weights = {key: _quantity(w, f"weight of {key!r}") for key, w in weights.items()}
    shares = split_largest_remainder(pool_cents, exact_weights)
    total = sum(exact_weights.values(), Fraction(0))
    return RemainderSplit(pool_cents, total, {
        key: RemainderShare(weight, pool_cents * weight / total, shares[key]) for key, weight in exact_weights.items()})


def _split(pool_cents: int, weights: Mapping[str, Fraction]) -> tuple[dict[str, int], Fraction]:
    """The largest-remainder split of checked weights, and their total (no share if 0).

    Integer arithmetic on a common denominator: the same exact result as with Fractions,
    several times faster (cost shares are recomputed for every pool)."""
    scale = math.lcm(*(w.denominator for w in weights.values())) if weights else 1
    scaled = {key: w.numerator * (scale // w.denominator) for key, w in weights.items()}
    scaled_total = sum(scaled.values())
    if scaled_total <= 0:
        return {}, Fraction(0)
    shares: dict[str, int] = {}
    remainders: dict[str, int] = {}  # numerators over scaled_total
    for key, weight in scaled.items():
        shares[key], remainders[key] = divmod(pool_cents * weight, scaled_total)
    leftover = pool_cents - sum(shares.values())
    # leftover < number of positive remainders, so a zero weight never gets a cent.
    for key in sorted(remainders, key=lambda k: (-remainders[k], k))[:leftover]:
        shares[key] += 1
    return shares, Fraction(scaled_total, scale)


def membership_days(periods: Iterable[tuple[date, date | None]], month: str) -> int:
    """Days of the month during which the partner was a member (periods are inclusive)."""
    return days_overlapping(periods, *month_bounds(_month(month)))


def _month(month: str) -> str:
    try:
        return check_month(month)
    except ValueError as exc:
        raise InvalidCommand(str(exc), field="month") from None


def _prorated(
    weights: Mapping[str, Quantity], month: str, memberships: Mapping[str, Periods]
) -> dict[str, Fraction]:
    # A partner absent from memberships was not a member: it gets 0 days, hence nothing.
    first, last = month_bounds(month)
    month_days = (last - first).days + 1
    return {
        partner: _quantity(weight, f"weight of {partner!r}")
        * Fraction(membership_days(memberships.get(partner, ()), month), month_days)
        for partner, weight in weights.items()
    }


def _basis(
    method: str,
    weights: Mapping[str, Quantity],
    partners: Sequence[str],
    month: str,
    usage: Mapping[str, Quantity],
    memberships: Mapping[str, Periods],
) -> dict[str, Fraction]:
    if method == "usage":
        return {p: _quantity(units, f"usage of {p!r}") for p, units in usage.items()}
    if method == "fixed":
        return _prorated(weights, month, memberships)
    if method == "equal":
        return _prorated({p: 1 for p in partners}, month, memberships)
    raise InvalidCommand(f"unknown allocation method {method!r}")


def _pro_rata(amount: int, basis: Mapping[str, Fraction], part: int | None) -> list[ShareLine]:
    shares, total = _split(amount, basis)
    if total == 0:
        # Nobody to charge: the amount stays visible instead of silently vanishing.
        return [ShareLine(None, "unallocated", amount, Fraction(0), Fraction(0), part)]
    return [ShareLine(p, "share", shares[p], basis[p], total, part) for p in basis]


def _round_half_up(value: Fraction) -> int:
    # Exact equivalent of Decimal quantize(ROUND_HALF_UP) for the non-negative values here.
    return math.floor(value + Fraction(1, 2))


def _tariff(pool_cents: int, unit_price: Decimal, usage: Mapping[str, Quantity]) -> list[ShareLine]:
    units = {p: _quantity(u, f"usage of {p!r}") for p, u in usage.items()}
    total = sum(units.values(), Fraction(0))
    price = Fraction(unit_price)
    lines = [ShareLine(p, "tariff", _round_half_up(u * price), u, total) for p, u in units.items()]
    # Always emitted, even at 0: the gap between tariffs and real costs is never hidden.
    recovery = pool_cents - sum(line.amount_cents for line in lines)
    lines.append(ShareLine(None, "recovery", recovery, Fraction(0), total))
    return lines


def allocate(
    pool_cents: int,
    key: AllocationKey,
    month: str,
    usage: Mapping[str, Quantity],
    memberships: Mapping[str, Periods],
) -> Allocation:
    """Split a month's cost pool by the key; the lines sum exactly to the pool."""
    _check_pool(pool_cents)
    month = _month(month)
    if key.method == "tariff":
        assert key.unit_price_cents is not None  # guaranteed by AllocationKey
        lines = _tariff(pool_cents, key.unit_price_cents, usage)
    elif key.method == "mixed":
        # Zero-padded so part 10 sorts after part 9 when remainders tie.
        percents = {f"{i:03d}": part.percent for i, part in enumerate(key.parts)}
        amounts = split_largest_remainder(pool_cents, percents)
        lines = []
        for i, part in enumerate(key.parts):
            basis = _basis(part.method, part.weights, part.partners, month, usage, memberships)
            lines += _pro_rata(amounts[f"{i:03d}"], basis, i)
    else:
        basis = _basis(key.method, key.weights, key.partners, month, usage, memberships)
        lines = _pro_rata(pool_cents, basis, None)
    lines.sort(
        key=lambda line: (
            -1 if line.part is None else line.part,
            LINE_KIND_ORDER[line.kind],
            line.partner_id or "",
        )
    )
    return Allocation(pool_cents, tuple(lines))
