"""A groupement d'employeurs' billing terms: its profile, its members' billing details, the
employees' contracts, the board's rate cards, and the provisional rates they give."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.reads import After, AsOf, reading
from api.recording import Recorded, public, record
from api.response_examples import EXAMPLES
from application.billing_rates import local_authority_shares, rated_hours
from application.idempotency import scoped_key
from application.joint_liability import exposure as debts_exposure, member_totals
from application.member_funds import funds_at
from application.permissions import AUDITORS, require_role
from application.regularisation import YearRead, issue_regularisation, year_read
from domain.billing_terms import SetContractTerms, SetGroupProfile, SetMemberDetails, SetRateCard
from domain.ge_debts import DebtId, RecordGeDebt, SettleGeDebt
from domain.member_funds import CallDeposit, CallMembershipFee, ReturnDeposit
from domain.local_authority_cap import LocalAuthorityCap
from domain.periods import Day, Month
from domain.text import Name
from projections import billing_reads

router = APIRouter(prefix="/ge", tags=["groupement d'employeurs"])


class TermsPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["TermsPublic"]]}}

    position: int
    profile: dict[str, Any] | None
    members: list[dict[str, Any]]
    contracts: list[dict[str, Any]]
    rate_cards: list[dict[str, Any]]


class RatePublic(BaseModel):
    employee_id: str
    partner_id: str
    hours: Decimal
    rate_cents: int | None
    basis: str | None
    coefficient: Decimal | None
    hourly_pay_cents: int | None
    missing: str | None


class RatesPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["RatesPublic"]]}}

    month: str
    position: int
    rates: list[RatePublic]


@router.get("/terms", response_model=TermsPublic, summary="The GE's billing terms as they stood at a position")
def terms(*, services: ServicesDep, token: TokenDep, after: After = None, as_of: AsOf = None) -> TermsPublic:
    require_role(token, *AUDITORS)
    with reading(services, after=after, as_of=as_of) as read:
        cards = billing_reads.rate_cards_at(read.conn, read.position)
        for card in cards:
            for column in ("kind_coefficients", "member_coefficients", "member_flat_fees_cents"):
                card[column] = json.loads(card[column])
        return TermsPublic(position=read.position,
                           profile=billing_reads.group_profile_at(read.conn, read.position),
                           members=billing_reads.member_details_at(read.conn, read.position),
                           contracts=billing_reads.contract_terms_at(read.conn, read.position),
                           rate_cards=cards)


@router.get("/rates", response_model=RatesPublic,
            summary="Each employee's hours for each member in a month, at its provisional rate")
def rates(*, services: ServicesDep, token: TokenDep, month: Annotated[Month, Query(examples=["2026-01"])],
          after: After = None, as_of: AsOf = None) -> RatesPublic:
    require_role(token, *AUDITORS)
    with reading(services, after=after, as_of=as_of) as read:
        found = rated_hours(read.conn, month, read.position)
    return RatesPublic(month=month, position=read.position, rates=[RatePublic(
        employee_id=r.employee_id, partner_id=r.partner_id, hours=r.hours,
        rate_cents=r.rate.cents if r.rate else None, basis=r.rate.basis if r.rate else None,
        coefficient=r.rate.coefficient if r.rate else None,
        hourly_pay_cents=r.rate.hourly_pay_cents if r.rate else None, missing=r.missing) for r in found])


class LocalAuthoritySharePublic(BaseModel):
    employee_id: str
    employee_name: str
    hours: Decimal
    local_authority_hours: Decimal
    contract_hours: Decimal | None
    cap_hours: Decimal | None
    over: bool


class LocalAuthoritySharesPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["LocalAuthoritySharesPublic"]]}}

    year: int
    share: Decimal
    refuses: bool
    position: int
    employees: list[LocalAuthoritySharePublic]


@router.get("/local-authority-share", response_model=LocalAuthoritySharesPublic,
            summary="Each employee's hours for local-authority members in a year, against the cap of C. trav. L1253-20")
def local_authority_share(*, services: ServicesDep, token: TokenDep, year: Annotated[int, Query(ge=2000, le=2100, examples=[2026])],
                          after: After = None, as_of: AsOf = None) -> LocalAuthoritySharesPublic:
    require_role(token, *AUDITORS)
    settings = services.settings
    cap = LocalAuthorityCap(settings.local_authority_share, settings.local_authority_cap_refuses)
    with reading(services, after=after, as_of=as_of) as read:
        found = local_authority_shares(read.conn, year, read.position, cap)

    def hundredths(value) -> Decimal | None:
        return None if value is None else (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))
    return LocalAuthoritySharesPublic(year=year, share=cap.share, refuses=cap.refuses, position=read.position, employees=[
        LocalAuthoritySharePublic(employee_id=s.employee_id, employee_name=s.employee_name, hours=s.hours,
                                  local_authority_hours=s.local_authority_hours,
                                  contract_hours=hundredths(s.contract_hours), cap_hours=hundredths(s.cap_hours),
                                  over=s.over) for s in found])


@router.post("/profile", status_code=201, response_model=Recorded, summary="Set the GE's invoicing identity")
def set_profile(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                body: Annotated[SetGroupProfile, Body(examples=[{
                    "legal_name": "Groupement d'employeurs du Haut-Val", "address": "2 place de la Mairie, 38000 Haut-Val",
                    "siren": "732829320", "vat_regime": "exempt_261b", "payment_days": 30,
                    "late_penalty_rate": "12.00"}])]) -> Recorded:
    return record(services, token, [body], idempotency_key)


@router.post("/members", status_code=201, response_model=Recorded, summary="Set a member's billing details")
def set_member(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
               body: Annotated[SetMemberDetails, Body(examples=[{
                   "partner_id": "creche-a", "legal_name": "Association Les Marmots",
                   "address": "1 rue des Écoles, 38000 Haut-Val", "siren": "443061841",
                   "establishments": ["Crèche, 3 chemin des Prés, 38000 Haut-Val"],
                   "activity": "accueil de jeunes enfants", "headcount": 12, "professional": True,
                   "local_authority": False}])]) -> Recorded:
    return record(services, token, [body], idempotency_key)


@router.post("/contracts", status_code=201, response_model=Recorded,
             summary="Set an employee's contract terms from a month")
def set_contract(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                 body: Annotated[SetContractTerms, Body(examples=[{
                     "employee_id": "assistante-paie", "applies_from": "2026-01", "contract_kind": "cdi",
                     "working_time": "full_time", "weekly_hours": "35", "hourly_pay_cents": 1450,
                     "job_title": "Assistante administrative et paie"}])]) -> Recorded:
    return record(services, token, [body], idempotency_key)


@router.post("/rate-cards", status_code=201, response_model=Recorded, summary="Set the board's rate card from a month")
def set_rate_card(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                  body: Annotated[SetRateCard, Body(examples=[{
                      "applies_from": "2026-01", "default_coefficient": "1.87",
                      "kind_coefficients": {"cdd": "1.95"}, "member_flat_fees_cents": {"us-haut-val": 2300}}])]
                  ) -> Recorded:
    return record(services, token, [body], idempotency_key)


class DebtPublic(BaseModel):
    debt_id: str
    creditor_kind: str
    creditor: str
    amount_cents: int
    first_month: str
    last_month: str
    due_on: date
    reference: str
    shares: dict[str, int]
    unallocated_cents: int


class ExposurePublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["ExposurePublic"]]}}

    position: int
    debts: list[DebtPublic]
    members: dict[str, int]


@router.get("/exposure", response_model=ExposurePublic,
            summary="Each member's share of the GE's outstanding debts to employees and social bodies (C. trav. L1253-8)")
def exposure(*, services: ServicesDep, token: TokenDep, after: After = None, as_of: AsOf = None) -> ExposurePublic:
    require_role(token, *AUDITORS)
    with reading(services, after=after, as_of=as_of) as read:
        debts = debts_exposure(read.conn, read.position)
    return ExposurePublic(position=read.position, members=member_totals(debts), debts=[DebtPublic(
        **{k: getattr(d, k) for k in DebtPublic.model_fields}) for d in debts])


@router.post("/debts", status_code=201, response_model=Recorded,
             summary="Record a debt of the GE to its employees or to a social body")
def record_debt(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                body: Annotated[RecordGeDebt, Body(examples=[{
                    "creditor_kind": "social_bodies", "creditor": "URSSAF Rhône-Alpes", "amount_cents": 1_254_300,
                    "first_month": "2026-01", "last_month": "2026-03", "due_on": "2026-04-15",
                    "reference": "DSN T1 2026"}])]) -> Recorded:
    return record(services, token, [body], idempotency_key)


class SettleBody(BaseModel):
    settled_on: Day
    reference: Name


@router.post("/debts/{debt_id}/settle", status_code=201, response_model=Recorded, summary="Record a debt as paid")
def settle_debt(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                debt_id: Annotated[DebtId, Path(examples=["d1"])],
                body: Annotated[SettleBody, Body(examples=[{"settled_on": "2026-04-15", "reference": "virement 0412"}])]
                ) -> Recorded:
    command = SettleGeDebt(debt_id=debt_id, settled_on=body.settled_on, reference=body.reference)
    return record(services, token, [command], idempotency_key)


class MemberFundsPublic(BaseModel):
    partner_id: str
    partner_name: str
    fees: dict[int, int]
    deposit_called_cents: int
    deposit_returned_cents: int
    deposit_held_cents: int


class FundsPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["FundsPublic"]]}}

    position: int
    members: list[MemberFundsPublic]


@router.get("/member-funds", response_model=FundsPublic,
            summary="Each member's yearly fees and the deposit it holds with the GE, as of a position")
def member_funds(*, services: ServicesDep, token: TokenDep, after: After = None, as_of: AsOf = None) -> FundsPublic:
    require_role(token, *AUDITORS)
    with reading(services, after=after, as_of=as_of) as read:
        funds = funds_at(read.conn, read.position)
    return FundsPublic(position=read.position, members=[MemberFundsPublic(
        partner_id=m.partner_id, partner_name=m.partner_name, fees=m.fees, deposit_called_cents=m.called_cents,
        deposit_returned_cents=m.returned_cents, deposit_held_cents=m.held_cents) for m in funds.values()])


@router.post("/fees", status_code=201, response_model=Recorded, summary="Call a member's membership fee for a year")
def call_fee(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
             body: Annotated[CallMembershipFee, Body(examples=[{"partner_id": "creche-a", "year": 2026,
                                                                "amount_cents": 15_000}])]) -> Recorded:
    return record(services, token, [body], idempotency_key)


@router.post("/deposits", status_code=201, response_model=Recorded,
             summary="Call a member's deposit: an amount, or months of its forecast billing")
def call_deposit(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                 body: Annotated[CallDeposit, Body(examples=[{"partner_id": "creche-a", "months": "2",
                                                              "monthly_forecast_cents": 350_000}])]) -> Recorded:
    return record(services, token, [body], idempotency_key)


@router.post("/deposits/return", status_code=201, response_model=Recorded,
             summary="Return a former member's deposit (less what it owes, with the reason)")
def return_deposit(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                   body: Annotated[ReturnDeposit, Body(examples=[{"partner_id": "creche-a", "amount_cents": 700_000,
                                                                  "returned_on": "2026-10-15", "reason": ""}])]
                   ) -> Recorded:
    return record(services, token, [body], idempotency_key)


class RegularisationMemberPublic(BaseModel):
    partner_id: str
    hours: Decimal
    employee_shares: dict[str, int]
    running_cost_share: int
    real_cost_cents: int
    billed_cents: int
    difference_cents: int


class RegularisationPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["RegularisationPublic"]]}}

    year: int
    position: int
    documents_seen: int
    costs_cents: int
    billed_cents: int
    unshared_cents: int
    difference_cents: int
    result_after_cents: int
    members: list[RegularisationMemberPublic]


def _regularisation_public(read: YearRead) -> RegularisationPublic:
    year = read.regularisation
    return RegularisationPublic(
        year=read.year, position=read.position, documents_seen=read.documents_seen, costs_cents=year.costs_cents,
        billed_cents=year.billed_cents, unshared_cents=year.unshared_cents, difference_cents=year.difference_cents,
        result_after_cents=year.result_after_cents, members=[RegularisationMemberPublic(
            partner_id=m.partner_id, hours=m.units, employee_shares=m.pool_shares,
            running_cost_share=m.running_cost_share, real_cost_cents=m.real_cost_cents, billed_cents=m.billed_cents,
            difference_cents=m.difference_cents) for m in year.members])


@router.get("/regularisations/{year}", response_model=RegularisationPublic,
            summary="A year's regularisation as it would be issued: each member's real cost against what it was billed")
def regularisation(*, services: ServicesDep, token: TokenDep, year: Annotated[int, Path(ge=2000, le=2100, examples=[2026])],
                   after: After = None, as_of: AsOf = None) -> RegularisationPublic:
    require_role(token, *AUDITORS)
    with reading(services, after=after, as_of=as_of) as read:
        return _regularisation_public(year_read(read.conn, year, read.position))


@router.post("/regularisations/{year}", status_code=201, response_model=Recorded,
             summary="Issue a year's regularisation: a complementary invoice or a credit note per member")
def issue_year_regularisation(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                              year: Annotated[int, Path(ge=2000, le=2100, examples=[2026])]) -> Recorded:
    key = scoped_key(token.token_sha256, idempotency_key)
    return public(issue_regularisation(services.ledger, services.follower, year, actor=token, idempotency_key=key))
