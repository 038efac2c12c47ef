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

The documents are invoices of the GE's one sequence (domain/invoices.py), marked with the
year they regularise; each prints what the member's real cost is made of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Mapping

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregate import Stamp
from domain.allocation import RemainderSplit, explain_largest_remainder
from domain.billing import GroupProfile, MemberDetails
from domain.commands import Command
from domain.errors import RuleViolation
from domain.ids import Slug
from domain.invoice_amounts import vat_cents
from domain.invoices import (InvoiceBook, InvoiceIssued, InvoiceLine, issued_event, party, require_details,
                             require_profile)
from domain.invoices import evolve as evolve_book
from domain.money import MAX_AMOUNT_CENTS
from domain.periods import local_day
from domain.text import StoredName


@dataclass(frozen=True)
class PoolYear:
    """A pool's year: its actual costs and each member's units of it (a GE's employee and the
    members' hours with it; a tariff pool's resource and the partners' units used,
    domain/tariff_settlement.py)."""

    pool_id: str
    cost_cents: int
    units: Mapping[str, Decimal]


@dataclass(frozen=True)
class MemberRegularisation:
    """One member's year: its real cost, line by line, what it was billed, the difference."""

    partner_id: str
    pool_shares: dict[str, int]  # pool (a GE's employee) -> share of its actual costs
    running_cost_share: int
    billed_cents: int
    units: Decimal = Decimal(0)  # its units of every pool (a GE member's hours)

    @property
    def real_cost_cents(self) -> int:
        return sum(self.pool_shares.values()) + self.running_cost_share

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
    # Costs no member's units can carry (an employee without hours that year): shown, never
    # charged, so that nothing is hidden in a split.
    unshared_cents: int
    # The splits the members' shares come from, with their working (a member's trace shows
    # its units, its exact share and the leftover cent): each pool's, the running costs'.
    pool_splits: Mapping[str, RemainderSplit] = field(default_factory=dict)
    running_split: RemainderSplit | None = None

    def member(self, partner_id: str) -> MemberRegularisation | None:
        return next((m for m in self.members if m.partner_id == partner_id), None)

    @property
    def difference_cents(self) -> int:
        return sum(m.difference_cents for m in self.members)

    @property
    def result_after_cents(self) -> int:
        """The GE's result for the year once every member's difference is issued: zero when
        every cost was shared (and `unshared_cents` otherwise)."""
        return self.costs_cents - (self.billed_cents + self.difference_cents)


def regularise(year: int, pools: list[PoolYear], running_costs_cents: int,
               billed: Mapping[str, int]) -> YearRegularisation:
    """Each member's real cost of the year against what it was billed (see the module): each
    pool's costs split by the members' units of it, the running costs by all their units."""
    shares: dict[str, dict[str, int]] = {}
    splits: dict[str, RemainderSplit] = {}
    all_units: dict[str, Decimal] = {}
    unshared = 0
    for pool in pools:
        units = {p: u for p, u in pool.units.items() if u > 0}
        for partner, u in units.items():
            all_units[partner] = all_units.get(partner, Decimal(0)) + u
        if not units:
            unshared += pool.cost_cents
            continue
        splits[pool.pool_id] = explain_largest_remainder(pool.cost_cents, units)
        for partner, share in splits[pool.pool_id].shares.items():
            shares.setdefault(partner, {})[pool.pool_id] = share.cents
    running = explain_largest_remainder(running_costs_cents, all_units) if all_units else None
    if running is None:
        unshared += running_costs_cents
    members = tuple(
        MemberRegularisation(partner, shares.get(partner, {}),
                             running.shares[partner].cents if running and partner in running.shares else 0,
                             billed.get(partner, 0), all_units.get(partner, Decimal(0)))
        for partner in sorted(set(all_units) | set(billed))
    )
    costs = sum(p.cost_cents for p in pools) + running_costs_cents
    return YearRegularisation(year, members, costs, sum(billed.values()), unshared, splits, running)


# Issuing it --------------------------------------------------------------------------------


