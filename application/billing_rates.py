"""The provisional rates of a month, from the projections as of a position: each employee's
terms and the rate card in force, and what an hour of each employee costs each member.

The rule itself is domain.billing.provisional_rate; this module only builds its inputs from
the read model's rows, so that a page's preview and an issued invoice price alike."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import duckdb

from domain.pools import key_in_force
from domain.local_authority_cap import LocalAuthorityCap, cap_hours, yearly_contract_hours
from domain.billing import ContractTerms, HourlyRate, RateCard, provisional_rate
from projections import billing_reads


@dataclass(frozen=True)
class RatedHours:
    """An employee's hours for a member in a month, and their provisional rate (None, with
    the reason, when the contract or the rate card is missing)."""

    employee_id: str
    partner_id: str
    hours: Decimal
    rate: HourlyRate | None
    missing: str | None


def terms_in_force(rows: list[dict], month: str) -> dict[str, ContractTerms]:
    """Each employee's contract terms in force in `month`, from contract_terms_at rows."""
    versions: dict[str, list[ContractTerms]] = {}
    for row in rows:
        versions.setdefault(row["employee_id"], []).append(ContractTerms(
            row["terms_version"], row["applies_from"], row["contract_kind"], row["working_time"],
            Decimal(row["weekly_hours"]), row["hourly_pay_cents"], row["job_title"]))
    found = {employee: key_in_force(terms, month) for employee, terms in versions.items()}
    return {employee: terms for employee, terms in found.items() if terms is not None}


def card_in_force(rows: list[dict], month: str) -> RateCard | None:
    """The rate card in force in `month`, from rate_cards_at rows."""
    cards = [RateCard(
        row["card_version"], row["applies_from"], Decimal(row["default_coefficient"]),
        {k: Decimal(v) for k, v in json.loads(row["kind_coefficients"]).items()},
        {k: Decimal(v) for k, v in json.loads(row["member_coefficients"]).items()},
        {k: int(v) for k, v in json.loads(row["member_flat_fees_cents"]).items()},
    ) for row in rows]
    return key_in_force(cards, month)


def rated_hours(conn: duckdb.DuckDBPyConnection, month: str, at: int) -> list[RatedHours]:
    """Every (employee, member) with open hours in `month` as of `at`, with its rate."""
    terms = terms_in_force(billing_reads.contract_terms_at(conn, at), month)
    card = card_in_force(billing_reads.rate_cards_at(conn, at), month)
    rated = []
    for row in billing_reads.staff_hours_of_month_at(conn, month, at):
        employee, partner = row["employee_id"], row["partner_id"]
        if employee not in terms:
            rated.append(RatedHours(employee, partner, row["hours"], None, "no_contract"))
        elif card is None:
            rated.append(RatedHours(employee, partner, row["hours"], None, "no_rate_card"))
        else:
            rated.append(RatedHours(employee, partner, row["hours"],
                                    provisional_rate(terms[employee], card, partner), None))
    return rated


@dataclass(frozen=True)
class LocalAuthorityShare:
    """An employee's year: hours for local-authority members against the cap of L1253-20
    (None where no contract says what the year's working time is)."""

    employee_id: str
    employee_name: str
    hours: Decimal
    local_authority_hours: Decimal
    contract_hours: Fraction | None
    cap_hours: Fraction | None

    @property
    def over(self) -> bool:
        return self.cap_hours is not None and self.local_authority_hours > self.cap_hours


def local_authority_shares(conn: duckdb.DuckDBPyConnection, year: int, at: int,
                           cap: LocalAuthorityCap) -> list[LocalAuthorityShare]:
    """Every employee with hours in `year` as of `at`, with its local authorities' share."""
    rows = billing_reads.contract_terms_at(conn, at)
    shares = []
    for row in billing_reads.local_authority_hours_of_year(conn, year, at):
        months = [terms_in_force(rows, f"{year}-{m:02d}").get(row["employee_id"]) for m in range(1, 13)]
        contract = yearly_contract_hours(t.weekly_hours if t else None for t in months) if any(months) else None
        shares.append(LocalAuthorityShare(row["employee_id"], row["employee_name"], row["hours"],
                                          row["local_authority_hours"], contract,
                                          cap_hours(cap, contract) if contract is not None else None))
    return shares
