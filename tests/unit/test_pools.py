"""A pool's inputs -> its lines (domain.pools): which pools have lines, the key in force,
an unkeyed pool, zero lines, and tariff usage before its cost is recorded."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from domain.allocation import LINE_KIND_ORDER, allocate
from domain.keys import AllocationKey
from domain.pools import KeyVersion, PoolLine, key_in_force, pool_lines
from tests import strategies as s

ALL_MONTH = {"a": [(date(2020, 1, 1), None)], "b": [(date(2020, 1, 1), None)]}
USAGE = AllocationKey(method="usage")
TARIFF = AllocationKey(method="tariff", unit_price_cents=Decimal("4"))


@given(s.pool_cases())
def test_a_pool_s_lines_sum_exactly_to_its_cents(case):
    """Whatever the inputs, the lines of a pool sum to the pool, and a pool has no line only
    when no cost was recorded and no tariff is in force."""
    month, pool_cents, has_costs, versions, usage, memberships = case
    lines = pool_lines(*case)
    in_force = key_in_force(versions, month)
    if lines:
        assert sum(line.amount_cents for line in lines) == pool_cents
    else:
        assert not has_costs and (in_force is None or in_force.key.method != "tariff")


@given(s.pool_cases())
def test_every_line_names_the_key_version_in_force_or_the_pool_is_unallocated(case):
    """Lines carry the version and method in force; with none, one `unallocated` line holds
    the whole pool."""
    month, pool_cents, has_costs, versions, usage, memberships = case
    lines = pool_lines(*case)
    in_force = key_in_force(versions, month)
    if in_force is None:
        assert lines in ((), (PoolLine(None, "unallocated", None, None, "none", None,
                                       Fraction(0), Fraction(0), pool_cents),))
    else:
        assert all(line.key_version == in_force.version and line.method == in_force.key.method
                   for line in lines)


@given(s.pool_cases())
def test_no_partner_has_a_line_with_neither_basis_nor_cents(case):
    """A partner that was not a member and used nothing gets no line; every other line of
    the split is kept, in the split's order."""
    month, pool_cents, has_costs, versions, usage, memberships = case
    lines = pool_lines(*case)
    assert not any(line.partner_id is not None and line.basis == 0 and line.amount_cents == 0
                   for line in lines)
    in_force = key_in_force(versions, month)
    if lines and in_force is not None:
        split = allocate(pool_cents, in_force.key, month, usage, memberships).lines
        kept = [(l.partner_id, l.kind, l.part, l.amount_cents) for l in split
                if l.partner_id is None or l.basis or l.amount_cents]
        assert [(l.partner_id, l.kind, l.part, l.amount_cents) for l in lines] == kept


@given(s.pool_cases(), st.randoms(use_true_random=False))
def test_the_key_in_force_is_the_latest_applying_by_the_month_whatever_the_order(case, rnd):
    """Latest `applies_from` on or before the month; of two from the same month, the later
    version; the order the versions are listed in does not matter."""
    month, _, _, versions, _, _ = case
    shuffled = list(versions)
    rnd.shuffle(shuffled)
    in_force = key_in_force(shuffled, month)
    applying = [k for k in versions if k.applies_from <= month]
    if not applying:
        assert in_force is None
    else:
        latest = max(k.applies_from for k in applying)
        assert in_force == max((k for k in applying if k.applies_from == latest), key=lambda k: k.version)


def test_tariff_usage_without_a_recorded_cost_is_charged_and_shows_the_over_recovery():
    """1234 + 567 pages at 4 cents before the invoice is in: 49.36 € and 22.68 € charged,
    and a recovery line of -72.04 € (over-recovery until the cost arrives)."""
    lines = pool_lines("2026-03", 0, False, [KeyVersion(1, "2026-01", TARIFF)], {"a": 1234, "b": 567}, {})
    assert [(l.partner_id, l.kind, l.amount_cents) for l in lines] == [
        ("a", "tariff", 4936), ("b", "tariff", 2268), (None, "recovery", -7204)]
    assert {l.basis_kind for l in lines} == {"tariff"}


def test_usage_without_a_recorded_cost_under_another_key_has_no_line():
    """A usage key has nothing to split before a cost is recorded."""
    assert pool_lines("2026-03", 0, False, [KeyVersion(1, "2026-01", USAGE)], {"a": 3}, {}) == ()


def test_a_pool_with_costs_and_no_key_in_force_is_one_unallocated_line():
    """The key applies from April: March's 80 € are unallocated, with basis kind `none`."""
    lines = pool_lines("2026-03", 8000, True, [KeyVersion(1, "2026-04", USAGE)], {"a": 3}, {})
    assert lines == (PoolLine(None, "unallocated", None, None, "none", None, Fraction(0), Fraction(0), 8000),)


def test_of_two_versions_applying_from_the_same_month_the_later_is_in_force():
    """Version 2 set after version 1, both from March: version 2 splits March."""
    versions = [KeyVersion(2, "2026-03", AllocationKey(method="equal", partners=("a", "b"))),
                KeyVersion(1, "2026-03", USAGE)]
    lines = pool_lines("2026-03", 100, True, versions, {"a": 3}, ALL_MONTH)
    assert [(l.partner_id, l.amount_cents, l.key_version, l.basis_kind) for l in lines] == [
        ("a", 50, 2, "equal"), ("b", 50, 2, "equal")]


def test_a_listed_partner_that_was_not_a_member_has_no_line():
    """An equal key listing a, b and c; c was never a member: only a and b have lines."""
    key = AllocationKey(method="equal", partners=("a", "b", "c"))
    lines = pool_lines("2026-03", 101, True, [KeyVersion(1, "2026-01", key)], {}, ALL_MONTH)
    assert [(l.partner_id, l.amount_cents) for l in lines] == [("a", 51), ("b", 50)]


def test_a_pool_whose_costs_were_all_cancelled_keeps_its_lines_at_zero():
    """Cancelled costs still make a pool: each user's line stays, at 0 cents."""
    lines = pool_lines("2026-03", 0, True, [KeyVersion(1, "2026-01", USAGE)], {"a": 2, "b": 1}, {})
    assert [(l.partner_id, l.amount_cents, l.basis) for l in lines] == [("a", 0, 2), ("b", 0, 1)]


def test_line_kinds_are_ordered_shares_then_tariffs_then_what_nobody_was_charged():
    """The one order of line kinds that statements and splits share."""
    assert sorted(LINE_KIND_ORDER, key=LINE_KIND_ORDER.get) == ["share", "tariff", "unallocated", "recovery"]


def test_the_order_of_key_versions_given_does_not_change_the_lines():
    """Versions come from the store in any order."""
    versions = [KeyVersion(1, "2026-01", USAGE), KeyVersion(2, "2026-02", TARIFF),
                KeyVersion(3, "2026-04", USAGE)]
    expected = pool_lines("2026-03", 500, True, versions, {"a": 10, "b": 20}, {})
    rnd = random.Random(4)
    for _ in range(5):
        rnd.shuffle(versions)
        assert pool_lines("2026-03", 500, True, versions, {"a": 10, "b": 20}, {}) == expected
    assert {l.key_version for l in expected} == {2}
