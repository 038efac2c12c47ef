"""A groupement d'employeurs' billing terms as aggregates, and the provisional rate.

A GE bills a member the hours it used at a provisional rate: the employee's gross hourly pay
times a coefficient set by the board from the budget forecast (1.6 to 1.9 is usual: the
coefficient covers employer charges, the paid-leave provision and the GE's running costs),
or a flat fee per hour; the year is regularised once actual costs are known. Contracts and
rate cards are versioned by the month they apply from, like allocation keys: a new version
never rewrites a month already billed, it applies from its month on.

One ledger holds one GE: its rate book and its profile are one aggregate each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import singledispatch
from typing import Literal
from uuid import UUID

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.billing_terms import (ContractTermsSet, GroupProfileSet, MemberDetailsSet, RateCardSet,
                                  SetContractTerms, SetGroupProfile, SetMemberDetails, SetRateCard)
from domain.errors import NotFound, RuleViolation
from domain.events import DomainEvent
from domain.ids import aggregate_id
from domain.pools import key_in_force


# Aggregates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractTerms:
    version: int
    applies_from: str
    contract_kind: str
    working_time: str
    weekly_hours: Decimal
    hourly_pay_cents: int
    job_title: str


@dataclass(frozen=True)
class Employment:
    """An employee's contract terms, version by version."""

    id: UUID
    version: int
    employee_id: str
    terms: tuple[ContractTerms, ...]

    def in_force(self, month: str) -> ContractTerms | None:
        return key_in_force(self.terms, month)


@dataclass(frozen=True)
class RateCard:
    version: int
    applies_from: str
    default_coefficient: Decimal
    kind_coefficients: dict[str, Decimal]
    member_coefficients: dict[str, Decimal]
    member_flat_fees_cents: dict[str, int]


@dataclass(frozen=True)
class RateBook:
    """The board's rate cards, version by version."""

    id: UUID
    version: int
    cards: tuple[RateCard, ...]

    def in_force(self, month: str) -> RateCard | None:
        return key_in_force(self.cards, month)


@dataclass(frozen=True)
class GroupProfile:
    id: UUID
    version: int
    legal_name: str
    address: str
    siren: str
    vat_regime: str
    vat_rate_bp: int | None
    payment_days: int
    late_penalty_rate: Decimal
    running_cost_resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemberDetails:
    id: UUID
    version: int
    partner_id: str
    legal_name: str
    address: str
    siren: str | None
    professional: bool
    local_authority: bool
    establishments: tuple[str, ...]
    activity: str | None
    headcount: int | None


def employment_aggregate_id(employee_id: str) -> UUID:
    return aggregate_id("employment", employee_id)


def rate_book_aggregate_id() -> UUID:
    return aggregate_id("rate-book")


def group_profile_aggregate_id() -> UUID:
    return aggregate_id("group-profile")


def member_details_aggregate_id(partner_id: str) -> UUID:
    return aggregate_id("member-billing", partner_id)


# The rate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HourlyRate:
    """The provisional rate HT of an hour, in cents, and how it was set (printed on invoices)."""

    cents: int
    basis: Literal["coefficient", "flat_fee"]
    coefficient: Decimal | None
    hourly_pay_cents: int | None


def provisional_rate(terms: ContractTerms, card: RateCard, partner_id: str) -> HourlyRate:
    """A member's flat fee if it has one; else gross hourly pay × the member's coefficient,
    or its contract kind's, or the card's default — rounded to the cent, half up: the unit
    price HT printed on the invoice, which its lines multiply."""
    if partner_id in card.member_flat_fees_cents:
        return HourlyRate(card.member_flat_fees_cents[partner_id], "flat_fee", None, None)
    coefficient = card.member_coefficients.get(
        partner_id, card.kind_coefficients.get(terms.contract_kind, card.default_coefficient)
    )
    cents = int((terms.hourly_pay_cents * coefficient).quantize(Decimal(1), ROUND_HALF_UP))
    return HourlyRate(cents, "coefficient", coefficient, terms.hourly_pay_cents)


# Decisions ----------------------------------------------------------------------------


