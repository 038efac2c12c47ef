"""A tariff pool's year settlement (domain/tariff_settlement.py): given the resource and its
settlements, when the year is settled, then the event or the refusal naming its field; and as
properties over months split by `allocate` — after settlement the pool's result for the year
is zero to the cent, the amounts summing to its costs less what the tariff charged."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given

from domain.aggregate import Stamp
from domain.allocation import allocate
from domain.errors import RuleViolation
from domain.keys import AllocationKey
from domain.pools import KeyVersion
from domain.resources import Resource
from domain.tariff_settlement import (PartnerYearIn, SettleTariffYear, evolve, settle, settle_year,
                                      tariff_months)
from tests.strategies import tariff_years

STAMP = Stamp("coordinator@test", datetime(2026, 12, 20, tzinfo=timezone.utc))
TARIFF = AllocationKey(method="tariff", unit_price_cents=Decimal(4))
# The copier of tests/settlement_fixtures.py: 90,00 € of costs, 1 500 and 700 pages.
PARTNERS = (PartnerYearIn(partner_id="creche-a", units=Decimal(1500), charged_cents=6_000),
            PartnerYearIn(partner_id="club-b", units=Decimal(700), charged_cents=2_800))


def copier(*keys: tuple[str, AllocationKey]) -> Resource:
    return Resource(uuid4(), 1, "copieur", "Copieur", "equipment", "page", 1, None,
                    tuple(KeyVersion(i + 1, applies_from, key) for i, (applies_from, key) in enumerate(keys)))


def command(**changes) -> SettleTariffYear:
    fields = dict(resource_id="copieur", year=2026, month="2026-12", as_of_position=14, settlements_seen=0,
                  costs_cents=9_000, partners=PARTNERS)
    return SettleTariffYear(**(fields | changes))


def test_the_copiers_year_settled_by_hand() -> None:
    """Shares 6 136 / 2 864 cents (the leftover cent to the club's remainder ,636): the crèche
    owes 1,36 €, the club 0,64 €, the 2,00 € the tariff did not recover."""
    event = settle_year(None, command(), copier(("2026-01", TARIFF)), ("2026-10",), STAMP)
    lines = {p.partner_id: (p.units, p.exact_share_cents, p.share_cents, p.leftover_cent, p.charged_cents,
                            p.amount_cents) for p in event.partners}
    assert lines == {
        "creche-a": (Decimal(1500), Decimal("6136.363636"), 6_136, False, 6_000, 136),
        "club-b": (Decimal(700), Decimal("2863.636364"), 2_864, True, 2_800, 64),
    }
    assert (event.month, event.costs_cents, event.total_units) == ("2026-12", 9_000, Decimal(2200))
    assert event.tariff_months == tuple(f"2026-{m:02d}" for m in range(1, 13))


def test_a_late_cost_settled_again_gives_only_the_new_difference() -> None:
    """After the first settlement, 1,10 € more of costs: 75 and 35 cents (1 500 and 700 of 2 200)."""
    book = evolve(settle_year(None, command(), copier(("2026-01", TARIFF)), (), STAMP), None)
    again = tuple(p.model_copy(update={"settled_cents": s}) for p, s in zip(PARTNERS, (136, 64)))
    event = settle_year(book, command(month="2027-01", settlements_seen=1, costs_cents=9_110, partners=again),
                        copier(("2026-01", TARIFF)), (), STAMP)
    assert {p.partner_id: p.amount_cents for p in event.partners} == {"creche-a": 75, "club-b": 35}
    assert event.originator_version == 2


@pytest.mark.parametrize(("resource", "changes", "closed", "field", "words"), [
    (copier(("2026-01", AllocationKey(method="usage"))), {}, (), "year", "no tariff key in 2026"),
    (copier(("2027-01", TARIFF)), {}, (), "year", "no tariff key in 2026"),
    (copier(("2026-01", TARIFF)), {"month": "2026-11"}, (), "month", "in its last month or later"),
    (copier(("2026-01", TARIFF)), {}, ("2026-12",), "month", "month 2026-12 is closed"),
    (copier(("2026-01", TARIFF)), {"settlements_seen": 1}, (), "settlements_seen", "read it again"),
    (copier(("2026-01", TARIFF)), {"costs_cents": 8_800}, (), "year", "nothing to settle"),
])
def test_each_refusal_names_its_field(resource, changes, closed, field, words) -> None:
    """A key that is not a tariff that year, a month before December, a closed month, a
    settlement issued since the read, a tariff that recovered exactly its cost."""
    with pytest.raises(RuleViolation, match=words) as refused:
        settle_year(None, command(**changes), resource, closed, STAMP)
    assert refused.value.field == field


def test_a_second_settlement_on_the_same_months_statements_is_refused() -> None:
    """Each settlement is one line per partner and month: the next goes on a later month."""
    book = evolve(settle_year(None, command(), copier(("2026-01", TARIFF)), (), STAMP), None)
    with pytest.raises(RuleViolation, match="settle again in a later month") as refused:
        settle_year(book, command(settlements_seen=1, costs_cents=9_110), copier(("2026-01", TARIFF)), (), STAMP)
    assert refused.value.field == "month"


def test_the_tariff_months_are_those_whose_key_in_force_is_a_tariff() -> None:
    """A tariff from March, a usage key from October: March to September."""
    resource = copier(("2026-01", AllocationKey(method="usage")), ("2026-03", TARIFF),
                      ("2026-10", AllocationKey(method="usage")))
    assert tariff_months(resource, 2026) == [f"2026-{m:02d}" for m in range(3, 10)]


def _year_as_the_statements_charge_it(price: Decimal, months: dict) -> tuple[int, int, dict, dict]:
    """The year's costs, tariff lines and units summed month by month from `allocate`, and its recovery lines."""
    costs = recovery = 0
    units: dict[str, Decimal] = {}
    charged: dict[str, int] = {}
    for month, (pool, usage) in months.items():
        allocation = allocate(pool, AllocationKey(method="tariff", unit_price_cents=price), month, usage, {})
        costs += pool
        recovery += allocation.recovery_cents
        for line in allocation.lines:
            if line.kind == "tariff":
                charged[line.partner_id] = charged.get(line.partner_id, 0) + line.amount_cents
                units[line.partner_id] = units.get(line.partner_id, Decimal(0)) + usage[line.partner_id]
    return costs, recovery, units, charged


@given(tariff_years())
def test_after_settlement_the_pools_year_result_is_zero_to_the_cent(case) -> None:
    """Whatever the months, costs, units and price: the amounts settled sum to the costs less
    what the tariff charged (the year's recovery lines), so the pool's result is zero once some
    partner used it; with no units at all, nothing is settled and the costs stay visible."""
    price, months = case
    costs, recovery, units, charged = _year_as_the_statements_charge_it(price, months)
    partners = tuple(PartnerYearIn(partner_id=p, units=units[p], charged_cents=charged[p]) for p in sorted(units))
    year = settle("copieur", 2026, costs, partners)
    settled = sum(m.difference_cents for m in year.members)
    assert costs - sum(charged.values()) == recovery
    if any(u > 0 for u in units.values()):
        assert settled == recovery
        assert recovery - settled == year.result_after_cents == 0
    else:
        assert settled == -sum(charged.values()) == 0
        assert year.unshared_cents == costs


@given(tariff_years(), tariff_years())
def test_settling_again_after_late_figures_issues_only_the_new_difference(first, late) -> None:
    """A first settlement, then more months' figures: the second settles only what moved, and
    the two together leave the year's result at zero."""
    price, months = first
    costs, _, units, charged = _year_as_the_statements_charge_it(price, months)
    partners = tuple(PartnerYearIn(partner_id=p, units=units[p], charged_cents=charged[p]) for p in sorted(units))
    before = {m.partner_id: m.difference_cents for m in settle("copieur", 2026, costs, partners).members}
    more = {m: v for m, v in late[1].items() if m not in months}
    costs2, _, units2, charged2 = _year_as_the_statements_charge_it(price, months | more)
    again = tuple(PartnerYearIn(partner_id=p, units=units2.get(p, Decimal(0)), charged_cents=charged2.get(p, 0),
                                settled_cents=before.get(p, 0)) for p in sorted(set(units2) | set(before)))
    year = settle("copieur", 2026, costs2, again)
    if any(u > 0 for u in units2.values()):
        assert sum(before.values()) + year.difference_cents == costs2 - sum(charged2.values())
