"""Haut-Val's groupement d'employeurs as it bills: its invoicing identity (exempt from VAT
under CGI art. 261 B), its members' billing details (the communauté de communes as a local
authority), the five employees' contracts and the board's rate card (1,87 on gross pay for
a CDI, 1,95 for a CDD, a flat 18,00 € an hour for the sports club, below its real cost: it owes the difference at year end); once the months are
closed and their hour sheets answered, each month's invoices, and a credit note.

The terms are steps of the generator (demo/haut_val.py calls `terms` and `member_joined`);
the invoices need the projections, so demo/aftermath.py calls `invoice_months` once the
months are closed and their sheets answered (demo/hour_sheets.py). Only copy 1 of the territory bills: one ledger holds one GE.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Iterator

from application import invoicing
from application.ledger import Ledger
from demo.haut_val_data import EMPLOYEES, GE_MEMBERS, JOINER, Employee
from demo.steps import Step
from demo import ge_year
from domain.billing_terms import SetContractTerms, SetGroupProfile, SetMemberDetails, SetRateCard
from domain.pool_settings import SetCostBasis
from domain.errors import RuleViolation
from domain.periods import next_month
from projections import billing_reads
from projections.follower import Follower

if TYPE_CHECKING:
    from demo.haut_val import Territory

# Gross pay is about the monthly cost (pay + employer charges) / 1,45; an hour is a month's
# pay over weekly hours × 52 / 12.
CHARGES = Decimal("1.45")
CDD = {"educateur-sportif"}
CARD = dict(default_coefficient=Decimal("1.87"), kind_coefficients={"cdd": Decimal("1.95")})
FLAT_FEE = ("us-haut-val", 1_800)
LOCAL_AUTHORITY = "cc-haut-val"
# How many people each member employs (the register's D1253-1 5° c).
HEADCOUNTS = {"creche-les-marmottes": 14, "micro-creche-les-edelweiss": 6, "laep-la-cabane": 3, "us-haut-val": 4,
              "maison-des-associations": 5, "cc-haut-val": 42, "sisa-msp-haut-val": 2}
# 8 digits of each SIREN; the 9th, its Luhn check digit, is computed (`siren`).
SIRENS = {"ge": 73282932, "creche-les-marmottes": 44306184, "micro-creche-les-edelweiss": 48127305,
          "laep-la-cabane": 51904837, "us-haut-val": 55210055, "maison-des-associations": 77564903,
          "cc-haut-val": 20003065, "sisa-msp-haut-val": 83215744}


def siren(first_eight: int) -> str:
    """The SIREN whose first 8 digits these are: the 9th makes the Luhn sum a multiple of 10."""
    digits = f"{first_eight:08d}"
    for check in range(10):
        total = 0
        for i, d in enumerate(int(c) for c in digits + str(check)):
            doubled = d * 2 if i % 2 else d
            total += doubled - 9 if doubled > 9 else doubled
        if total % 10 == 0:
            return digits + str(check)
    raise AssertionError("unreachable")


def hourly_pay_cents(employee: Employee) -> int:
    weekly = sum(Decimal(h) for h in employee.week)
    return int((Decimal(employee.monthly_cost_cents) / CHARGES / (weekly * 52 / 12)).quantize(1, ROUND_HALF_UP))


def _job_title(employee: Employee) -> str:
    title = employee.name.split(", ", 1)[1].split(" (")[0]
    return title[0].upper() + title[1:]


def _billing(territory: Territory, partner_id: str) -> SetMemberDetails:
    """The member's file: billing details and what the register lists (C. trav. D1253-1)."""
    name, kind = next((n, k) for pid, n, k in GE_MEMBERS if pid == partner_id)
    address = f"{3 + len(partner_id)} rue du Vercors, 38880 Haut-Val"
    return SetMemberDetails(partner_id=territory.id(partner_id), legal_name=name, address=address,
                            siren=siren(SIRENS[partner_id]), professional=partner_id != LOCAL_AUTHORITY,
                            local_authority=partner_id == LOCAL_AUTHORITY, establishments=(address,),
                            activity=kind, headcount=HEADCOUNTS[partner_id])


