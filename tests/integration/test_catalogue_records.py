"""What each command declares it records (`records`, read by the catalogue test) is what its
handler records, on a real history with closes, a correction, comments, credits and rejections,
then the copier's tariff settled for the year, a departure, a return and a retirement, and a
GE's terms and invoices."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from application import regularisation
from application.close_month import close_month
from application.hour_sheets import submit_month
from application.tariff_settlement import settle_tariff_year
from application.permissions import Visitor
from bootstrap import bootstrap
from domain.access import IssueToken, RevokeToken
from domain.catalogue import RECORDED_WITHOUT_COMMAND, event_classes, event_type
from domain.closing import ClosePeriod
from demo.hour_sheets import Member
from domain.commands import LeavePartner, RejoinPartner, RetireResource
from domain.invoice_payments import RecordCreditNoteRefund
from domain.regularisation import IssueRegularisation
from domain.hour_sheets import ContestHourSheet, CountersignHourSheet, SubmitHourSheet
from domain.people import (AcceptInvitation, CloseSession, InvitePerson, OpenSession, RevokePerson,
                           person_aggregate_id)
from projections import billing_reads, read_model
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings
from domain.billing_terms import SetContractTerms, SetGroupProfile, SetMemberDetails, SetRateCard
from domain.ge_debts import RecordGeDebt, SettleGeDebt
from domain.member_funds import CallDeposit, CallMembershipFee, ReturnDeposit
from domain.member_register import NotifyRegisterChanges
from domain.pool_settings import SetCostBasis
from domain.tariff_settlement import SettleTariffYear
from tests.history import ACTOR, Close, history
from tests.invoice_fixtures import ge_after_history
from tests.regularisation_fixtures import year_end_store


def regularise_and_refund(tmp: Path) -> list[tuple[type, object]]:
    """The year-end GE's regularisation, then one cent refunded on its first credit note."""
    tmp.mkdir()
    with bootstrap(year_end_store(tmp)) as ledger:
        follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "scratch.duckdb"))
        try:
            follower.catch_up()
            runs = [(IssueRegularisation, regularisation.issue_regularisation(ledger, follower, 2026, actor=ACTOR))]
            follower.catch_up()
            with follower.view.transaction() as conn:
                owed = billing_reads.refunds_owed_at(conn, follower.runner.position)
            runs.append((RecordCreditNoteRefund, ledger.execute(RecordCreditNoteRefund(
                number=owed[0]["number"], amount_cents=1, refunded_on=date.today(), reference="virement"),
                actor=ACTOR)))
        finally:
            follower.view.close()
    return runs


