"""The year-end regularisation (domain/regularisation.py): worked out by hand on a small GE,
and as properties — after it the year's result is zero to the cent, and the credit notes
and complementary invoices sum to the difference."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, strategies as st

from domain.regularisation import PoolYear, regularise
from tests.strategies import partner_lists

HOURS = st.integers(0, 200_000).map(lambda n: Decimal(n).scaleb(-2))


def test_a_small_ge_regularised_by_hand() -> None:
    """Anne cost 30 000,00 € (crèche 600 h, club 400 h), Paul 10 000,00 € (club 500 h), running
    costs 3 000,00 € over 1 500 h; billed 20 000,00 € to the crèche and 21 000,00 € to the club.
    Real costs: crèche 18 000 + 1 200 = 19 200 €, club 12 000 + 10 000 + 1 800 = 23 800 €: a
    credit note of 800 € to the crèche, a complementary invoice of 2 800 € to the club."""
    year = regularise(2026, [PoolYear("anne", 3_000_000, {"creche": Decimal(600), "club": Decimal(400)}),
                             PoolYear("paul", 1_000_000, {"club": Decimal(500)})],
                      300_000, {"creche": 2_000_000, "club": 2_100_000})
    by_member = {m.partner_id: (m.real_cost_cents, m.difference_cents) for m in year.members}
    assert by_member == {"creche": (1_920_000, -80_000), "club": (2_380_000, 280_000)}
    assert (year.costs_cents, year.billed_cents, year.difference_cents, year.result_after_cents) == (
        4_300_000, 4_100_000, 200_000, 0)


def test_an_employee_without_hours_is_shown_not_charged() -> None:
    """Costs with no hours to carry them stay the GE's, visibly (`unshared_cents`)."""
    year = regularise(2026, [PoolYear("anne", 50_000, {}), PoolYear("paul", 10_000, {"club": Decimal(1)})],
                      0, {"club": 9_000})
    assert (year.unshared_cents, year.difference_cents, year.result_after_cents) == (50_000, 1_000, 50_000)


@st.composite
def years(draw):
    members = draw(partner_lists(1, 6))
    employees = [PoolYear(f"e{i}", draw(st.integers(0, 10**8)),
                              draw(st.dictionaries(st.sampled_from(members), HOURS, min_size=1)))
                 for i in range(draw(st.integers(1, 5)))]
    billed = draw(st.dictionaries(st.sampled_from(members), st.integers(0, 10**8)))
    return employees, draw(st.integers(0, 10**7)), billed


@given(years())
def test_after_regularisation_the_years_result_is_zero_to_the_cent(year_inputs) -> None:
    """Whatever the costs, hours and billing: costs = billed + regularisations + what no hour
    carries; with every cost carried, the result is exactly zero."""
    employees, running, billed = year_inputs
    year = regularise(2026, employees, running, billed)
    assert year.costs_cents == year.billed_cents + year.difference_cents + year.unshared_cents
    assert year.result_after_cents == year.unshared_cents
    if all(any(h > 0 for h in e.units.values()) for e in employees):
        assert year.result_after_cents == 0


@given(years())
def test_credit_notes_and_complementary_invoices_sum_to_the_difference(year_inputs) -> None:
    """The members' credit notes (negative) and complementary invoices (positive) add up to
    the year's costs carried by hours less all that was billed, and each member's real cost
    is the sum of its shares."""
    employees, running, billed = year_inputs
    year = regularise(2026, employees, running, billed)
    credit_notes = sum(-m.difference_cents for m in year.members if m.difference_cents < 0)
    complements = sum(m.difference_cents for m in year.members if m.difference_cents > 0)
    assert complements - credit_notes == year.costs_cents - year.unshared_cents - year.billed_cents
    for member in year.members:
        assert member.real_cost_cents == sum(member.pool_shares.values()) + member.running_cost_share
        assert member.difference_cents == member.real_cost_cents - billed.get(member.partner_id, 0)
