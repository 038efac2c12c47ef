"""Haut-Val's groupement d'employeurs around its invoices: the members' fees and deposits,
the register's notification to the labour inspectorate, the GE's debts to its employees and
to URSSAF, the deposit returned to the member who left, the year-end regularisation, the
members' payments on their invoices and the GE's refunds of its regularisation credit notes.

`members_funds` is a step of the generator's first month (demo/haut_val_ge.py calls it);
`year_end` needs the projections and runs once the months are invoiced (demo/aftermath.py).
Only copy 1 of the territory is the GE.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable

from application import regularisation
from application.ledger import Ledger
from application.member_funds import funds_at
from application.member_register import register_changes
from demo.calendar_fr import add_months
from demo.haut_val_data import EMPLOYEES, JOIN_DAY, JOIN_MONTH, JOINER, LEAVE_DAY, LEAVE_MONTH, LEAVER
from domain.errors import RuleViolation
from domain.ge_debts import RecordGeDebt, SettleGeDebt
from domain.invoice_payments import RecordCreditNoteRefund, RecordInvoicePayment
from domain.member_funds import CallDeposit, CallMembershipFee, ReturnDeposit
from domain.member_register import NotifyRegisterChanges
from domain.periods import check_month, next_month
from projections import billing_reads
from projections.follower import Follower

FEE_CENTS = 15_000  # the general assembly's yearly fee
DEPOSIT_MONTHS = Decimal(1)  # a month of forecast billing
# Employer charges, as the demo's monthly costs count them (demo/haut_val_ge.py CHARGES).
CHARGES = Decimal("1.45")


def member_funds(partner_id: str, year: int, monthly_forecast_cents: int) -> list:
    """A member's fee for the year and its deposit of a month of forecast billing."""
    return [CallMembershipFee(partner_id=partner_id, year=year, amount_cents=FEE_CENTS),
            CallDeposit(partner_id=partner_id, months=DEPOSIT_MONTHS, monthly_forecast_cents=monthly_forecast_cents)]


def forecast_cents(partner: str, rate_of: dict[str, int]) -> int:
    """A member's forecast billing of a month: its share of each employee's month at the
    employee's rate (the share of the demo's draw of hours)."""
    total = Decimal(0)
    for e in EMPLOYEES:
        if partner in e.members:
            month_hours = sum(Decimal(h) for h in e.week) * 52 / 12
            total += month_hours * e.members[partner] / sum(e.members.values()) * rate_of[e.id]
    return int(total.quantize(Decimal(1)))


def _dates(first: str) -> tuple[date, date]:
    start = date.fromisoformat(f"{check_month(first)}-01")
    return (add_months(start, JOIN_MONTH - 1) + timedelta(days=JOIN_DAY - 1),
            add_months(start, LEAVE_MONTH - 1) + timedelta(days=LEAVE_DAY - 1))


def _months(first: str, months: int) -> Iterable[str]:
    month = first
    for _ in range(months):
        yield month
        month = next_month(month)


def year_end(ledger: Ledger, follower: Follower, first: str, months: int, actor: str) -> list[str]:
    """What the GE records around its invoices once the months are billed. The notes."""
    join_day, leave_day = _dates(first)
    last = list(_months(first, months))[-1]
    notes = []
    # The register: its changes up to the new member's file were notified ten days after it
    # joined; the departure of the crèche taken over by the CC is not yet: overdue.
    follower.catch_up()
    with follower.view.transaction() as conn:
        changes = register_changes(conn, follower.runner.position)
    joined = [c for c in changes if c.partner_id == JOINER]
    if joined:
        ledger.execute(NotifyRegisterChanges(up_to_position=joined[-1].position, notified_on=join_day + timedelta(days=10),
                                             reference="LRAR 1A 178 234 5567 8"), actor=actor)
        notes.append(f"register changes up to {JOINER}'s file notified on {join_day + timedelta(days=10)}")
    # The member who left gets its deposit back, whole, a fortnight after its last day.
    if leave_day.strftime("%Y-%m") <= last:
        try:
            ledger.execute(ReturnDeposit(partner_id=LEAVER, amount_cents=_held(follower, LEAVER),
                                         returned_on=leave_day + timedelta(days=15)), actor=actor)
            notes.append(f"{LEAVER}'s deposit returned")
        except RuleViolation:
            pass
    # The GE's debts: the quarter before last was paid to URSSAF; the last quarter's
    # contributions and the last month's salaries are owed.
    payroll = sum(e.monthly_cost_cents for e in EMPLOYEES)
    pay = int(Decimal(payroll) / CHARGES)
    all_months = list(_months(first, months))
    quarters = [all_months[-6:-3], all_months[-3:]] if months >= 6 else [all_months[-3:]]
    for n, quarter in enumerate(quarters, start=1):
        ledger.execute(RecordGeDebt(
            creditor_kind="social_bodies", creditor="URSSAF Rhône-Alpes", amount_cents=3 * (payroll - pay),
            first_month=quarter[0], last_month=quarter[-1], due_on=_day_after(quarter[-1], 15),
            reference=f"DSN {quarter[0]} à {quarter[-1]}"), actor=actor)
        if n < len(quarters):
            ledger.execute(SettleGeDebt(debt_id=f"d{n}", settled_on=_day_after(quarter[-1], 14),
                                        reference="prélèvement URSSAF"), actor=actor)
    ledger.execute(RecordGeDebt(creditor_kind="employees", creditor="Salariés du groupement", amount_cents=pay,
                                first_month=last, last_month=last, due_on=_day_after(last, 0),
                                reference=f"paie {last}"), actor=actor)
    notes.append("the GE's debts to its employees and URSSAF recorded (the quarter before last paid)")
    # The year-end regularisation at real cost.
    year = int(first[:4])
    try:
        issued = regularisation.issue_regularisation(ledger, follower, year, actor=actor)
        notes.append(f"the {year} regularisation: {len(issued.events)} documents")
    except RuleViolation:
        pass
    notes += _payments(ledger, follower, all_months, actor)
    notes += _refunds(ledger, follower, actor)
    follower.catch_up()
    return notes