def test_every_command_of_the_history_records_only_events_it_declares(tmp_path: Path) -> None:
    """Each command, executed alone, records events of the types its `records` names; the
    history covers every event type that a command records."""
    ledger = bootstrap(Settings(sqlite_path=tmp_path / "ledger.sqlite"))
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp_path / "projections.duckdb"), page_size=50)
    undeclared, seen = [], set()
    try:
        afterwards = [LeavePartner(partner_id="mda", last_day="2026-12-31"),
                      RejoinPartner(partner_id="club-b", joined_on="2027-02-01"),
                      RetireResource(resource_id="copieur", retired_on="2027-01-01"),
                      IssueToken(token_sha256="a" * 64, role="auditor", partner_id=None, label="audit",
                                 signing_key=b"k" * 32),
                      RevokeToken(token_sha256="a" * 64)]
        # People: invited by the coordinator; accepting and signing in are a visitor's.
        person = person_aggregate_id("alix@audit.example")
        soon = datetime.now(timezone.utc) + timedelta(days=1)
        people = [(InvitePerson(email="alix@audit.example", name="Alix", role="auditor", invitation_sha256="b" * 64,
                                expires_at=soon, signing_key=b"k" * 32), ACTOR),
                  (AcceptInvitation(person_id=person, invitation_sha256="b" * 64, password_hash="$argon2id$x"),
                   Visitor()),
                  (OpenSession(person_id=person, session_sha256="c" * 64, expires_at=soon, signing_key=b"k" * 32),
                   Visitor()),
                  (CloseSession(session_sha256="c" * 64), Visitor()),
                  (RevokePerson(email="alix@audit.example"), ACTOR)]
        ge = object()  # the GE's terms and invoices, once the history is recorded
        settlement = object()  # the copier's year settled, as the coordinator's page does it
        # More of the GE: its register, debts, fees and deposit; and the pool's HT or TTC.
        ge_more = [SetGroupProfile(legal_name="GE", address="Mairie", siren="732829320", vat_regime="exempt_261b",
                              late_penalty_rate=Decimal("12")),
              SetMemberDetails(partner_id="creche-a", legal_name="Crèche", address="Rue", local_authority=False),
              SetContractTerms(employee_id="anne", applies_from="2026-01", contract_kind="cdi", working_time="full_time",
                               weekly_hours=Decimal(35), hourly_pay_cents=1200, job_title="Agent"),
              SetRateCard(applies_from="2026-01", default_coefficient=Decimal("1.8")),
              NotifyRegisterChanges(up_to_position=1, notified_on="2026-02-01", reference="LRAR"),
              SetCostBasis(applies_from="2026-01", basis="ttc"),
              RecordGeDebt(creditor_kind="employees", creditor="Salariés", amount_cents=100, first_month="2026-01",
                           last_month="2026-01", due_on="2026-02-05", reference="paie"),
              SettleGeDebt(debt_id="d1", settled_on="2026-02-05", reference="virement"),
              CallMembershipFee(partner_id="creche-a", year=2026, amount_cents=15_000),
              SetMemberDetails(partner_id="mda", legal_name="Maison des associations", address="Place"),
              CallDeposit(partner_id="mda", amount_cents=10_000)]
        # Once the maison des associations has left (in `afterwards`), its deposit goes back.
        afterwards.append(ReturnDeposit(partner_id="mda", amount_cents=10_000, returned_on="2027-01-01"))
        for item in [*history(), settlement, ge, ge_more, afterwards, people]:
            if isinstance(item, Close):
                runs = [(ClosePeriod, close_month(ledger, follower, item.month, actor=ACTOR))]
            elif item is ge:
                runs = ge_after_history(ledger, follower)
            elif item is settlement:
                follower.catch_up()
                runs = [(SettleTariffYear, settle_tariff_year(ledger, follower, "copieur", 2026, "2026-12",
                                                              follower.runner.position, actor=ACTOR))]
            elif item is people:
                runs = [(type(command), ledger.execute(command, actor=actor)) for command, actor in item]
            else:
                runs = [(type(command), ledger.execute(command, actor=ACTOR)) for command in item]
            for command, outcome in runs:
                declared = {event_type(cls) for cls in command.records}
                recorded = {event.type for event in outcome.events}
                seen |= recorded
                if not recorded <= declared:
                    undeclared.append(f"{command.__name__} recorded {sorted(recorded - declared)}, "
                                      f"declares {sorted(declared)}")
        # Hour sheets: submitted from the read model, then one signed and one contested by its member.
        runs = [(SubmitHourSheet, submit_month(ledger, follower, "2026-01", actor=ACTOR))]
        follower.catch_up()
        rows = read_model.hour_sheets_of_month(follower.view.connection, "2026-01", follower.runner.position)
        assert len(rows) >= 2, "the history has hours of one employee for two members in January"
        runs.append((CountersignHourSheet, ledger.execute(CountersignHourSheet(
            sheet_id=rows[0]["sheet_id"], signed_by="Marie", entries_sha256=rows[0]["submitted_sha256"]),
            actor=Member(rows[0]["partner_id"]))))
        runs.append((ContestHourSheet, ledger.execute(ContestHourSheet(sheet_id=rows[1]["sheet_id"], reason="non"),
                                                      actor=Member(rows[1]["partner_id"]))))
        for command, outcome in runs:
            recorded = {event.type for event in outcome.events}
            seen |= recorded
            if not recorded <= {event_type(cls) for cls in command.records}:
                undeclared.append(f"{command.__name__} recorded {sorted(recorded)}")
    finally:
        follower.view.close()
        ledger.close()
    # The history's year is billed less than it cost: its regularisation issues no credit note.
    # The year of tests/regularisation_fixtures.py does, one refunded in part.
    for command, outcome in regularise_and_refund(tmp_path / "year"):
        recorded = {event.type for event in outcome.events}
        seen |= recorded
        if not recorded <= {event_type(cls) for cls in command.records}:
            undeclared.append(f"{command.__name__} recorded {sorted(recorded)}")
    assert undeclared == []
    recorded_by_commands = {event_type(e) for e in event_classes()} - set(RECORDED_WITHOUT_COMMAND)
    assert recorded_by_commands <= seen, sorted(recorded_by_commands - seen)