def set_terms(employment: Employment | None, cmd: SetContractTerms, stamp: Stamp) -> ContractTermsSet:
    fields = dict(
        employee_id=cmd.employee_id,
        applies_from=cmd.applies_from,
        contract_kind=cmd.contract_kind,
        working_time=cmd.working_time,
        weekly_hours=cmd.weekly_hours,
        hourly_pay_cents=cmd.hourly_pay_cents,
        job_title=cmd.job_title,
    )
    if employment is None:
        return first_event(ContractTermsSet, employment_aggregate_id(cmd.employee_id), stamp,
                           terms_version=1, **fields)
    return next_event(employment, ContractTermsSet, stamp,
                      terms_version=len(employment.terms) + 1, **fields)


def set_card(book: RateBook | None, cmd: SetRateCard, stamp: Stamp) -> RateCardSet:
    fields = cmd.model_dump(exclude={"command"})
    if book is None:
        return first_event(RateCardSet, rate_book_aggregate_id(), stamp, card_version=1, **fields)
    return next_event(book, RateCardSet, stamp, card_version=len(book.cards) + 1, **fields)


def set_profile(profile: GroupProfile | None, cmd: SetGroupProfile, stamp: Stamp) -> GroupProfileSet:
    fields = cmd.model_dump(exclude={"command"})
    if profile is None:
        return first_event(GroupProfileSet, group_profile_aggregate_id(), stamp, profile_version=1, **fields)
    return next_event(profile, GroupProfileSet, stamp, profile_version=profile.version + 1, **fields)


def set_member_details(billing: MemberDetails | None, cmd: SetMemberDetails, stamp: Stamp) -> MemberDetailsSet:
    fields = cmd.model_dump(exclude={"command"})
    if billing is None:
        return first_event(MemberDetailsSet, member_details_aggregate_id(cmd.partner_id), stamp, **fields)
    return next_event(billing, MemberDetailsSet, stamp, **fields)


def require_terms(employment: Employment | None, employee_id: str, month: str) -> ContractTerms:
    terms = employment.in_force(month) if employment else None
    if terms is None:
        raise NotFound(f"employee '{employee_id}' has no contract terms in force in {month}",
                       field="employee_id")
    return terms


def require_card(book: RateBook | None, month: str) -> RateCard:
    card = book.in_force(month) if book else None
    if card is None:
        raise RuleViolation(f"no rate card is in force in {month}: the board sets one first",
                            field="month")
    return card


# Folding ------------------------------------------------------------------------------


@singledispatch
def evolve(event: DomainEvent, state: object) -> object:
    raise TypeError(f"billing terms do not take {type(event).__name__}")


@evolve.register
def _(event: ContractTermsSet, state: Employment | None) -> Employment:
    terms = ContractTerms(event.terms_version, event.applies_from, event.contract_kind,
                          event.working_time, event.weekly_hours, event.hourly_pay_cents,
                          event.job_title)
    if state is None:
        return Employment(event.originator_id, event.originator_version, event.employee_id, (terms,))
    return replace(state, version=event.originator_version, terms=(*state.terms, terms))


@evolve.register
def _(event: RateCardSet, state: RateBook | None) -> RateBook:
    card = RateCard(event.card_version, event.applies_from, event.default_coefficient,
                    dict(event.kind_coefficients), dict(event.member_coefficients),
                    dict(event.member_flat_fees_cents))
    if state is None:
        return RateBook(event.originator_id, event.originator_version, (card,))
    return replace(state, version=event.originator_version, cards=(*state.cards, card))


@evolve.register
def _(event: GroupProfileSet, _: GroupProfile | None) -> GroupProfile:
    return GroupProfile(event.originator_id, event.originator_version, event.legal_name,
                        event.address, event.siren, event.vat_regime, event.vat_rate_bp,
                        event.payment_days, event.late_penalty_rate, event.running_cost_resources)


@evolve.register
def _(event: MemberDetailsSet, _: MemberDetails | None) -> MemberDetails:
    return MemberDetails(event.originator_id, event.originator_version, event.partner_id,
                         event.legal_name, event.address, event.siren, event.professional,
                         event.local_authority, event.establishments, event.activity, event.headcount)


project_billing_terms = projector(evolve)
