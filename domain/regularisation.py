"""A GE's year-end regularisation: what each member owes at real cost, against what it was
billed at the provisional rate, so that the GE's result for the year is exactly zero.

A GE bills during the year at a provisional rate (gross pay × the board's coefficient); once
the year's actual costs are known it settles with each member (the non-profit rule its VAT
exemption rests on, CGI art. 261 B). The real cost a member owes is:

- for each employee, the employee's actual costs of the year (pay, employer charges,
  paid-leave provision: the costs recorded on the employee's resource for the year's
  months), split among the members by their hours with that employee;
- the GE's own running costs of the year (the costs recorded on the resources its profile
  names as running costs), split among the members by all their hours.

Every split is the largest-remainder split (domain.allocation), so the members' real costs
sum exactly to the year's costs. A member's regularisation is its real cost less what it
was billed for the year (invoices less credit notes, HT, including an earlier
regularisation of the year): positive, a complementary invoice; negative, a credit note.
The regularisations therefore sum exactly to the year's costs less all that was billed, and
after them the year's result is zero to the cent. A regularisation issued and then followed
by a late cost is settled by regularising again: only the new difference is issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

from domain.allocation import split_largest_remainder


@dataclass(frozen=True)
class EmployeeYear:
    """An employee's year: its actual costs and each member's hours with it."""

    employee_id: str
    cost_cents: int
    hours: Mapping[str, Decimal]


@dataclass(frozen=True)
class MemberRegularisation:
    """One member's year: its real cost, line by line, what it was billed, the difference."""

    partner_id: str
    employee_shares: dict[str, int]  # employee -> share of its actual costs
    running_cost_share: int
    billed_cents: int
    hours: Decimal = Decimal(0)

    @property
    def real_cost_cents(self) -> int:
        return sum(self.employee_shares.values()) + self.running_cost_share

    @property
    def difference_cents(self) -> int:
        """Owed by the member (> 0: a complementary invoice) or to it (< 0: a credit note)."""
        return self.real_cost_cents - self.billed_cents


@dataclass(frozen=True)
class YearRegularisation:
    year: int
    members: tuple[MemberRegularisation, ...]
    costs_cents: int  # employees' and running costs of the year
    billed_cents: int
    # Costs no member's hours can carry (an employee without hours that year): shown, never
    # charged, so that nothing is hidden in a split.
    unshared_cents: int

    @property
    def difference_cents(self) -> int:
        return sum(m.difference_cents for m in self.members)

    @property
    def result_after_cents(self) -> int:
        """The GE's result for the year once every member's difference is issued: zero when
        every cost was shared (and `unshared_cents` otherwise)."""
        return self.costs_cents - (self.billed_cents + self.difference_cents)


def regularise(year: int, employees: list[EmployeeYear], running_costs_cents: int,
               billed: Mapping[str, int]) -> YearRegularisation:
    """Each member's real cost of the year against what it was billed (see the module)."""
    shares: dict[str, dict[str, int]] = {}
    all_hours: dict[str, Decimal] = {}
    unshared = 0
    for employee in employees:
        hours = {p: h for p, h in employee.hours.items() if h > 0}
        for partner, h in hours.items():
            all_hours[partner] = all_hours.get(partner, Decimal(0)) + h
        if not hours:
            unshared += employee.cost_cents
            continue
        for partner, cents in split_largest_remainder(employee.cost_cents, hours).items():
            shares.setdefault(partner, {})[employee.employee_id] = cents
    running = split_largest_remainder(running_costs_cents, all_hours) if all_hours else {}
    if not all_hours:
        unshared += running_costs_cents
    members = tuple(
        MemberRegularisation(partner, shares.get(partner, {}), running.get(partner, 0), billed.get(partner, 0),
                             all_hours.get(partner, Decimal(0)))
        for partner in sorted(set(all_hours) | set(billed))
    )
    costs = sum(e.cost_cents for e in employees) + running_costs_cents
    return YearRegularisation(year, members, costs, sum(billed.values()), unshared)
