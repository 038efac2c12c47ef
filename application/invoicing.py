"""Issuing a GE's invoices and credit notes: the month's drafts from the read model, then
the commands that record them.

As for closing a month, the projections are first brought to the end of the log; each
member's lines are read at that position — its hours per employee at their provisional
rate (application/billing_rates.py) and the status of each hour sheet — and sent with the
command, which the invoice book checks (domain/invoices.py). A draft names what stands in
the way of its invoice, so that the page shows it before anyone presses the button.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from application.billing_rates import rated_hours, terms_in_force
from application.ledger import Ledger
from application.outcome import Outcome
from application.permissions import Operator, Principal, require_may_run
from domain.errors import NotFound, RuleViolation
from domain.invoice_amounts import line_amount_cents, vat_cents
from domain.invoices import IssueCreditNote, IssueInvoice, LineIn, NotBillable
from projections import billing_reads, read_model
from projections.follower import Follower

# What may stand in the way of an invoice, as the field a refusal names.
MISSING_FIELDS = {"profile": "profile", "member_details": "partner_id", "no_rate_card": "rate_card",
                  "no_contract": "lines"}


@dataclass(frozen=True)
class DraftLine:
    employee_id: str
    employee_name: str
    job_title: str | None
    hours: Decimal
    rate_cents: int | None
    amount_cents: int | None
    sheet_id: str
    sheet_status: str


@dataclass(frozen=True)
class Draft:
    """A member's invoice for a month as it would be issued now, or what it lacks."""

    partner_id: str
    partner_name: str
    month: str
    position: int
    lines: list[DraftLine]
    # ('profile' | 'member_details' | 'no_rate_card' | 'no_contract', detail) pairs.
    missing: list[tuple[str, str]] = field(default_factory=list)
    vat_rate_bp: int | None = None
    # The member's invoice of the month not wholly credited, if any (its reference).
    invoiced: str | None = None

    @property
    def unsigned(self) -> bool:
        return any(line.sheet_status != "countersigned" for line in self.lines)

    @property
    def total_ht_cents(self) -> int | None:
        return None if self.missing else sum(line.amount_cents or 0 for line in self.lines)

    @property
    def vat_cents(self) -> int | None:
        total = self.total_ht_cents
        return None if total is None else vat_cents(total, self.vat_rate_bp)

    @property
    def total_ttc_cents(self) -> int | None:
        total = self.total_ht_cents
        return None if total is None else total + (self.vat_cents or 0)

    def command(self, accept_unsigned_sheets: bool) -> IssueInvoice:
        """The command that issues it; NotBillable naming the first thing missing."""
        if self.missing:
            what, detail = self.missing[0]
            raise NotBillable(f"the invoice of '{self.partner_id}' for {self.month} cannot be issued: "
                              f"{'; '.join(text for _, text in self.missing)}", field=MISSING_FIELDS[what])
        return IssueInvoice(partner_id=self.partner_id, month=self.month,
                            accept_unsigned_sheets=accept_unsigned_sheets, as_of_position=self.position,
                            lines=tuple(LineIn(
                                employee_id=line.employee_id, employee_name=line.employee_name,
                                job_title=line.job_title, hours=line.hours, rate_cents=line.rate_cents,
                                amount_cents=line.amount_cents, sheet_id=line.sheet_id,
                                sheet_status=line.sheet_status) for line in self.lines))


def _sheet_status(row: dict | None) -> str:
    if row is None:
        return "not_submitted"
    if row["status"] == "countersigned" and row["stale"]:
        return "changed"
    return row["status"]


