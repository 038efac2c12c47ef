"""Splitting a cost pool among partners: the shares always sum exactly to the pool."""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.allocation import (
    Allocation,
    ShareLine,
    allocate,
    membership_days,
    split_largest_remainder,
)
from domain.errors import InvalidCommand
from domain.keys import AllocationKey, KeyPart
from domain.periods import month_bounds
from tests import strategies as s

ALL_MONTH = {p: [(date(2020, 1, 1), None)] for p in ("a", "b", "c", "d")}


# --- helpers -------------------------------------------------------------------------


def _shuffled(mapping: dict, rnd: random.Random) -> dict:
    items = list(mapping.items())
    rnd.shuffle(items)
    return dict(items)


def _shuffled_key(key: AllocationKey, rnd: random.Random) -> AllocationKey:
    def reorder(node: dict) -> dict:
        partners = list(node.get("partners", ()))
        rnd.shuffle(partners)
        return {**node, "weights": _shuffled(node.get("weights", {}), rnd), "partners": partners}

    data = key.model_dump()
    if key.method == "mixed":
        data["parts"] = [reorder(part) for part in data["parts"]]
    else:
        data = reorder(data)
    return AllocationKey.model_validate(data)


def _expected_basis(method, weights, partners, month, usage, memberships) -> dict[str, Fraction]:
    """The basis computed from the rules directly, independently of the module's code."""
    first, last = month_bounds(month)
    month_days = (last - first).days + 1

    def prorate(partner: str, weight) -> Fraction:
        days = membership_days(memberships.get(partner, ()), month)
        return Fraction(weight) * Fraction(days, month_days)

    if method == "usage":
        return {p: Fraction(u) for p, u in usage.items()}
    if method == "fixed":
        return {p: prorate(p, w) for p, w in weights.items()}
    return {p: prorate(p, 1) for p in partners}


def _simple_key(part: KeyPart) -> AllocationKey:
    return AllocationKey(method=part.method, weights=part.weights, partners=part.partners)


# --- properties, for every method -------------------------------------------------------


@given(s.allocation_cases())
def test_shares_sum_exactly_to_the_pool(case):
    """Whatever the method, the lines of an allocation add up to the pool, to the cent."""
    pool, key, month, usage, memberships = case
    result = allocate(pool, key, month, usage, memberships)
    assert sum(line.amount_cents for line in result.lines) == pool
    charged = sum(result.by_partner().values())
    assert charged + result.unallocated_cents + result.recovery_cents == pool


@given(s.allocation_cases())
def test_no_amount_is_negative_except_the_recovery_line(case):
    """Partners are never credited by a split; only the tariff recovery line may go negative."""
    result = allocate(*case)
    assert all(line.amount_cents >= 0 for line in result.lines if line.kind != "recovery")


