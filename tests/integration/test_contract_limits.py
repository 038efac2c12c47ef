"""The limits an employee's contract sets, on a real SQLite store: the local authorities' cap
on its year (C. trav. L1253-20) and a part-time week's extra hours (L3123-28). Hours past
the cap are refused with the figures and nothing is stored; other members' hours, another year, a correction downwards, a GE that
only warns and an employee without a contract are not refused.

With a share of 1 % (a setting), Anne's full-time year (35 h a week from January: 1 607 h)
allows 16,07 h for local authorities, few enough to reach in a test."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from api.pages.messages import french
from application.ledger import Ledger
from bootstrap import bootstrap
from domain.billing_terms import SetContractTerms, SetMemberDetails
from domain.commands import CorrectEntry, JoinPartner, LogStaffHours, RegisterResource
from domain.errors import LocalAuthorityCapExceeded, WorkingTimeExceeded
from settings import Settings
from tests.ledger_fixtures import COORDINATOR, event_count, small_pool


def open_ledger(tmp_path: Path, refuses: bool = True) -> Ledger:
    ledger = bootstrap(Settings(sqlite_path=tmp_path / "ledger.sqlite", local_authority_share=Decimal("0.01"),
                                local_authority_cap_refuses=refuses))
    small_pool(ledger)
    ledger.execute_batch([
        JoinPartner(partner_id="commune-c", name="Commune de C", kind="commune", joined_on="2026-01-01"),
        RegisterResource(resource_id="paul", name="Paul Durand", kind="staff", unit="hour"),
        SetMemberDetails(partner_id="commune-c", legal_name="Commune de C", address="Mairie", local_authority=True),
        SetMemberDetails(partner_id="creche-a", legal_name="Crèche Les Marmots", address="Rue des Prés"),
        SetContractTerms(employee_id="anne", applies_from="2026-01", contract_kind="cdi", working_time="full_time",
                         weekly_hours=Decimal(35), hourly_pay_cents=1200, job_title="Agent d'accueil"),
    ], actor=COORDINATOR)
    return ledger


def hours(employee: str, partner: str, day: str, h: str) -> LogStaffHours:
    return LogStaffHours(employee_id=employee, partner_id=partner, work_date=day, hours=Decimal(h))


def test_hours_past_the_cap_are_refused_with_the_figures_and_nothing_is_stored(tmp_path: Path) -> None:
    """8 h + 8 h for the commune fit in 16,07 h; half an hour more does not."""
    with open_ledger(tmp_path) as ledger:
        ledger.execute(hours("anne", "commune-c", "2026-01-05", "8"), actor=COORDINATOR)
        ledger.execute(hours("anne", "commune-c", "2026-03-02", "8"), actor=COORDINATOR)
        before = event_count(ledger)
        with pytest.raises(LocalAuthorityCapExceeded) as refused:
            ledger.execute(hours("anne", "commune-c", "2026-11-30", "0.5"), actor=COORDINATOR)
        assert refused.value.field == "hours"
        assert str(refused.value) == (
            "employee 'Anne Martin' would work 16.50 h in 2026 for local-authority members, above 0.01 of the "
            "year's 1607.00 h of contract (16.07 h, C. trav. L1253-20): 16.00 h already logged + 0.50 h")
        assert event_count(ledger) == before
        assert french(refused.value)[1].startswith(
            "« Heures » : Anne Martin travaillerait 16.50 h en 2026 pour les collectivités territoriales adhérentes")


def test_other_members_another_year_and_a_smaller_correction_are_accepted(tmp_path: Path) -> None:
    """The crèche is no local authority; 2027 starts from zero; 8 h corrected to 7 h frees time,
    while 8 h corrected to 8,5 h (16,5 h in all) is refused."""
    with open_ledger(tmp_path) as ledger:
        first = ledger.execute(hours("anne", "commune-c", "2026-01-05", "8"), actor=COORDINATOR)
        ledger.execute(hours("anne", "commune-c", "2026-01-06", "8"), actor=COORDINATOR)
        ledger.execute(hours("anne", "creche-a", "2026-01-07", "9"), actor=COORDINATOR)
        ledger.execute(hours("anne", "commune-c", "2027-01-04", "8"), actor=COORDINATOR)
        entry = first.events[0].entry_id
        with pytest.raises(LocalAuthorityCapExceeded) as refused:
            ledger.execute(CorrectEntry(entry_id=entry, quantity=Decimal("8.5"), reason="x"), actor=COORDINATOR)
        assert refused.value.field == "quantity"
        ledger.execute(CorrectEntry(entry_id=entry, quantity=Decimal(7), reason="feuille signée"), actor=COORDINATOR)
        ledger.execute(hours("anne", "commune-c", "2026-01-08", "1"), actor=COORDINATOR)


def test_a_ge_that_only_warns_and_an_employee_without_contract_record_the_hours(tmp_path: Path) -> None:
    """With the cap set to warn, 20 h for the commune are recorded; Paul has no contract, so
    his year's time is unknown and his hours are not capped (the pages say so)."""
    with open_ledger(tmp_path, refuses=False) as ledger:
        for day in ("2026-01-05", "2026-01-06"):
            ledger.execute(hours("anne", "commune-c", day, "10"), actor=COORDINATOR)
    with open_ledger(tmp_path / "strict") as ledger:
        for day in ("2026-01-05", "2026-01-06"):
            ledger.execute(hours("paul", "commune-c", day, "10"), actor=COORDINATOR)


def test_a_part_time_week_beyond_a_tenth_of_extra_hours_is_refused(tmp_path: Path) -> None:
    """Paul on 24 h a week from March (C. trav. L3123-28): 26,4 h a week at most; 26 h pass,
    half an hour more is refused and nothing is stored; in February, before his contract,
    nothing caps his week but the 48 h."""
    with open_ledger(tmp_path) as ledger:
        ledger.execute(SetContractTerms(employee_id="paul", applies_from="2026-03", contract_kind="cdi",
                                        working_time="part_time", weekly_hours=Decimal(24), hourly_pay_cents=1300,
                                        job_title="Animateur"), actor=COORDINATOR)
        for day, h in (("2026-03-02", "8"), ("2026-03-03", "8"), ("2026-03-04", "8"), ("2026-03-05", "2")):
            ledger.execute(hours("paul", "creche-a", day, h), actor=COORDINATOR)
        before = event_count(ledger)
        with pytest.raises(WorkingTimeExceeded) as refused:
            ledger.execute(hours("paul", "creche-a", "2026-03-06", "0.5"), actor=COORDINATOR)
        assert "26.50 h in week 2026-W10" in str(refused.value) and "allows 26.40 h" in str(refused.value)
        assert event_count(ledger) == before
        for day in ("2026-02-23", "2026-02-24", "2026-02-25"):
            ledger.execute(hours("paul", "creche-a", day, "10"), actor=COORDINATOR)
