"""A tariff pool's year settlement: what a resource billed at a unit price recovered of its
real costs over a year, settled with the partners so that the pool's result is zero.

A resource under a `tariff` key charges each partner its units × the unit price
(domain/allocation.py); the gap to the resource's real costs shows on the statements as a
`recovery` line that nobody bears. A convention may settle it at year end: this is the
case of a service commun mis à disposition, whose reimbursement is a unit cost of
operation (set from the last administrative accounts, updated by the year's budget)
multiplied by the units of operation recorded, on a yearly statement of the uses of the
service converted into units (CGCT art. D5211-16). Settling to the actual cost is an
option the coordinator chooses to issue.

The rule is the GE's year-end regularisation (domain/regularisation.py): a pool with one
"employee", the resource, and no running costs. Over the months of the year under a
tariff key, the resource's costs are split among the partners by their units of those
months (largest remainder), less what the tariff charged them and what an earlier
settlement of the year already settled; the differences sum exactly to the costs less
all that was charged and settled, so that after them the pool's result for the year is
zero to the cent (unless nobody used the resource: its costs are then shown, never charged).

Each partner's difference is a `settlement` line of its statement for the month the
coordinator names (open, the year's last month or later): positive, it owes more; negative,
it is refunded. A late cost is settled by settling again: only the new difference goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import singledispatch
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import Command
from domain.errors import FieldValueError, RuleViolation
from domain.events import DomainEvent
from domain.ids import Slug, aggregate_id
from domain.money import MAX_AMOUNT_CENTS
from domain.periods import Month
from domain.pools import key_in_force
from domain.regularisation import PoolYear, YearRegularisation, regularise
from domain.resources import Resource

Units = Annotated[Decimal, Field(ge=0, le=10**12, decimal_places=3)]
CentsOrZero = Annotated[int, Field(ge=0, le=MAX_AMOUNT_CENTS, strict=True)]
SignedCents = Annotated[int, Field(ge=-MAX_AMOUNT_CENTS, le=MAX_AMOUNT_CENTS, strict=True)]
Year = Annotated[int, Field(ge=2000, le=2100, strict=True)]


def year_months(year: int) -> list[str]:
    return [f"{year:04d}-{m:02d}" for m in range(1, 13)]


def tariff_months(resource: Resource, year: int) -> list[str]:
    """The months of the year whose key in force is a tariff."""
    months = []
    for month in year_months(year):
        version = key_in_force(resource.keys, month)
        if version is not None and version.key.method == "tariff":
            months.append(month)
    return months


class PartnerYearIn(BaseModel):
    """A partner's year of a tariff pool, as the use case read it (application/tariff_settlement.py):
    its units of the tariff months, what the tariff charged it, what earlier settlements settled."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partner_id: Slug
    units: Units
    charged_cents: CentsOrZero
    settled_cents: SignedCents = 0


class PartnerSettled(BaseModel):
    """One partner's line of the yearly statement of uses: its units, its share of the year's
    costs (exact, to the millionth of a cent, and in cents by largest remainder), what the
    tariff charged it, what was settled before, and the amount now settled."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partner_id: Slug
    units: Units
    exact_share_cents: Decimal
    share_cents: CentsOrZero
    leftover_cent: bool
    charged_cents: CentsOrZero
    settled_before_cents: SignedCents
    amount_cents: SignedCents


class TariffYearSettled(DomainEvent):
    resource_id: Slug
    year: int
    month: Month
    as_of_position: int
    tariff_months: tuple[Month, ...]
    costs_cents: int
    total_units: Decimal
    partners: tuple[PartnerSettled, ...]


class SettleTariffYear(Command):
    """Settle a tariff pool's year in an open month, from the figures the projections read at
    `as_of_position`, when the resource held `settlements_seen` settlements."""

    records = (TariffYearSettled,)
    resource_id: Slug
    year: Year
    month: Month
    as_of_position: Annotated[int, Field(ge=0)]
    settlements_seen: Annotated[int, Field(ge=0)]
    costs_cents: CentsOrZero
    partners: tuple[PartnerYearIn, ...]

    @model_validator(mode="after")
    def _partners_once(self) -> SettleTariffYear:
        ids = [p.partner_id for p in self.partners]
        if len(set(ids)) != len(ids):
            raise FieldValueError("a partner is listed twice", field="partners")
        return self


def settle(resource_id: str, year: int, costs_cents: int, partners: tuple[PartnerYearIn, ...]) -> YearRegularisation:
    """The year's settlement: the GE's rule with the resource as its one pool."""
    units = {p.partner_id: p.units for p in partners}
    billed = {p.partner_id: p.charged_cents + p.settled_cents for p in partners}
    return regularise(year, [PoolYear(resource_id, costs_cents, units)], 0, billed)


@dataclass(frozen=True)
class SettlementBook:
    """A resource's settlements: the (year, month) of each, in order."""

    id: UUID
    version: int
    resource_id: str
    settled: tuple[tuple[int, str], ...]


