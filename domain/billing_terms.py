"""What a groupement d'employeurs bills by — each employee's contract, the board's rate card,
the GE's own invoicing identity and each member's billing details: their events and
commands (domain/billing.py holds their aggregates and the provisional rate).

A GE bills a member the hours it used at a provisional rate: the employee's gross hourly pay
times a coefficient set by the board from the budget forecast (1.6 to 1.9 is usual: the
coefficient covers employer charges, the paid-leave provision and the GE's running costs),
or a flat fee per hour. The year is regularised once actual costs are known. Contracts and
rate cards are versioned by the month they apply from, like allocation keys: a new version
never rewrites a month already billed, it applies from its month on.

One ledger holds one GE: the rate card and the GE's profile are one aggregate each.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from domain.commands import Command
from domain.errors import FieldValueError
from domain.events import DomainEvent
from domain.ids import Slug
from domain.money import Cents
from domain.periods import Month
from domain.text import Name, StoredName, StoredText, Text

WorkingTime = Literal["full_time", "part_time"]
VatRegime = Literal["exempt_261b", "liable"]
# A board's coefficient on gross pay: at least 1 (a GE bills at cost or above), four decimals.
Coefficient = Annotated[Decimal, Field(ge=1, le=5, decimal_places=4)]
WeeklyHours = Annotated[Decimal, Field(gt=0, le=48, decimal_places=2)]
# VAT in basis points of a percent: 2000 = 20 %.
VatRateBp = Annotated[int, Field(gt=0, le=10_000, strict=True)]
# Late-payment penalty, a yearly percent: at least three times the legal interest rate
# (C. com. L441-10); the GE states its own.
PenaltyRate = Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)]


def _check_siren(value: str) -> str:
    """A SIREN is 9 digits whose Luhn checksum is 0 (INSEE's rule)."""
    if not re.fullmatch(r"\d{9}", value):
        # repr: a lone surrogate typed in cannot be encoded in an error message as it is.
        raise ValueError(f"a SIREN is 9 digits, not {value!r}")
    total = 0
    for i, digit in enumerate(int(d) for d in value):
        doubled = digit * 2 if i % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    if total % 10:
        raise ValueError(f"{value!r} is not a valid SIREN (its check digit is wrong)")
    return value


Siren = Annotated[str, AfterValidator(_check_siren)]
StoredSiren = Annotated[str, Field(pattern=r"^\d{9}$")]


# Events -------------------------------------------------------------------------------


class ContractTermsSet(DomainEvent):
    """An employee's contract as it applies from a month: kind, working time, gross pay."""

    employee_id: Slug
    terms_version: int
    applies_from: Month
    contract_kind: Slug
    working_time: WorkingTime
    weekly_hours: WeeklyHours
    hourly_pay_cents: Cents
    job_title: StoredName


class RateCardSet(DomainEvent):
    """The board's rate card from a month: a coefficient by default, by contract kind and by
    member, or a flat fee per hour for a member."""

    card_version: int
    applies_from: Month
    default_coefficient: Coefficient
    kind_coefficients: dict[str, Coefficient] = {}
    member_coefficients: dict[str, Coefficient] = {}
    member_flat_fees_cents: dict[str, Cents] = {}


class GroupProfileSet(DomainEvent):
    """The GE's identity and terms as printed on its invoices."""

    profile_version: int
    legal_name: StoredName
    address: StoredText
    siren: StoredSiren
    vat_regime: VatRegime
    vat_rate_bp: int | None
    payment_days: int
    late_penalty_rate: Decimal
    # The resources whose costs are the GE's own running costs (premises, accounting…),
    # shared by all the members' hours at the year-end regularisation.
    running_cost_resources: tuple[str, ...] = ()


class MemberDetailsSet(DomainEvent):
    """A GE member's file: what its register lists (C. trav. D1253-1 5°: the head office and
    the addresses of its establishments, the nature of its activity, the number of people it
    employs) and whom its invoices are addressed to, with what the member owes by law (a
    professional owes the 40 € recovery indemnity, C. com. L441-10 and D441-5; a local
    authority's share of an employee's time is capped, C. trav. L1253-20). A partner with a
    file is a member of the GE; its membership dates are its partner's."""

    partner_id: Slug
    legal_name: StoredName
    address: StoredText
    siren: StoredSiren | None
    professional: bool
    local_authority: bool
    establishments: tuple[StoredText, ...] = ()
    activity: StoredName | None = None
    headcount: int | None = None


# Commands -----------------------------------------------------------------------------


class SetContractTerms(Command):
    records = (ContractTermsSet,)
    command: Literal["set_contract_terms"] = "set_contract_terms"
    employee_id: Slug
    applies_from: Month
    contract_kind: Slug
    working_time: WorkingTime
    weekly_hours: WeeklyHours
    hourly_pay_cents: Cents
    job_title: Name

    # Full time is 35 h a week (C. trav. L3121-27); a part-time contract is below it
    # (L3123-1), a full-time one is not.
    FULL_TIME_HOURS: ClassVar[Decimal] = Decimal(35)

    @model_validator(mode="after")
    def _working_time_matches_hours(self) -> SetContractTerms:
        part_time = self.weekly_hours < self.FULL_TIME_HOURS
        if part_time != (self.working_time == "part_time"):
            raise FieldValueError(
                f"{self.weekly_hours} h a week is {'part' if part_time else 'full'} time "
                f"(full time is {self.FULL_TIME_HOURS} h a week), not {self.working_time}",
                field="working_time",
            )
        return self


class SetRateCard(Command):
    records = (RateCardSet,)
    command: Literal["set_rate_card"] = "set_rate_card"
    applies_from: Month
    default_coefficient: Coefficient
    kind_coefficients: dict[Slug, Coefficient] = {}
    member_coefficients: dict[Slug, Coefficient] = {}
    member_flat_fees_cents: dict[Slug, Cents] = {}

    @model_validator(mode="after")
    def _one_rate_per_member(self) -> SetRateCard:
        both = sorted(set(self.member_coefficients) & set(self.member_flat_fees_cents))
        if both:
            raise FieldValueError(
                f"a member is billed by a coefficient or by a flat fee, not both: {', '.join(both)}",
                field="member_flat_fees_cents",
            )
        return self


class SetGroupProfile(Command):
    records = (GroupProfileSet,)
    command: Literal["set_group_profile"] = "set_group_profile"
    legal_name: Name
    address: Annotated[Text, StringConstraints(min_length=1)]
    siren: Siren
    vat_regime: VatRegime
    vat_rate_bp: VatRateBp | None = None
    # Payment within 60 days of the invoice at most (C. com. L441-10).
    payment_days: Annotated[int, Field(ge=0, le=60, strict=True)] = 30
    late_penalty_rate: PenaltyRate
    running_cost_resources: Annotated[tuple[Slug, ...], Field(max_length=50)] = ()

    @model_validator(mode="after")
    def _rate_matches_regime(self) -> SetGroupProfile:
        if (self.vat_regime == "liable") != (self.vat_rate_bp is not None):
            raise FieldValueError(
                "a GE liable to VAT states its rate (vat_rate_bp), an exempt one states none",
                field="vat_rate_bp",
            )
        return self


class SetMemberDetails(Command):
    records = (MemberDetailsSet,)
    command: Literal["set_member_details"] = "set_member_details"
    partner_id: Slug
    legal_name: Name
    address: Annotated[Text, StringConstraints(min_length=1)]
    siren: Siren | None = None
    professional: bool = True
    local_authority: bool = False
    establishments: Annotated[tuple[Annotated[Text, StringConstraints(min_length=1)], ...],
                              Field(max_length=50)] = ()
    activity: Name | None = None
    headcount: Annotated[int, Field(ge=0, le=1_000_000, strict=True)] | None = None
