"""Hypothesis strategies for the domain: partner ids, quantities, memberships, keys, pools."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import strategies as st

from domain.keys import AllocationKey, KeyPart
from domain.periods import month_bounds
from domain.pools import KeyVersion

partner_ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True)

# Up to 100 million euros, the bound of a single cost; 0 is a legitimate (empty) pool.
pools = st.one_of(st.integers(0, 1_000), st.integers(0, 10_000_000_000))

months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(2000, 2100), st.integers(1, 12))

# Key weights: positive Decimals with at most 4 decimals, as AllocationKey accepts them.
weights = st.integers(1, 10**8).map(lambda n: Decimal(n).scaleb(-4))

unit_prices = st.integers(1, 10**6).map(lambda n: Decimal(n).scaleb(-4))

# Units used: ints, Decimals with decimals, or Fractions (e.g. hours from minutes).
quantities = st.one_of(
    st.integers(0, 10_000),
    st.integers(0, 10**7).map(lambda n: Decimal(n).scaleb(-3)),
    st.fractions(min_value=0, max_value=10_000, max_denominator=60),
)


def partner_lists(min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[list[str]]:
    return st.lists(partner_ids, min_size=min_size, max_size=max_size, unique=True)


def usage_maps(partners: list[str]) -> st.SearchStrategy[dict[str, Fraction | Decimal | int]]:
    return st.dictionaries(st.sampled_from(partners), quantities) if partners else st.just({})


@st.composite
def periods_around(draw, month: str) -> list[tuple[date, date | None]]:
    """Membership periods that may start before, inside or after the month, open or closed."""
    first, last = month_bounds(month)
    result = []
    for _ in range(draw(st.integers(1, 3))):
        start = first + timedelta(days=draw(st.integers(-60, 40)))
        length = draw(st.one_of(st.none(), st.integers(0, 60)))
        result.append((start, None if length is None else start + timedelta(days=length)))
    return result


@st.composite
def memberships(draw, partners: list[str], month: str) -> dict[str, list[tuple[date, date | None]]]:
    """Most partners are members all month; some join or leave mid-month; some are absent."""
    whole_month = [(date(2000, 1, 1), None)]
    result = {}
    for partner in partners:
        choice = draw(st.sampled_from(["all", "all", "partial", "absent"]))
        if choice == "all":
            result[partner] = whole_month
        elif choice == "partial":
            result[partner] = draw(periods_around(month))
    return result


def fixed_weights(partners: list[str]) -> st.SearchStrategy[dict[str, Decimal]]:
    return st.dictionaries(st.sampled_from(partners), weights, min_size=1)


def equal_partners(partners: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(partners), min_size=1, unique=True).map(tuple)


def key_parts(partners: list[str], percent: int) -> st.SearchStrategy[KeyPart]:
    return st.one_of(
        st.just(KeyPart(method="usage", percent=percent)),
        fixed_weights(partners).map(lambda w: KeyPart(method="fixed", percent=percent, weights=w)),
        equal_partners(partners).map(
            lambda p: KeyPart(method="equal", percent=percent, partners=p)
        ),
    )


@st.composite
def percent_splits(draw, max_parts: int = 12) -> list[int]:
    """Positive percentages adding up to 100, at least two of them."""
    cuts = draw(st.lists(st.integers(1, 99), min_size=1, max_size=max_parts - 1, unique=True))
    bounds = [0, *sorted(cuts), 100]
    return [b - a for a, b in zip(bounds, bounds[1:])]


@st.composite
def keys(draw, partners: list[str], method: str) -> AllocationKey:
    if method == "usage":
        return AllocationKey(method="usage")
    if method == "fixed":
        return AllocationKey(method="fixed", weights=draw(fixed_weights(partners)))
    if method == "equal":
        return AllocationKey(method="equal", partners=draw(equal_partners(partners)))
    if method == "tariff":
        return AllocationKey(method="tariff", unit_price_cents=draw(unit_prices))
    parts = tuple(draw(key_parts(partners, p)) for p in draw(percent_splits()))
    return AllocationKey(method="mixed", parts=parts)


METHODS = ("usage", "fixed", "equal", "mixed", "tariff")


@st.composite
def allocation_cases(draw, methods: tuple[str, ...] = METHODS):
    """Arguments for allocate(): (pool_cents, key, month, usage, memberships)."""
    partners = draw(partner_lists())
    month = draw(months)
    key = draw(keys(partners, draw(st.sampled_from(methods))))
    usage = draw(usage_maps(partners))
    return draw(pools), key, month, usage, draw(memberships(partners, month))


def _shifted(month: str, by: int) -> str:
    year, number = divmod(int(month[:4]) * 12 + int(month[5:]) - 1 + by, 12)
    return f"{year:04d}-{number + 1:02d}"


@st.composite
def key_versions(draw, partners: list[str], month: str) -> list[KeyVersion]:
    """A resource's key versions, numbered in the order set, applying from months around
    `month` (some after it, some sharing a month); possibly none."""
    result = []
    for version in range(1, draw(st.integers(0, 4)) + 1):
        method = draw(st.sampled_from(METHODS))
        applies_from = _shifted(month, draw(st.integers(-3, 2)))
        result.append(KeyVersion(version, applies_from, draw(keys(partners, method))))
    return result


@st.composite
def pool_cases(draw):
    """Arguments for pool_lines(): (month, pool_cents, has_costs, versions, usage,
    memberships). A pool without a recorded cost has 0 cents; one with costs may have 0
    cents too (all of them cancelled)."""
    partners = draw(partner_lists())
    month = draw(st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(2001, 2099), st.integers(1, 12)))
    has_costs = draw(st.booleans())
    pool_cents = draw(pools) if has_costs else 0
    versions = draw(key_versions(partners, month))
    return (month, pool_cents, has_costs, versions, draw(usage_maps(partners)),
            draw(memberships(partners, month)))


# Staff time as the coordinator types it: (day offset, start minute, minutes worked), on
# twelve days of late March 2026 (three ISO weeks, and the night clocks go forward), times
# on five-minute marks, a few minutes to eight hours long; some cross midnight or fall in
# the skipped hour, and are refused as such.
timed_shifts = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 287).map(lambda n: 5 * n), st.integers(1, 96).map(lambda n: 5 * n)),
    max_size=40,
)
TIMED_SHIFTS_FROM = date(2026, 3, 20)

# GE invoices: hours with up to 3 decimals, hourly rates HT in cents, VAT rates in basis
# points (None: exempt under CGI art. 261 B).
invoice_hours = st.integers(1, 744_000).map(lambda n: Decimal(n).scaleb(-3))
hourly_rates_cents = st.integers(1, 100_000)
vat_rates_bp = st.one_of(st.none(), st.sampled_from([550, 1000, 2000]), st.integers(1, 10_000))


@st.composite
def invoice_lines(draw, max_size: int = 8) -> list[tuple[Decimal, int]]:
    """(hours, rate_cents) of an invoice's lines, one per employee."""
    return draw(st.lists(st.tuples(invoice_hours, hourly_rates_cents), min_size=1, max_size=max_size))


@st.composite
def credit_amounts(draw, total_ht_cents: int) -> list[int]:
    """Partial credit notes on an invoice, each within what is left, leaving something."""
    amounts, left = [], total_ht_cents
    for _ in range(draw(st.integers(0, 4))):
        if left <= 1:
            break
        amount = draw(st.integers(1, left - 1))
        amounts.append(amount)
        left -= amount
    return amounts


# A tariff pool's year (domain/tariff_settlement.py): the months of 2026 with a pool, each its
# cost (up to 1 million euros) and each partner's units to the thousandth, and the unit price.
tariff_units = st.integers(0, 10**7).map(lambda n: Decimal(n).scaleb(-3))


@st.composite
def tariff_years(draw) -> tuple[Decimal, dict[str, tuple[int, dict[str, Decimal]]]]:
    partners = draw(partner_lists(1, 5))
    months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=12, unique=True))
    return draw(unit_prices), {
        f"2026-{m:02d}": (draw(st.integers(0, 10**8)), draw(st.dictionaries(st.sampled_from(partners), tariff_units)))
        for m in sorted(months)}