def _rates() -> dict[str, int]:
    """Each employee's provisional rate by its contract kind (a forecast: no flat fee)."""
    return {e.id: int((hourly_pay_cents(e) * (CARD["kind_coefficients"]["cdd"] if e.id in CDD
                                              else CARD["default_coefficient"])).quantize(Decimal(1), ROUND_HALF_UP))
            for e in EMPLOYEES}


def terms(territory: Territory, month: str) -> Iterator[Step]:
    """The GE's profile, its members' billing details, contracts and rate card, from `month`."""
    if territory.k != 1:
        return
    commands = [SetGroupProfile(legal_name="Groupement d'employeurs du Haut-Val",
                                address="2 place de la Mairie, 38880 Haut-Val", siren=siren(SIRENS["ge"]),
                                vat_regime="exempt_261b", payment_days=30, late_penalty_rate=Decimal("12.00"))]
    commands += [_billing(territory, pid) for pid, _, _ in GE_MEMBERS if pid != JOINER]
    for e in EMPLOYEES:
        weekly = sum(Decimal(h) for h in e.week)
        commands.append(SetContractTerms(
            employee_id=territory.id(e.id), applies_from=month, contract_kind="cdd" if e.id in CDD else "cdi",
            working_time="full_time" if weekly >= 35 else "part_time", weekly_hours=weekly,
            hourly_pay_cents=hourly_pay_cents(e), job_title=_job_title(e)))
    commands.append(SetRateCard(applies_from=month, **CARD,
                                member_flat_fees_cents={territory.id(FLAT_FEE[0]): FLAT_FEE[1]}))
    # Most members are associations that cannot recover VAT: the pool's costs are TTC.
    commands.append(SetCostBasis(applies_from=month, basis="ttc"))
    for pid, _, _ in GE_MEMBERS:
        if pid != JOINER:
            commands += ge_year.member_funds(pid, int(month[:4]), ge_year.forecast_cents(pid, _rates()))
    yield territory.step(commands, territory.coordinator, "groupement d'employeurs : identité de facturation, "
                                                          "adhérents, contrats, grille de facturation")


def member_joined(territory: Territory) -> Iterator[Step]:
    """The billing details of the member who joins during the year."""
    if territory.k == 1:
        funds = ge_year.member_funds(JOINER, territory.join_date.year, ge_year.forecast_cents(JOINER, _rates()))
        yield territory.step([_billing(territory, JOINER), *funds], territory.coordinator,
                             f"fiche d'adhérent, cotisation et dépôt de {JOINER}")


def invoice_months(ledger: Ledger, follower: Follower, first: str, months: int, actor: str) -> list[str]:
    """Every month's invoices, once its hour sheets are answered (demo/hour_sheets.py: the
    last month keeps one sheet contested and one unsigned, so its invoices carry the mark);
    then a credit note for an hour billed twice on the first invoice. The notes."""
    notes, month = [], first
    for _ in range(months):
        try:
            issued = invoicing.issue_month(ledger, follower, month, accept_unsigned_sheets=True, actor=actor)
        except RuleViolation:  # a month without staff hours has nothing to invoice
            month = next_month(month)
            continue
        notes.append(f"{len(issued.events)} GE invoices for {month} (positions {issued.events[0].position} to "
                     f"{issued.events[-1].position})")
        month = next_month(month)
    follower.catch_up()
    with follower.view.transaction() as conn:
        first_invoice = billing_reads.invoice_at(conn, 1, follower.runner.position)
    if first_invoice is not None:
        rate = json.loads(first_invoice["payload"])["lines"][0]["rate_cents"]
        invoicing.issue_credit_note(ledger, follower, 1, reason="une heure comptée deux fois",
                                    amount_ht_cents=rate, actor=actor)
        notes.append(f"a credit note of one hour ({rate} cents HT) on invoice {first_invoice['reference']}")
    return notes
