"""A groupement d'employeurs' billing terms: its profile, its members' billing details, the
employees' contracts, the board's rate cards, and the provisional rates they give."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.reads import After, AsOf, reading
from api.recording import Recorded, record
from application.billing_rates import rated_hours
from application.permissions import AUDITORS, require_role
from domain.billing_terms import SetContractTerms, SetGroupProfile, SetMemberBilling, SetRateCard
from domain.periods import Month
from projections import billing_reads

router = APIRouter(prefix="/ge", tags=["groupement d'employeurs"])


class TermsPublic(BaseModel):
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
                           members=billing_reads.member_billing_at(read.conn, read.position),
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


@router.post("/profile", status_code=201, response_model=Recorded, summary="Set the GE's invoicing identity")
def set_profile(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                body: Annotated[SetGroupProfile, Body(examples=[{
                    "legal_name": "Groupement d'employeurs du Haut-Val", "address": "2 place de la Mairie, 38000 Haut-Val",
                    "siren": "732829320", "vat_regime": "exempt_261b", "payment_days": 30,
                    "late_penalty_rate": "12.00"}])]) -> Recorded:
    return record(services, token, [body], idempotency_key)


@router.post("/members", status_code=201, response_model=Recorded, summary="Set a member's billing details")
def set_member(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
               body: Annotated[SetMemberBilling, Body(examples=[{
                   "partner_id": "creche-les-marmottes", "legal_name": "Crèche associative Les Marmottes",
                   "address": "1 rue des Écoles, 38880 Haut-Val", "siren": "443061841", "professional": True,
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