@given(s.allocation_cases(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_partners_or_usage(case, rnd):
    """Shuffling usage, memberships, periods, weights and partner lists changes nothing."""
    pool, key, month, usage, memberships = case
    shuffled_memberships = {
        p: rnd.sample(periods, len(periods)) for p, periods in _shuffled(memberships, rnd).items()
    }
    shuffled = allocate(
        pool, _shuffled_key(key, rnd), month, _shuffled(usage, rnd), shuffled_memberships
    )
    assert shuffled == allocate(pool, key, month, usage, memberships)


@given(s.allocation_cases(methods=("usage", "fixed", "equal")))
def test_each_share_is_within_one_cent_of_its_exact_proportion(case):
    """A share differs from pool x basis / total basis by less than one cent."""
    pool, key, month, usage, memberships = case
    result = allocate(pool, key, month, usage, memberships)
    basis = _expected_basis(key.method, key.weights, key.partners, month, usage, memberships)
    total = sum(basis.values(), Fraction(0))
    if total == 0:
        assert result.lines == (ShareLine(None, "unallocated", pool, Fraction(0), Fraction(0)),)
        return
    shares = [line for line in result.lines if line.kind == "share"]
    assert {line.partner_id for line in shares} == set(basis)
    for line in shares:
        assert (line.basis, line.total_basis) == (basis[line.partner_id], total)
        assert abs(line.amount_cents - pool * line.ratio) < 1


@given(s.partner_lists(), s.months, s.pools)
def test_partners_with_equal_weights_differ_by_at_most_one_cent(partners, month, pool):
    """Under an equal key, members present all month get the same share give or take a cent."""
    key = AllocationKey(method="equal", partners=tuple(partners))
    memberships = {p: [(date(2000, 1, 1), None)] for p in partners}
    amounts = allocate(pool, key, month, {}, memberships).by_partner().values()
    assert max(amounts) - min(amounts) <= 1


@given(s.allocation_cases(methods=("mixed",)))
def test_a_mixed_key_equals_the_sum_of_its_parts(case):
    """Each part's share of the pool, allocated on its own, adds up to the mixed result."""
    pool, key, month, usage, memberships = case
    result = allocate(pool, key, month, usage, memberships)
    percents = {f"{i:03d}": part.percent for i, part in enumerate(key.parts)}
    amounts = split_largest_remainder(pool, percents)
    expected: dict[str, int] = {}
    unallocated = 0
    for i, part in enumerate(key.parts):
        amount = amounts[f"{i:03d}"]
        assert abs(amount - Fraction(pool * part.percent, 100)) < 1
        assert sum(line.amount_cents for line in result.lines if line.part == i) == amount
        alone = allocate(amount, _simple_key(part), month, usage, memberships)
        for partner, cents in alone.by_partner().items():
            expected[partner] = expected.get(partner, 0) + cents
        unallocated += alone.unallocated_cents
    assert result.by_partner() == expected
    assert result.unallocated_cents == unallocated


DECIMAL_UNITS = st.integers(0, 10**7).map(lambda n: Decimal(n).scaleb(-3))


@given(
    s.pools,
    s.unit_prices,
    s.partner_lists().flatmap(lambda ps: st.dictionaries(st.sampled_from(ps), DECIMAL_UNITS)),
)
def test_tariff_lines_plus_recovery_equal_the_pool(pool, price, usage):
    """Each partner pays units x price rounded half up; the recovery line closes the gap."""
    key = AllocationKey(method="tariff", unit_price_cents=price)
    result = allocate(pool, key, "2026-03", usage, {})
    tariffs = {line.partner_id: line.amount_cents for line in result.lines if line.kind == "tariff"}
    with localcontext() as ctx:
        ctx.prec = 50
        expected = {
            p: int((u * price).quantize(Decimal(1), ROUND_HALF_UP)) for p, u in usage.items()
        }
    assert tariffs == expected
    [recovery] = [line for line in result.lines if line.kind == "recovery"]
    assert recovery.partner_id is None
    assert sum(tariffs.values()) + recovery.amount_cents == pool


@given(
    s.pools,
    st.dictionaries(s.partner_ids, s.quantities, min_size=1).filter(lambda w: any(w.values())),
    st.randoms(use_true_random=False),
)
def test_largest_remainder_split_sums_to_the_pool_whatever_the_dict_order(pool, weights, rnd):
    """split_largest_remainder is exact, within a cent of pro rata and order-independent."""
    shares = split_largest_remainder(pool, weights)
    assert sum(shares.values()) == pool
    assert shares == split_largest_remainder(pool, _shuffled(weights, rnd))
    total = sum(map(Fraction, weights.values()), Fraction(0))
    for partner, weight in weights.items():
        assert abs(shares[partner] - pool * Fraction(weight) / total) < 1
        if weight == 0:
            assert shares[partner] == 0


# --- examples -------------------------------------------------------------------------


def test_100_cents_among_three_equal_partners_gives_the_extra_cent_to_the_smallest_id():
    """100 cents split equally among c, a, b gives a 34, b 33, c 33."""
    key = AllocationKey(method="equal", partners=("c", "a", "b"))
    result = allocate(100, key, "2026-03", {}, ALL_MONTH)
    assert result.by_partner() == {"a": 34, "b": 33, "c": 33}
    assert [line.partner_id for line in result.lines] == ["a", "b", "c"]
    assert all(line.ratio == Fraction(1, 3) for line in result.lines)


def test_a_partner_joining_on_the_16th_of_a_30_day_month_gets_half_its_weight():
    """April has 30 days: joining on the 16th means 15 days, half the weight."""
    key = AllocationKey(method="fixed", weights={"a": Decimal(1), "b": Decimal(1)})
    memberships = {"a": ALL_MONTH["a"], "b": [(date(2026, 4, 16), None)]}
    result = allocate(300, key, "2026-04", {}, memberships)
    assert result.by_partner() == {"a": 200, "b": 100}
    assert {line.partner_id: line.basis for line in result.lines} == {"a": 1, "b": Fraction(1, 2)}


def test_a_partner_leaving_mid_month_has_its_share_redistributed_to_the_others():
    """Equal key: a partner who left on the 10th of a 30-day month pays for a third of the month."""
    key = AllocationKey(method="equal", partners=("a", "b"))
    memberships = {"a": ALL_MONTH["a"], "b": [(date(2020, 1, 1), date(2026, 6, 10))]}
    result = allocate(400, key, "2026-06", {}, memberships)
    assert result.by_partner() == {"a": 300, "b": 100}


def test_a_partner_absent_from_the_memberships_gets_nothing():
    """No membership period means no days in the month, hence no share."""
    key = AllocationKey(method="fixed", weights={"a": Decimal(1), "z": Decimal(5)})
    result = allocate(1000, key, "2026-03", {}, {"a": ALL_MONTH["a"]})
    assert result.by_partner() == {"a": 1000, "z": 0}


def test_a_usage_key_with_no_usage_gives_one_unallocated_line_with_the_whole_pool():
    """The pool is reported as unallocated, not lost, when nobody used the resource."""
    result = allocate(12_345, AllocationKey(method="usage"), "2026-03", {"a": 0}, ALL_MONTH)
    assert result.lines == (ShareLine(None, "unallocated", 12_345, Fraction(0), Fraction(0)),)
    assert result.unallocated_cents == 12_345
    assert result.by_partner() == {}


def test_a_fixed_key_whose_partners_all_left_leaves_the_pool_unallocated():
    """If no weighted partner was a member that month, the whole pool is unallocated."""
    key = AllocationKey(method="fixed", weights={"a": Decimal(60), "b": Decimal(40)})
    result = allocate(500, key, "2026-03", {}, {"a": [(date(2025, 1, 1), date(2026, 2, 28))]})
    assert result.unallocated_cents == 500


def test_a_60_40_fixed_split():
    """60 % / 40 % of 10,01 € is 6,01 € and 4,00 €: 600.6 takes the leftover cent."""
    key = AllocationKey(method="fixed", weights={"b": Decimal(40), "a": Decimal(60)})
    result = allocate(1001, key, "2026-03", {}, ALL_MONTH)
    assert result.by_partner() == {"a": 601, "b": 400}
    assert [line.ratio for line in result.lines] == [Fraction(3, 5), Fraction(2, 5)]


def test_a_usage_key_splits_pro_rata_of_units():
    """3 h and 1.5 h of a 90 € pool give 60 € and 30 €."""
    usage = {"b": Decimal("1.5"), "a": 3}
    result = allocate(9000, AllocationKey(method="usage"), "2026-03", usage, {})
    assert result.by_partner() == {"a": 6000, "b": 3000}


def test_a_tariff_of_4_cents_a_page_shows_the_under_recovery():
    """1234 + 567 pages at 0,04 € recover 72,04 € of 80 €: 7,96 € are under-recovered."""
    key = AllocationKey(method="tariff", unit_price_cents=Decimal("4"))
    result = allocate(8000, key, "2026-03", {"a": 1234, "b": 567}, {})
    assert result.by_partner() == {"a": 4936, "b": 2268}
    assert result.recovery_cents == 796
    assert result.lines[-1] == ShareLine(None, "recovery", 796, Fraction(0), Fraction(1801))


def test_a_tariff_that_recovers_more_than_the_costs_shows_a_negative_recovery():
    """Tariffs above real costs give a negative (over-recovery) line."""
    key = AllocationKey(method="tariff", unit_price_cents=Decimal("4"))
    result = allocate(5000, key, "2026-03", {"a": 1234, "b": 567}, {})
    assert result.recovery_cents == -2204


def test_a_tariff_rounds_half_cents_up_and_always_shows_the_recovery_line():
    """3 pages at 3.5 cents is 10.5 cents, charged 11; a zero gap is still shown."""
    key = AllocationKey(method="tariff", unit_price_cents=Decimal("3.5"))
    result = allocate(11, key, "2026-03", {"a": 3}, {})
    amounts = [(line.kind, line.amount_cents) for line in result.lines]
    assert amounts == [("tariff", 11), ("recovery", 0)]


def test_a_mixed_key_splits_each_part_by_its_own_method():
    """70 % by fixed weights and 30 % by usage of a 1000-cent pool."""
    key = AllocationKey(
        method="mixed",
        parts=(
            KeyPart(method="fixed", percent=70, weights={"a": Decimal(1), "b": Decimal(1)}),
            KeyPart(method="usage", percent=30),
        ),
    )
    result = allocate(1000, key, "2026-03", {"b": 2, "c": 1}, ALL_MONTH)
    assert result.by_partner() == {"a": 350, "b": 350 + 200, "c": 100}
    assert [(line.part, line.partner_id) for line in result.lines] == [
        (0, "a"), (0, "b"), (1, "b"), (1, "c"),
    ]


def test_an_unallocated_mixed_part_is_reported_with_its_part_index():
    """With no usage, the usage part of a mixed key is unallocated, the fixed part is shared."""
    key = AllocationKey(
        method="mixed",
        parts=(
            KeyPart(method="usage", percent=25),
            KeyPart(method="equal", percent=75, partners=("a",)),
        ),
    )
    result = allocate(1000, key, "2026-03", {}, ALL_MONTH)
    assert result.lines[0] == ShareLine(None, "unallocated", 250, Fraction(0), Fraction(0), part=0)
    assert result.by_partner() == {"a": 750}


def test_a_zero_pool_keeps_the_lines_with_zero_amounts():
    """An empty pool still says who would have shared it."""
    key = AllocationKey(method="equal", partners=("a", "b"))
    result = allocate(0, key, "2026-03", {}, ALL_MONTH)
    assert result.by_partner() == {"a": 0, "b": 0}


def test_a_negative_pool_is_refused():
    """A pool is a sum of costs and cannot be negative."""
    with pytest.raises(InvalidCommand):
        allocate(-1, AllocationKey(method="usage"), "2026-03", {"a": 1}, {})


@pytest.mark.parametrize("usage", [{"a": -1}, {"a": 0.5}, {"a": Decimal("NaN")}])
def test_negative_non_finite_or_float_usage_is_refused(usage):
    """Usage must be a non-negative int, Decimal or Fraction: floats never enter money paths."""
    with pytest.raises(InvalidCommand):
        allocate(100, AllocationKey(method="usage"), "2026-03", usage, {})


def test_a_badly_written_month_is_refused():
    """Months are YYYY-MM."""
    with pytest.raises(InvalidCommand):
        allocate(100, AllocationKey(method="usage"), "2026-3", {"a": 1}, {})


def test_split_largest_remainder_breaks_ties_by_partner_id():
    """Equal remainders: the smallest id gets the cent, whatever the dict order."""
    assert split_largest_remainder(1, {"b": 1, "a": 1}) == {"a": 1, "b": 0}
    assert split_largest_remainder(2, {"b": 1, "c": 1, "a": 1}) == {"a": 1, "b": 1, "c": 0}


def test_split_largest_remainder_needs_a_positive_weight():
    """There is nobody to give the pool to when every weight is zero."""
    with pytest.raises(InvalidCommand):
        split_largest_remainder(100, {"a": 0})


def test_membership_days_count_inclusive_overlapping_periods_once():
    """Periods are inclusive, may be open, and overlapping days count once."""
    periods = [(date(2026, 2, 10), date(2026, 2, 20)), (date(2026, 2, 15), None)]
    assert membership_days(periods, "2026-02") == 19
    assert membership_days([(date(2026, 3, 1), None)], "2026-02") == 0
    assert membership_days([], "2026-02") == 0


def test_an_allocation_whose_lines_do_not_sum_to_the_pool_cannot_be_built():
    """The sum rule is enforced by Allocation itself."""
    with pytest.raises(ValueError):
        Allocation(10, (ShareLine("a", "share", 9, Fraction(1), Fraction(1)),))
