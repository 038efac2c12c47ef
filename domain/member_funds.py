"""What a GE member pays besides its invoices: its yearly membership fee and the deposit it
leaves with the GE, returned when it leaves.

GEs usually ask each member a yearly fee (cotisation, set by the general assembly) and a
deposit (dépôt de garantie) that covers its unpaid invoices and its part of the GE's debts
(for which members are jointly liable, C. trav. L1253-8): a fixed amount, or a number of
months of the member's forecast billing. The deposit is held until the member leaves, then
returned (less what it owes, which the coordinator states in the return's amount). Neither
is a sale: no VAT, and neither is numbered with the invoices.

One aggregate per member holds its fees and deposit, so that a year's fee is called once and
a return never exceeds what is held.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import singledispatch
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import Command
from domain.errors import FieldValueError, RuleViolation
from domain.events import DomainEvent
from domain.ids import Slug, aggregate_id
from domain.money import MAX_AMOUNT_CENTS, Cents
from domain.partners import Partner
from domain.periods import Day
from domain.text import StoredText, Text

Year = Annotated[int, Field(ge=2000, le=2100, strict=True)]
Months = Annotated[Decimal, Field(gt=0, le=24, decimal_places=2)]


class MembershipFeeCalled(DomainEvent):
    partner_id: Slug
    year: int
    amount_cents: int


class DepositCalled(DomainEvent):
    partner_id: Slug
    amount_cents: int
    # How it was set: an amount, or `months` × `monthly_forecast_cents` (half up to the cent).
    months: Decimal | None
    monthly_forecast_cents: int | None


class DepositReturned(DomainEvent):
    partner_id: Slug
    amount_cents: int
    returned_on: date
    reason: StoredText


class CallMembershipFee(Command):
    records = (MembershipFeeCalled,)
    command: Literal["call_membership_fee"] = "call_membership_fee"
    partner_id: Slug
    year: Year
    amount_cents: Cents


class CallDeposit(Command):
    """A deposit of `amount_cents`, or of `months` of the member's forecast billing."""

    records = (DepositCalled,)
    command: Literal["call_deposit"] = "call_deposit"
    partner_id: Slug
    amount_cents: Cents | None = None
    months: Months | None = None
    monthly_forecast_cents: Cents | None = None

    @model_validator(mode="after")
    def _amount_or_months(self) -> CallDeposit:
        if (self.amount_cents is None) == (self.months is None):
            raise FieldValueError("a deposit is an amount (amount_cents) or months of forecast billing "
                                  "(months and monthly_forecast_cents), not both nor neither", field="amount_cents")
        if (self.months is None) != (self.monthly_forecast_cents is None):
            raise FieldValueError("months of forecast billing need the forecast of a month "
                                  "(monthly_forecast_cents)", field="monthly_forecast_cents")
        return self

    @property
    def cents(self) -> int:
        if self.amount_cents is not None:
            return self.amount_cents
        return int((self.months * self.monthly_forecast_cents).quantize(Decimal(1), ROUND_HALF_UP))


class ReturnDeposit(Command):
    records = (DepositReturned,)
    command: Literal["return_deposit"] = "return_deposit"
    partner_id: Slug
    amount_cents: Annotated[int, Field(ge=0, le=MAX_AMOUNT_CENTS, strict=True)]
    returned_on: Day
    reason: Text = ""


@dataclass(frozen=True)
class MemberFunds:
    id: UUID
    version: int
    partner_id: str
    fee_years: frozenset[int]
    deposit_called_cents: int
    deposit_returned_cents: int

    @property
    def deposit_held_cents(self) -> int:
        return self.deposit_called_cents - self.deposit_returned_cents


def member_funds_aggregate_id(partner_id: str) -> UUID:
    return aggregate_id("member-funds", partner_id)