def _payments(ledger: Ledger, follower: Follower, months: list[str], actor: str) -> list[str]:
    """The members' transfers, received the day each invoice was issued: every invoice of the
    months but the last two paid in full; of the month before last, one invoice half paid and
    the others in full; the last month's and the regularisation's left to pay (late once their
    30 days are past)."""
    if len(months) < 3:
        return []
    follower.catch_up()
    with follower.view.transaction() as conn:
        unpaid = billing_reads.unpaid_invoices_at(conn, follower.runner.position, date.today())
    paid = [r for r in unpaid if r["month"] < months[-2]]
    before_last = sorted((r for r in unpaid if r["month"] == months[-2]), key=lambda r: r["number"])
    commands = [RecordInvoicePayment(number=r["number"], amount_cents=r["left_cents"], paid_on=r["issued_on"],
                                     reference=f"virement SEPA {r['reference']}") for r in paid + before_last[1:]]
    if before_last:
        half = before_last[0]
        commands.append(RecordInvoicePayment(number=half["number"], amount_cents=half["left_cents"] // 2,
                                             paid_on=half["issued_on"],
                                             reference=f"virement SEPA {half['reference']} (acompte)"))
    if not commands:
        return []
    ledger.execute_batch(commands, actor=actor)
    return [f"{len(commands)} payments on GE invoices ({before_last[0]['reference'] if before_last else 'none'} "
            f"half paid, {months[-1]}'s invoices left to pay)"]


def _refunds(ledger: Ledger, follower: Follower, actor: str) -> list[str]:
    """The GE's transfers back on its regularisation credit notes, the day each was issued:
    the first refunded in full, the second half refunded (the rest still owed), any other left."""
    follower.catch_up()
    with follower.view.transaction() as conn:
        owed = billing_reads.refunds_owed_at(conn, follower.runner.position)
    full, half = owed[:1], owed[1:2]

    def refund(row: dict, amount: int, note: str) -> RecordCreditNoteRefund:
        return RecordCreditNoteRefund(number=row["number"], amount_cents=amount, refunded_on=row["issued_on"],
                                      reference=f"virement SEPA {row['reference']}{note}")

    commands = [refund(r, r["left_cents"], "") for r in full] + [refund(r, r["left_cents"] // 2, " (acompte)")
                                                                 for r in half]
    if not commands:
        return []
    ledger.execute_batch(commands, actor=actor)
    return [f"{len(commands)} refunds of regularisation credit notes (" + ", ".join(
        [f"{r['reference']} in full" for r in full] + [f"{r['reference']} half" for r in half]) + ")"]


def _day_after(month: str, days: int) -> date:
    """`days` days into the month after `month`."""
    return date.fromisoformat(f"{next_month(month)}-01") + timedelta(days=days)


def _held(follower: Follower, partner_id: str) -> int:
    follower.catch_up()
    with follower.view.transaction() as conn:
        funds = funds_at(conn, follower.runner.position).get(partner_id)
    return funds.held_cents if funds else 0