def settlement_book_aggregate_id(resource_id: str) -> UUID:
    return aggregate_id("tariff-settlements", resource_id)


def settle_year(book: SettlementBook | None, cmd: SettleTariffYear, resource: Resource,
                closed_months: tuple[str, ...], stamp: Stamp) -> TariffYearSettled:
    """The settlement event, once the year, the month and the figures pass every rule."""
    months = tariff_months(resource, cmd.year)
    if not months:
        raise RuleViolation(f"{resource.label} has no tariff key in {cmd.year}: there is nothing to settle",
                            field="year")
    if cmd.month < f"{cmd.year:04d}-12":
        raise RuleViolation(f"the year {cmd.year} is settled in its last month or later, not in {cmd.month}",
                            field="month")
    if closed_months and cmd.month <= closed_months[-1]:
        raise RuleViolation(f"month {cmd.month} is closed (closed up to {closed_months[-1]}): "
                            "a settlement goes on an open month's statements", field="month")
    settled = book.settled if book else ()
    if len(settled) != cmd.settlements_seen:
        raise RuleViolation(f"{len(settled) - cmd.settlements_seen} settlement(s) of {resource.label} were issued "
                            f"since the year {cmd.year} was read: read it again", field="settlements_seen")
    if any(month == cmd.month for _, month in settled):
        raise RuleViolation(f"{resource.label} already has a settlement on the statements of {cmd.month}: "
                            "settle again in a later month", field="month")
    year = settle(cmd.resource_id, cmd.year, cmd.costs_cents, cmd.partners)
    if not any(m.difference_cents for m in year.members):
        raise RuleViolation(f"what the tariff of {resource.label} charged for {cmd.year} (with what was settled "
                            "before) is its real cost: nothing to settle", field="year")
    split = year.pool_splits.get(cmd.resource_id)
    given = {p.partner_id: p for p in cmd.partners}
    lines = []
    for member in year.members:
        share = split.shares.get(member.partner_id) if split else None
        partner = given.get(member.partner_id)
        lines.append(PartnerSettled(
            partner_id=member.partner_id, units=member.units,
            exact_share_cents=round(Decimal(share.exact.numerator) / Decimal(share.exact.denominator), 6)
            if share else Decimal(0),
            share_cents=share.cents if share else 0, leftover_cent=share.leftover_cent if share else False,
            charged_cents=partner.charged_cents if partner else 0,
            settled_before_cents=partner.settled_cents if partner else 0, amount_cents=member.difference_cents))
    fields = dict(resource_id=cmd.resource_id, year=cmd.year, month=cmd.month, as_of_position=cmd.as_of_position,
                  tariff_months=tuple(months), costs_cents=cmd.costs_cents,
                  total_units=sum((p.units for p in cmd.partners), Decimal(0)), partners=tuple(lines))
    if book is None:
        return first_event(TariffYearSettled, settlement_book_aggregate_id(cmd.resource_id), stamp, **fields)
    return next_event(book, TariffYearSettled, stamp, **fields)


@singledispatch
def evolve(event: DomainEvent, state: SettlementBook | None) -> SettlementBook:
    raise TypeError(f"a settlement book does not take {type(event).__name__}")


@evolve.register
def _(event: TariffYearSettled, state: SettlementBook | None) -> SettlementBook:
    settled = state.settled if state else ()
    return SettlementBook(event.originator_id, event.originator_version, event.resource_id,
                          (*settled, (event.year, event.month)))


project_settlement_book = projector(evolve)
