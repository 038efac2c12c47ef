"""Command handlers: load what a command needs, let the domain decide, keep the events.

Each handler reads through the unit of work and records the events its command names in
`records` (one, or a resolution and its credit); the ledger saves the unit's events in one
transaction. A handler receives only what it needs: the working-time limits are bound
(`handlers(limits, log_end)`) to the handlers that check hours or positions.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

from application.ge_handlers import (call_deposit, call_membership_fee, check_local_authority_cap, check_part_time,
                                     notify_register_changes, record_ge_debt, return_deposit, set_contract_terms,
                                     issue_credit_note, issue_invoice, issue_regularisation, record_invoice_payment,
                                     record_credit_note_refund,
                                     set_cost_basis, set_group_profile,
                                     set_member_details, set_rate_card, settle_ge_debt)
from domain import (access, agendas, closing, costs, disputes, entries, hour_sheets, partners, people, resources,
                    tariff_settlement, timesheets)
from domain.access import IssueToken, RevokeToken, token_aggregate_id
from domain.billing_terms import SetContractTerms, SetGroupProfile, SetMemberDetails, SetRateCard
from domain.closing import ClosePeriod
from domain.ge_debts import RecordGeDebt, SettleGeDebt
from domain.member_funds import CallDeposit, CallMembershipFee, ReturnDeposit
from domain.member_register import NotifyRegisterChanges
from domain.pool_settings import SetCostBasis
from domain.invoices import IssueCreditNote, IssueInvoice
from domain.regularisation import IssueRegularisation
from domain.tariff_settlement import SettleTariffYear
from domain.invoice_payments import RecordCreditNoteRefund, RecordInvoicePayment
from domain.people import (AcceptInvitation, CloseSession, InvitePerson, OpenSession, RevokePerson,
                           person_aggregate_id, session_aggregate_id)
from domain.disputes import CommentDispute, OpenDispute, ResolveDispute
from domain.hour_sheets import ContestHourSheet, CountersignHourSheet, SubmitHourSheet, sheet_aggregate_id
from domain.aggregate import Stamp
from domain.commands import (
    BookSlot,
    CancelBooking,
    Command,
    CorrectEntry,
    JoinPartner,
    LeavePartner,
    LogStaffHours,
    RecordCost,
    RecordEquipmentUse,
    RegisterResource,
    RejoinPartner,
    RetireResource,
    SetAllocationKey,
    VoidEntry,
)
from domain.entries import Container, Entry, empty_container, require_container
from domain.errors import NotFound
from domain.ids import (
    agenda_aggregate_id,
    container_aggregate_id,
    cost_book_aggregate_id,
    timesheet_aggregate_id,
)
from domain.partners import require_partner
from domain.periods import iso_week, local_day
from domain.resources import require_resource
from domain.local_authority_cap import LocalAuthorityCap
from domain.timesheets import WorkingTimeLimits
from application.unit_of_work import UnitOfWork


def join_partner(uow: UnitOfWork, cmd: JoinPartner, stamp: Stamp) -> None:
    uow.record(partners.join(uow.partner(cmd.partner_id), cmd, stamp), partners.evolve)


def leave_partner(uow: UnitOfWork, cmd: LeavePartner, stamp: Stamp) -> None:
    partner = require_partner(uow.partner(cmd.partner_id), cmd.partner_id)
    uow.record(partners.leave(partner, cmd, stamp), partners.evolve)


def rejoin_partner(uow: UnitOfWork, cmd: RejoinPartner, stamp: Stamp) -> None:
    partner = require_partner(uow.partner(cmd.partner_id), cmd.partner_id)
    uow.record(partners.rejoin(partner, cmd, stamp), partners.evolve)


def register_resource(
    uow: UnitOfWork, cmd: RegisterResource, stamp: Stamp
) -> None:
    uow.record(resources.register(uow.resource(cmd.resource_id), cmd, stamp), resources.evolve)


def retire_resource(uow: UnitOfWork, cmd: RetireResource, stamp: Stamp) -> None:
    resource = require_resource(uow.resource(cmd.resource_id), cmd.resource_id)
    uow.record(resources.retire(resource, cmd, stamp), resources.evolve)


def set_allocation_key(
    uow: UnitOfWork, cmd: SetAllocationKey, stamp: Stamp
) -> None:
    resource = require_resource(uow.resource(cmd.resource_id), cmd.resource_id)
    key = cmd.key
    named = [("key.weights", p) for p in key.weights] + [("key.partners", p) for p in key.partners]
    for i, part in enumerate(key.parts):
        named += [(f"key.parts.{i}.weights", p) for p in part.weights]
        named += [(f"key.parts.{i}.partners", p) for p in part.partners]
    for field, partner_id in named:
        if uow.partner(partner_id) is None:
            raise NotFound(f"the key names partner '{partner_id}', who is not registered", field=field)
    uow.record(resources.set_key(resource, cmd, stamp), resources.evolve)


def record_cost(uow: UnitOfWork, cmd: RecordCost, stamp: Stamp) -> None:
    resource = require_resource(uow.resource(cmd.resource_id), cmd.resource_id)
    book = _container(uow, cost_book_aggregate_id(cmd.resource_id, cmd.month), cmd.resource_id, cmd.month)
    uow.record(costs.record_cost(book, cmd, resource, stamp), entries.evolve)


def book_slot(uow: UnitOfWork, cmd: BookSlot, stamp: Stamp) -> None:
    resource = require_resource(uow.resource(cmd.resource_id), cmd.resource_id)
    partner = require_partner(uow.partner(cmd.partner_id), cmd.partner_id)
    day = local_day(cmd.starts_at).isoformat()
    agenda = _container(uow, agenda_aggregate_id(cmd.resource_id, day), cmd.resource_id, day)
    uow.record(agendas.book(agenda, cmd, resource, partner, stamp), entries.evolve)


def cancel_booking(uow: UnitOfWork, cmd: CancelBooking, stamp: Stamp) -> None:
    agenda = require_container(uow.container(container_aggregate_id(cmd.entry_id)), cmd.entry_id)
    uow.record(agendas.cancel(agenda, cmd, stamp), entries.evolve)


def log_staff_hours(
    uow: UnitOfWork, cmd: LogStaffHours, stamp: Stamp, limits: WorkingTimeLimits, cap: LocalAuthorityCap
) -> None:
    employee = require_resource(uow.resource(cmd.employee_id), cmd.employee_id, field="employee_id")
    partner = require_partner(uow.partner(cmd.partner_id), cmd.partner_id)
    week = iso_week(local_day(cmd.starts_at) if cmd.timed else cmd.work_date)
    sheet = _container(uow, timesheet_aggregate_id(cmd.employee_id, week), cmd.employee_id, week)
    event = timesheets.log_hours(sheet, cmd, employee, partner, limits, stamp, _sheets(uow, cmd.employee_id))
    check_part_time(uow, limits, employee, sheet, event.work_date, event.hours, None, "hours")
    check_local_authority_cap(uow, cap, employee, event.partner_id, event.work_date, event.hours, None, "hours")
    uow.record(event, entries.evolve)


def record_equipment_use(
    uow: UnitOfWork, cmd: RecordEquipmentUse, stamp: Stamp
) -> None:
    resource = require_resource(uow.resource(cmd.resource_id), cmd.resource_id)
    partner = require_partner(uow.partner(cmd.partner_id), cmd.partner_id)
    day = cmd.used_on.isoformat()
    agenda = _container(uow, agenda_aggregate_id(cmd.resource_id, day), cmd.resource_id, day)
    uow.record(agendas.record_use(agenda, cmd, resource, partner, stamp), entries.evolve)


def correct_entry(uow: UnitOfWork, cmd: CorrectEntry, stamp: Stamp, limits: WorkingTimeLimits,
                  cap: LocalAuthorityCap) -> None:
    container = require_container(uow.container(container_aggregate_id(cmd.entry_id)), cmd.entry_id)

    def check_hours(sheet: Container, entry: Entry, hours) -> None:
        employee = require_resource(uow.resource(sheet.resource_id), sheet.resource_id)
        timesheets.check_limits(sheet, employee.name, entry, hours, limits, _sheets(uow, sheet.resource_id))
        check_part_time(uow, limits, employee, sheet, entry.day, hours, entry.entry_id, "quantity")
        if hours > entry.quantity:
            check_local_authority_cap(uow, cap, employee, entry.partner_id, entry.day, hours, entry.entry_id,
                                       "quantity")

    uow.record(entries.correct(container, cmd, stamp, check_hours), entries.evolve)


def void_entry(uow: UnitOfWork, cmd: VoidEntry, stamp: Stamp) -> None:
    container = require_container(uow.container(container_aggregate_id(cmd.entry_id)), cmd.entry_id)
    uow.record(entries.void(container, cmd, stamp), entries.evolve)


def close_period(uow: UnitOfWork, cmd: ClosePeriod, stamp: Stamp) -> None:
    calendar = uow.get(closing.calendar_aggregate_id(), closing.project_calendar)
    uow.record(closing.close(calendar, cmd, stamp), closing.evolve)


def open_dispute(uow: UnitOfWork, cmd: OpenDispute, stamp: Stamp) -> None:
    require_partner(uow.partner(cmd.partner_id), cmd.partner_id)
    require_resource(uow.resource(cmd.resource_id), cmd.resource_id)
    desk = uow.get(disputes.desk_aggregate_id(cmd.partner_id, cmd.month), disputes.project_desk)
    uow.record(disputes.open_dispute(desk, cmd, stamp), disputes.evolve)


def comment_dispute(uow: UnitOfWork, cmd: CommentDispute, stamp: Stamp) -> None:
    uow.record(disputes.comment(_desk(uow, cmd.dispute_id), cmd, stamp), disputes.evolve)


def resolve_dispute(uow: UnitOfWork, cmd: ResolveDispute, stamp: Stamp) -> None:
    for entry in cmd.corrected_entries:
        container = require_container(uow.container(container_aggregate_id(entry)), entry)
        container.find(entry)
    calendar = uow.get(closing.calendar_aggregate_id(), closing.project_calendar)
    first_open = calendar.first_open_month if calendar else None
    for event in disputes.resolve(_desk(uow, cmd.dispute_id), cmd, first_open, stamp):
        uow.record(event, disputes.evolve)


def settle_tariff_year(uow: UnitOfWork, cmd: SettleTariffYear, stamp: Stamp) -> None:
    resource = require_resource(uow.resource(cmd.resource_id), cmd.resource_id)
    for i, partner in enumerate(cmd.partners):
        require_partner(uow.partner(partner.partner_id), partner.partner_id, field=f"partners.{i}.partner_id")
    calendar = uow.get(closing.calendar_aggregate_id(), closing.project_calendar)
    book = uow.get(tariff_settlement.settlement_book_aggregate_id(cmd.resource_id),
                   tariff_settlement.project_settlement_book)
    uow.record(tariff_settlement.settle_year(book, cmd, resource, calendar.closed if calendar else (), stamp),
               tariff_settlement.evolve)


def submit_hour_sheet(uow: UnitOfWork, cmd: SubmitHourSheet, stamp: Stamp) -> None:
    employee = require_resource(uow.resource(cmd.employee_id), cmd.employee_id, field="employee_id")
    employee.check_kind("staff", field="employee_id")
    require_partner(uow.partner(cmd.partner_id), cmd.partner_id)
    sheet = uow.get(sheet_aggregate_id(cmd.sheet_id), hour_sheets.project_sheet)
    uow.record(hour_sheets.submit(sheet, cmd, stamp), hour_sheets.evolve)


def countersign_hour_sheet(uow: UnitOfWork, cmd: CountersignHourSheet, stamp: Stamp) -> None:
    sheet = uow.get(sheet_aggregate_id(cmd.sheet_id), hour_sheets.project_sheet)
    uow.record(hour_sheets.countersign(sheet, cmd, stamp), hour_sheets.evolve)


def contest_hour_sheet(uow: UnitOfWork, cmd: ContestHourSheet, stamp: Stamp) -> None:
    sheet = uow.get(sheet_aggregate_id(cmd.sheet_id), hour_sheets.project_sheet)
    uow.record(hour_sheets.contest(sheet, cmd, stamp), hour_sheets.evolve)


def issue_token(uow: UnitOfWork, cmd: IssueToken, stamp: Stamp) -> None:
    if cmd.partner_id is not None:
        require_partner(uow.partner(cmd.partner_id), cmd.partner_id)
    existing = uow.get(token_aggregate_id(cmd.token_sha256), access.project_token)
    uow.record(access.issue(existing, cmd.token_sha256, cmd.role, cmd.partner_id, cmd.label, stamp,
                            key=cmd.signing_key.get_secret_value()), access.evolve)


def revoke_token(uow: UnitOfWork, cmd: RevokeToken, stamp: Stamp) -> None:
    token = uow.get(token_aggregate_id(cmd.token_sha256), access.project_token)
    if token is None:
        raise NotFound("no such token", field="token")
    uow.record(access.revoke(token, stamp), access.evolve)


def invite_person(uow: UnitOfWork, cmd: InvitePerson, stamp: Stamp) -> None:
    if cmd.partner_id is not None:
        require_partner(uow.partner(cmd.partner_id), cmd.partner_id)
    if cmd.employee_id is not None:
        employee = require_resource(uow.resource(cmd.employee_id), cmd.employee_id, field="employee_id")
        employee.check_kind("staff", field="employee_id")
    existing = uow.get(person_aggregate_id(cmd.email), people.project_person)
    uow.record(people.invite(existing, cmd, stamp), people.evolve)


def accept_invitation(uow: UnitOfWork, cmd: AcceptInvitation, stamp: Stamp) -> None:
    person = uow.get(cmd.person_id, people.project_person)
    uow.record(people.accept(person, cmd, stamp), people.evolve)


def revoke_person(uow: UnitOfWork, cmd: RevokePerson, stamp: Stamp) -> None:
    person = uow.get(person_aggregate_id(cmd.email), people.project_person)
    uow.record(people.revoke(person, cmd.email, stamp), people.evolve)


def open_session(uow: UnitOfWork, cmd: OpenSession, stamp: Stamp) -> None:
    person = uow.get(cmd.person_id, people.project_person)
    existing = uow.get(session_aggregate_id(cmd.session_sha256), people.project_session)
    uow.record(people.open_session(person, existing, cmd, stamp), people.evolve_session)


def close_session(uow: UnitOfWork, cmd: CloseSession, stamp: Stamp) -> None:
    session = uow.get(session_aggregate_id(cmd.session_sha256), people.project_session)
    uow.record(people.close_session(session, stamp), people.evolve_session)


def _desk(uow: UnitOfWork, dispute_id: str) -> disputes.DisputeDesk:
    desk = uow.get(disputes.desk_of(dispute_id), disputes.project_desk)
    if desk is None:
        raise NotFound(f"no dispute '{dispute_id}'", field="dispute_id")
    return desk


def _sheets(uow: UnitOfWork, employee_id: str) -> Callable[[str], Container | None]:
    """The employee's timesheet of a week, read when a working-time rule asks for it:
    consulted, so that the decision is saved only if that week is still as read
    (docs/working_time.md, "Concurrent writers")."""
    return lambda week: uow.consult(timesheet_aggregate_id(employee_id, week))


def _container(uow: UnitOfWork, aggregate_id, resource_id: str, period: str) -> Container:
    return uow.container(aggregate_id) or empty_container(aggregate_id, resource_id, period)


Handler = Callable[[UnitOfWork, Command, Stamp], None]


def handlers(limits: WorkingTimeLimits, log_end: Callable[[], int],
             cap: LocalAuthorityCap = LocalAuthorityCap()) -> dict[type[Command], Handler]:
    """The handler of every command, the working-time limits, the local authorities' cap and
    the log's end bound where they are used."""
    return {
        JoinPartner: join_partner,
        LeavePartner: leave_partner,
        RejoinPartner: rejoin_partner,
        RegisterResource: register_resource,
        RetireResource: retire_resource,
        SetAllocationKey: set_allocation_key,
        RecordCost: record_cost,
        BookSlot: book_slot,
        CancelBooking: cancel_booking,
        LogStaffHours: partial(log_staff_hours, limits=limits, cap=cap),
        RecordEquipmentUse: record_equipment_use,
        CorrectEntry: partial(correct_entry, limits=limits, cap=cap),
        VoidEntry: void_entry,
        ClosePeriod: close_period,
        OpenDispute: open_dispute,
        CommentDispute: comment_dispute,
        ResolveDispute: resolve_dispute,
        SettleTariffYear: settle_tariff_year,
        SubmitHourSheet: submit_hour_sheet,
        CountersignHourSheet: countersign_hour_sheet,
        ContestHourSheet: contest_hour_sheet,
        IssueToken: issue_token,
        RevokeToken: revoke_token,
        InvitePerson: invite_person,
        AcceptInvitation: accept_invitation,
        RevokePerson: revoke_person,
        OpenSession: open_session,
        CloseSession: close_session,
        SetContractTerms: set_contract_terms,
        SetRateCard: set_rate_card,
        SetGroupProfile: set_group_profile,
        SetMemberDetails: set_member_details,
        NotifyRegisterChanges: partial(notify_register_changes, log_end=log_end),
        SetCostBasis: set_cost_basis,
        RecordGeDebt: record_ge_debt,
        SettleGeDebt: settle_ge_debt,
        CallMembershipFee: call_membership_fee,
        CallDeposit: call_deposit,
        ReturnDeposit: return_deposit,
        IssueInvoice: issue_invoice,
        IssueCreditNote: issue_credit_note,
        IssueRegularisation: issue_regularisation,
        RecordInvoicePayment: record_invoice_payment,
        RecordCreditNoteRefund: record_credit_note_refund,
    }