def _event(funds: MemberFunds | None, partner_id: str, cls, stamp: Stamp, **fields):
    if funds is None:
        return first_event(cls, member_funds_aggregate_id(partner_id), stamp, partner_id=partner_id, **fields)
    return next_event(funds, cls, stamp, partner_id=partner_id, **fields)


def call_fee(funds: MemberFunds | None, partner: Partner, cmd: CallMembershipFee, stamp: Stamp) -> MembershipFeeCalled:
    """Once a year, for a member some day of that year."""
    if funds is not None and cmd.year in funds.fee_years:
        raise RuleViolation(f"the {cmd.year} fee of '{cmd.partner_id}' is already called", field="year")
    if not any(start.year <= cmd.year and (end is None or end.year >= cmd.year) for start, end in partner.periods):
        raise RuleViolation(f"'{cmd.partner_id}' is not a member in {cmd.year}", field="year")
    return _event(funds, cmd.partner_id, MembershipFeeCalled, stamp, year=cmd.year, amount_cents=cmd.amount_cents)


def call_deposit(funds: MemberFunds | None, partner: Partner, cmd: CallDeposit, stamp: Stamp) -> DepositCalled:
    """From a member still in the GE (a call adds to what is held)."""
    if partner.periods and partner.periods[-1][1] is not None:
        raise RuleViolation(f"'{cmd.partner_id}' left the GE on {partner.periods[-1][1].isoformat()}: "
                            f"no deposit is called from a former member", field="partner_id")
    return _event(funds, cmd.partner_id, DepositCalled, stamp, amount_cents=cmd.cents, months=cmd.months,
                  monthly_forecast_cents=cmd.monthly_forecast_cents)


def return_deposit(funds: MemberFunds | None, partner: Partner, cmd: ReturnDeposit, stamp: Stamp) -> DepositReturned:
    """Once the member has left (its last day is recorded and past on the return's day), at
    most what is held; what it still owes is kept by returning less, with the reason."""
    last_day = partner.periods[-1][1] if partner.periods else None
    if last_day is None or cmd.returned_on <= last_day:
        raise RuleViolation(f"'{cmd.partner_id}' is still a member on {cmd.returned_on.isoformat()}: its deposit "
                            f"is returned after its last day", field="returned_on")
    held = funds.deposit_held_cents if funds else 0
    if cmd.amount_cents > held:
        raise RuleViolation(f"'{cmd.partner_id}' has {held} cents of deposit held, not {cmd.amount_cents}",
                            field="amount_cents")
    if cmd.amount_cents < held and not cmd.reason:
        raise RuleViolation(f"returning {cmd.amount_cents} of the {held} cents held: say why the rest is kept",
                            field="reason")
    return _event(funds, cmd.partner_id, DepositReturned, stamp, amount_cents=cmd.amount_cents,
                  returned_on=cmd.returned_on, reason=cmd.reason)


@singledispatch
def evolve(event: DomainEvent, state: MemberFunds | None) -> MemberFunds:
    raise TypeError(f"a member's funds do not take {type(event).__name__}")


def _base(event: DomainEvent, state: MemberFunds | None, partner_id: str) -> MemberFunds:
    if state is None:
        return MemberFunds(event.originator_id, event.originator_version, partner_id, frozenset(), 0, 0)
    return replace(state, version=event.originator_version)


@evolve.register
def _(event: MembershipFeeCalled, state: MemberFunds | None) -> MemberFunds:
    base = _base(event, state, event.partner_id)
    return replace(base, fee_years=base.fee_years | {event.year})


@evolve.register
def _(event: DepositCalled, state: MemberFunds | None) -> MemberFunds:
    base = _base(event, state, event.partner_id)
    return replace(base, deposit_called_cents=base.deposit_called_cents + event.amount_cents)


@evolve.register
def _(event: DepositReturned, state: MemberFunds | None) -> MemberFunds:
    base = _base(event, state, event.partner_id)
    return replace(base, deposit_returned_cents=base.deposit_returned_cents + event.amount_cents)


project_member_funds = projector(evolve)
