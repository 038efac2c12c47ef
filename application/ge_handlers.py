"""The use cases of a groupement d'employeurs: its billing terms, its invoices, its member
register, its debts, its members' fees and deposits, the pool's HT or TTC, and the limits an employee's
contract sets on the hours logged for it (called by application/handlers.py).

Each handler reads through the unit of work and records what its command's domain module
decides, as the other handlers do."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Callable

from application.unit_of_work import UnitOfWork
from domain import (billing, ge_debts, invoice_payments, invoices, member_funds, member_register, pool_settings,
                    regularisation)
from domain.aggregate import Stamp
from domain.billing import (employment_aggregate_id, group_profile_aggregate_id, member_details_aggregate_id,
                            project_billing_terms, rate_book_aggregate_id)
from domain.billing_terms import SetContractTerms, SetGroupProfile, SetMemberDetails, SetRateCard
from domain.entries import Container
from domain.errors import NotFound
from domain.ge_debts import RecordGeDebt, SettleGeDebt, debt_book_aggregate_id, project_debt_book
from domain.invoices import IssueCreditNote, IssueInvoice, invoice_book_aggregate_id, project_invoice_book
from domain.invoice_payments import (RecordCreditNoteRefund, RecordInvoicePayment, payments_aggregate_id,
                                     project_payments)
from domain.regularisation import IssueRegularisation
from domain.ids import timesheet_aggregate_id
from domain.local_authority_cap import LocalAuthorityCap, check_cap, yearly_contract_hours
from domain.member_funds import (CallDeposit, CallMembershipFee, ReturnDeposit, member_funds_aggregate_id,
                                 project_member_funds)
from domain.member_register import NotifyRegisterChanges, project_notifications, register_aggregate_id
from domain.partners import require_partner
from domain.periods import iso_week
from domain.pool_settings import SetCostBasis, pool_settings_aggregate_id, project_pool_settings
from domain.resources import require_resource
from domain.timesheets import WorkingTimeLimits
from domain.working_time import check_part_time_extra


def set_contract_terms(uow: UnitOfWork, cmd: SetContractTerms, stamp: Stamp) -> None:
    employee = require_resource(uow.resource(cmd.employee_id), cmd.employee_id, field="employee_id")
    employee.check_kind("staff", field="employee_id")
    employment = uow.get(employment_aggregate_id(cmd.employee_id), project_billing_terms)
    uow.record(billing.set_terms(employment, cmd, stamp), billing.evolve)


def set_rate_card(uow: UnitOfWork, cmd: SetRateCard, stamp: Stamp) -> None:
    for field, named in (("member_coefficients", cmd.member_coefficients),
                         ("member_flat_fees_cents", cmd.member_flat_fees_cents)):
        for partner_id in named:
            require_partner(uow.partner(partner_id), partner_id, field=f"{field}.{partner_id}")
    book = uow.get(rate_book_aggregate_id(), project_billing_terms)
    uow.record(billing.set_card(book, cmd, stamp), billing.evolve)


def set_group_profile(uow: UnitOfWork, cmd: SetGroupProfile, stamp: Stamp) -> None:
    for i, resource_id in enumerate(cmd.running_cost_resources):
        require_resource(uow.resource(resource_id), resource_id, field=f"running_cost_resources.{i}")
    profile = uow.get(group_profile_aggregate_id(), project_billing_terms)
    uow.record(billing.set_profile(profile, cmd, stamp), billing.evolve)


def set_member_details(uow: UnitOfWork, cmd: SetMemberDetails, stamp: Stamp) -> None:
    require_partner(uow.partner(cmd.partner_id), cmd.partner_id)
    details = uow.get(member_details_aggregate_id(cmd.partner_id), project_billing_terms)
    uow.record(billing.set_member_details(details, cmd, stamp), billing.evolve)


def issue_invoice(uow: UnitOfWork, cmd: IssueInvoice, stamp: Stamp) -> None:
    require_partner(uow.partner(cmd.partner_id), cmd.partner_id)
    book = uow.get(invoice_book_aggregate_id(), project_invoice_book)
    employments = {line.employee_id: uow.get(employment_aggregate_id(line.employee_id), project_billing_terms)
                   for line in cmd.lines}
    uow.record(invoices.issue_invoice(
        book, cmd, uow.get(group_profile_aggregate_id(), project_billing_terms),
        uow.get(member_details_aggregate_id(cmd.partner_id), project_billing_terms), employments,
        uow.get(rate_book_aggregate_id(), project_billing_terms), stamp), invoices.evolve)


def issue_credit_note(uow: UnitOfWork, cmd: IssueCreditNote, stamp: Stamp) -> None:
    book = uow.get(invoice_book_aggregate_id(), project_invoice_book)
    uow.record(invoices.issue_credit_note(
        book, cmd, uow.get(group_profile_aggregate_id(), project_billing_terms),
        uow.get(member_details_aggregate_id(cmd.partner_id), project_billing_terms), stamp), invoices.evolve)


def issue_regularisation(uow: UnitOfWork, cmd: IssueRegularisation, stamp: Stamp) -> None:
    book = uow.get(invoice_book_aggregate_id(), project_invoice_book)
    details = {m.partner_id: uow.get(member_details_aggregate_id(m.partner_id), project_billing_terms)
               for m in cmd.members}
    profile = uow.get(group_profile_aggregate_id(), project_billing_terms)
    for event in regularisation.issue_regularisation(book, cmd, profile, details, stamp):
        uow.record(event, invoices.evolve)


def record_invoice_payment(uow: UnitOfWork, cmd: RecordInvoicePayment, stamp: Stamp) -> None:
    book = uow.get(invoice_book_aggregate_id(), project_invoice_book)
    payments = uow.get(payments_aggregate_id(cmd.number), project_payments)
    uow.record(invoice_payments.record_payment(payments, book.find(cmd.number) if book else None, cmd, stamp),
               invoice_payments.evolve)


def record_credit_note_refund(uow: UnitOfWork, cmd: RecordCreditNoteRefund, stamp: Stamp) -> None:
    book = uow.get(invoice_book_aggregate_id(), project_invoice_book)
    payments = uow.get(payments_aggregate_id(cmd.number), project_payments)
    uow.record(invoice_payments.record_refund(payments, book.find(cmd.number) if book else None, cmd, stamp),
               invoice_payments.evolve)


def notify_register_changes(uow: UnitOfWork, cmd: NotifyRegisterChanges, stamp: Stamp,
                            log_end: Callable[[], int]) -> None:
    notifications = uow.get(register_aggregate_id(), project_notifications)
    uow.record(member_register.notify(notifications, cmd, log_end(), stamp), member_register.evolve)


def set_cost_basis(uow: UnitOfWork, cmd: SetCostBasis, stamp: Stamp) -> None:
    settings = uow.get(pool_settings_aggregate_id(), project_pool_settings)
    uow.record(pool_settings.set_basis(settings, cmd, stamp), pool_settings.evolve)


def record_ge_debt(uow: UnitOfWork, cmd: RecordGeDebt, stamp: Stamp) -> None:
    book = uow.get(debt_book_aggregate_id(), project_debt_book)
    uow.record(ge_debts.record(book, cmd, stamp), ge_debts.evolve)


def settle_ge_debt(uow: UnitOfWork, cmd: SettleGeDebt, stamp: Stamp) -> None:
    book = uow.get(debt_book_aggregate_id(), project_debt_book)
    uow.record(ge_debts.settle(book, cmd, stamp), ge_debts.evolve)


def _member_and_funds(uow: UnitOfWork, partner_id: str):
    """A GE member (a partner with a member file) and its fees and deposit."""
    partner = require_partner(uow.partner(partner_id), partner_id)
    if uow.get(member_details_aggregate_id(partner_id), project_billing_terms) is None:
        raise NotFound(f"'{partner_id}' has no member file: it is not a member of the GE", field="partner_id")
    return partner, uow.get(member_funds_aggregate_id(partner_id), project_member_funds)


def call_membership_fee(uow: UnitOfWork, cmd: CallMembershipFee, stamp: Stamp) -> None:
    partner, funds = _member_and_funds(uow, cmd.partner_id)
    uow.record(member_funds.call_fee(funds, partner, cmd, stamp), member_funds.evolve)


def call_deposit(uow: UnitOfWork, cmd: CallDeposit, stamp: Stamp) -> None:
    partner, funds = _member_and_funds(uow, cmd.partner_id)
    uow.record(member_funds.call_deposit(funds, partner, cmd, stamp), member_funds.evolve)


def return_deposit(uow: UnitOfWork, cmd: ReturnDeposit, stamp: Stamp) -> None:
    partner, funds = _member_and_funds(uow, cmd.partner_id)
    uow.record(member_funds.return_deposit(funds, partner, cmd, stamp), member_funds.evolve)


# The limits an employee's contract sets -------------------------------------------------


def check_part_time(uow: UnitOfWork, limits: WorkingTimeLimits, employee, sheet: Container, day: date,
                     hours: Decimal, replacing: str | None, field: str) -> None:
    """A part-time employee's week within its contract and the extra hours the law allows
    (domain/working_time.py check_part_time_extra), by the contract in force that month."""
    employment = uow.get(employment_aggregate_id(employee.resource_id), project_billing_terms)
    terms = employment.in_force(f"{day.year}-{day.month:02d}") if employment else None
    if terms is None or terms.working_time != "part_time":
        return
    total = sum((e.quantity for e in sheet.open_entries() if e.entry_id != replacing), Decimal(0)) + hours
    check_part_time_extra(employee.name, sheet.period, total, terms.weekly_hours, limits, field)


def _is_local_authority(uow: UnitOfWork, partner_id: str | None) -> bool:
    details = uow.get(member_details_aggregate_id(partner_id), project_billing_terms) if partner_id else None
    return details is not None and details.local_authority


def check_local_authority_cap(uow: UnitOfWork, cap: LocalAuthorityCap, employee, partner_id: str, day: date,
                               hours: Decimal, replacing: str | None, field: str) -> None:
    """Hours for a local-authority member within the year's cap (domain/local_authority_cap.py):
    the year's timesheets are read only for such hours, and only for an employee whose
    contract says what the year's working time is."""
    if not cap.refuses or not _is_local_authority(uow, partner_id):
        return
    employment = uow.get(employment_aggregate_id(employee.resource_id), project_billing_terms)
    if employment is None:
        return
    terms = [employment.in_force(f"{day.year}-{month:02d}") for month in range(1, 13)]
    contract = yearly_contract_hours(t.weekly_hours if t else None for t in terms)
    weeks = sorted({iso_week(date(day.year, 1, 1) + timedelta(days=d)) for d in range(0, 366, 7)}
                   | {iso_week(date(day.year, 12, 31))})
    already = Decimal(0)
    for week in weeks:
        sheet = uow.consult(timesheet_aggregate_id(employee.resource_id, week))
        for entry in sheet.open_entries() if sheet else ():
            if entry.day.year == day.year and entry.entry_id != replacing and _is_local_authority(uow, entry.partner_id):
                already += entry.quantity
    check_cap(cap, employee.name, day.year, already, hours, contract, field)
