"""The share of a GE employee's working time that local-authority members may use.

C. trav. L1253-20 (as amended by loi n° 2016-1888 of 28 December 2016, art. 49): the time
each employee spends on tasks for the local authorities that are members cannot exceed,
over the calendar year, three quarters of the contractual or conventional working time (or
else the legal one), computed over the year. Before 2017 the limit was half of it, hence a
setting (`Settings.local_authority_share`), and a mode: refuse the hours that would pass it,
or record them and show the excess (`local_authority_cap_refuses`).

The year's contractual time is each month's contractual weekly hours at the rate of a full
time year: 1 607 h for 35 h a week (the annual reference of C. trav. L3121-41 and L3121-44),
so 1 607 / 35 / 12 h a month per contractual weekly hour; a month with no contract in force
counts nothing. Computed exactly (fractions), shown to the hundredth.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Iterable

from domain.errors import LocalAuthorityCapExceeded

FULL_TIME_WEEKLY_HOURS = 35
FULL_TIME_YEARLY_HOURS = 1607


@dataclass(frozen=True)
class LocalAuthorityCap:
    share: Decimal = Decimal("0.75")
    refuses: bool = True


def yearly_contract_hours(monthly_weekly_hours: Iterable[Decimal | None]) -> Fraction:
    """The year's contractual hours from the weekly hours in force each month (None: no
    contract that month)."""
    return sum((Fraction(w) * FULL_TIME_YEARLY_HOURS / FULL_TIME_WEEKLY_HOURS / 12
                for w in monthly_weekly_hours if w is not None), Fraction(0))


def cap_hours(cap: LocalAuthorityCap, contract_hours: Fraction) -> Fraction:
    return Fraction(cap.share) * contract_hours


def _h(value: Fraction | Decimal) -> str:
    return f"{float(value):.2f} h"


def check_cap(cap: LocalAuthorityCap, employee_name: str, year: int, already: Decimal, hours: Decimal,
              contract_hours: Fraction, field: str) -> None:
    """Refuse hours for local-authority members that would pass the year's cap."""
    limit = cap_hours(cap, contract_hours)
    if cap.refuses and Fraction(already + hours) > limit:
        raise LocalAuthorityCapExceeded(
            f"employee '{employee_name}' would work {_h(already + hours)} in {year} for local-authority "
            f"members, above {cap.share.normalize()} of the year's {_h(contract_hours)} of contract "
            f"({_h(limit)}, C. trav. L1253-20): {_h(already)} already logged + {_h(hours)}",
            field=field)