class MemberYearIn(BaseModel):
    """A member's year as the use case read it at `as_of_position` (application/regularisation.py)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partner_id: Slug
    employee_shares: dict[str, Annotated[int, Field(ge=0, le=MAX_AMOUNT_CENTS, strict=True)]]
    employee_names: dict[str, StoredName]
    running_cost_share: Annotated[int, Field(ge=0, le=MAX_AMOUNT_CENTS, strict=True)]
    billed_cents: Annotated[int, Field(ge=-MAX_AMOUNT_CENTS, le=MAX_AMOUNT_CENTS, strict=True)]

    @property
    def difference_cents(self) -> int:
        return sum(self.employee_shares.values()) + self.running_cost_share - self.billed_cents


class IssueRegularisation(Command):
    """The year's regularisation, one document per member whose real cost differs from what
    it was billed, read from the projections at `as_of_position`, when the invoice book held
    `documents_seen` documents."""

    records = (InvoiceIssued,)
    year: Annotated[int, Field(ge=2000, le=2100, strict=True)]
    as_of_position: Annotated[int, Field(ge=0)]
    documents_seen: Annotated[int, Field(ge=0)]
    members: tuple[MemberYearIn, ...]


def _of(name: str) -> str:
    """« de Paul », « d'Anne »: the printed labels are French."""
    return f"d'{name}" if name[:1].upper() in "AEIOUYHÉÈÊÀÂÎÔÛ" else f"de {name}"


def _lines(year: int, member: MemberYearIn, sign: int) -> tuple[InvoiceLine, ...]:
    """What the member's real cost is made of, less what it was billed: the lines sum to the
    document's total (`sign` -1 on a credit note, whose amounts print positive)."""
    lines = [InvoiceLine(label=f"Coût réel {year} {_of(member.employee_names.get(e, e))}, au prorata de vos heures",
                         amount_cents=sign * cents)
             for e, cents in sorted(member.employee_shares.items()) if cents]
    if member.running_cost_share:
        lines.append(InvoiceLine(label=f"Frais de fonctionnement du groupement {year}, au prorata de vos heures",
                                 amount_cents=sign * member.running_cost_share))
    lines.append(InvoiceLine(label=f"Déjà facturé pour {year} au taux provisoire (factures moins avoirs, HT)",
                             amount_cents=-sign * member.billed_cents))
    return tuple(lines)


def issue_regularisation(book: InvoiceBook | None, cmd: IssueRegularisation, profile: GroupProfile | None,
                         details: dict[str, MemberDetails | None], stamp: Stamp) -> list[InvoiceIssued]:
    """A complementary invoice for each member that owes more than it was billed, a credit note
    for each that was billed more, numbered in the invoice book's one sequence, in one go."""
    seen_now = len(book.documents) if book else 0
    if seen_now != cmd.documents_seen:
        raise RuleViolation(f"{seen_now - cmd.documents_seen} invoice(s) or credit note(s) were issued since the "
                            f"year {cmd.year} was read: read it again", field="documents_seen")
    owed = [m for m in cmd.members if m.difference_cents]
    if not owed:
        raise RuleViolation(f"every member's real cost of {cmd.year} is what it was billed: nothing to regularise",
                            field="year")
    profile = require_profile(profile)
    issued_on = local_day(stamp.at)
    events = []
    for member in owed:
        buyer = require_details(details.get(member.partner_id), member.partner_id)
        difference = member.difference_cents
        kind, sign = ("invoice", 1) if difference > 0 else ("credit_note", -1)
        total = abs(difference)
        vat = vat_cents(total, profile.vat_rate_bp)
        event = issued_event(
            book, stamp, kind=kind, corrects=None, partner_id=member.partner_id, month=f"{cmd.year}-12",
            issued_on=issued_on, due_on=issued_on + timedelta(days=profile.payment_days) if kind == "invoice" else None,
            seller=party(profile.legal_name, profile.address, profile.siren),
            buyer=party(buyer.legal_name, buyer.address, buyer.siren),
            lines=_lines(cmd.year, member, sign), total_ht_cents=total, vat_regime=profile.vat_regime,
            vat_rate_bp=profile.vat_rate_bp, vat_cents=vat, total_ttc_cents=total + vat,
            payment_days=profile.payment_days, late_penalty_rate=profile.late_penalty_rate,
            recovery_indemnity=buyer.professional, unsigned_sheets=False,
            reason=f"Régularisation de l'année {cmd.year} au coût réel", as_of_position=cmd.as_of_position,
            regularises=cmd.year)
        events.append(event)
        book = evolve_book(event, book)
    return events