def drafts(conn: duckdb.DuckDBPyConnection, month: str, at: int) -> list[Draft]:
    """Every member with hours in `month` at `at`, with its draft invoice."""
    profile = billing_reads.group_profile_at(conn, at)
    members = {row["partner_id"]: row for row in billing_reads.member_details_at(conn, at)}
    contract_rows = billing_reads.contract_terms_at(conn, at)
    terms = terms_in_force(contract_rows, month)
    names = {row["employee_id"]: row["employee_name"] or row["employee_id"] for row in contract_rows}
    sheets = {(row["employee_id"], row["partner_id"]): row for row in read_model.hour_sheets_of_month(conn, month, at)}
    partner_names = {row["partner_id"]: row["name"] for row in billing_reads.partner_names(conn)}
    live = {row["partner_id"]: row["reference"] for row in billing_reads.invoices_at(conn, at, month=month)
            if row["kind"] == "invoice" and not row["wholly_credited"]}
    by_partner: dict[str, list] = {}
    for rated in rated_hours(conn, month, at):
        by_partner.setdefault(rated.partner_id, []).append(rated)
    found = []
    for partner_id, rows in sorted(by_partner.items()):
        missing = []
        if profile is None:
            missing.append(("profile", "the GE has no invoicing profile"))
        if partner_id not in members:
            missing.append(("member_details", f"member '{partner_id}' has no billing details"))
        if any(r.missing == "no_rate_card" for r in rows):
            missing.append(("no_rate_card", f"no rate card is in force in {month}"))
        for r in rows:
            if r.missing == "no_contract":
                missing.append(("no_contract", f"employee '{r.employee_id}' has no contract in force in {month}"))
        lines = []
        for r in sorted(rows, key=lambda r: (names.get(r.employee_id, r.employee_id), r.employee_id)):
            sheet = sheets.get((r.employee_id, partner_id))
            lines.append(DraftLine(
                employee_id=r.employee_id, employee_name=sheet["employee_name"] if sheet else
                names.get(r.employee_id, r.employee_id),
                job_title=terms[r.employee_id].job_title if r.employee_id in terms else None,
                hours=r.hours, rate_cents=r.rate.cents if r.rate else None,
                amount_cents=line_amount_cents(r.hours, r.rate.cents) if r.rate else None,
                sheet_id=f"{r.employee_id}:{partner_id}:{month}", sheet_status=_sheet_status(sheet)))
        found.append(Draft(partner_id=partner_id, partner_name=partner_names.get(partner_id, partner_id),
                           month=month, position=at, lines=lines, missing=missing,
                           vat_rate_bp=profile["vat_rate_bp"] if profile else None, invoiced=live.get(partner_id)))
    return found


def _read_drafts(follower: Follower, month: str) -> list[Draft]:
    follower.catch_up()
    with follower.view.transaction() as conn:
        return drafts(conn, month, follower.runner.position)


def issue_invoice(ledger: Ledger, follower: Follower, partner_id: str, month: str, *,
                  accept_unsigned_sheets: bool = False, actor: str | Principal,
                  idempotency_key: str | None = None) -> Outcome:
    """Issue the member's invoice for the month from its hours as they stand."""
    require_may_run(Operator(actor) if isinstance(actor, str) else actor, IssueInvoice)
    draft = next((d for d in _read_drafts(follower, month) if d.partner_id == partner_id), None)
    if draft is None:
        raise NotBillable(f"member '{partner_id}' has no hours to invoice in {month}", field="partner_id")
    outcome = ledger.execute(draft.command(accept_unsigned_sheets), actor=actor, idempotency_key=idempotency_key)
    follower.nudge()
    return outcome


def issue_month(ledger: Ledger, follower: Follower, month: str, *, accept_unsigned_sheets: bool = False,
                actor: str | Principal, idempotency_key: str | None = None) -> Outcome:
    """Issue, in one transaction (numbers in order of member id), the invoice of every member
    with hours in the month and no invoice yet: all of them, or none (the refusal names the
    first that cannot be issued)."""
    require_may_run(Operator(actor) if isinstance(actor, str) else actor, IssueInvoice)
    due = [d for d in _read_drafts(follower, month) if d.invoiced is None]
    if not due:
        raise RuleViolation(f"no member awaits an invoice for {month}", field="month")
    commands = [d.command(accept_unsigned_sheets) for d in due]
    outcome = ledger.execute_batch(commands, actor=actor, idempotency_key=idempotency_key)
    follower.nudge()
    return outcome


def issue_credit_note(ledger: Ledger, follower: Follower, number: int, *, reason: str,
                      amount_ht_cents: int | None = None, actor: str | Principal,
                      idempotency_key: str | None = None) -> Outcome:
    """A credit note on invoice `number`, for the member it was addressed to."""
    require_may_run(Operator(actor) if isinstance(actor, str) else actor, IssueCreditNote)
    follower.catch_up()
    with follower.view.transaction() as conn:
        found = billing_reads.invoice_at(conn, number, follower.runner.position)
    if found is None:
        raise NotFound(f"there is no invoice number {number}", field="corrects")
    command = IssueCreditNote(corrects=number, partner_id=found["partner_id"], reason=reason,
                              amount_ht_cents=amount_ht_cents)
    outcome = ledger.execute(command, actor=actor, idempotency_key=idempotency_key)
    follower.nudge()
    return outcome
