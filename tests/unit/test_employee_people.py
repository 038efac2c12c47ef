"""Employees' people: the invitation names one employee (and only an employee's does), the
person's MAC signs it, and the MACs of people invited before employees had accounts still
verify; the permission policy lets an employee submit its own hour sheets and nothing else."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import pytest

from application.permissions import Forbidden, authorize
from domain.aggregate import Stamp
from domain.commands import LogStaffHours
from domain.errors import InvalidCommand
from domain.hour_sheets import ContestHourSheet, CountersignHourSheet, SubmitHourSheet
from domain.people import CloseSession, InvitePerson, Person, evolve, invite, invited_by_key

KEY = b"k" * 32
NOW = datetime(2026, 4, 2, 8, 30, tzinfo=timezone.utc)
STAMP = Stamp(at=NOW, actor="coordinator/camille@pool.example")
NOBODY_BOOKED = {}.get


def invitation(**fields) -> InvitePerson:
    return InvitePerson(**{"email": "anne@pool.example", "name": "Anne Martin", "role": "employee",
                           "employee_id": "anne", "invitation_sha256": "a" * 64,
                           "expires_at": NOW + timedelta(days=7), "signing_key": KEY, **fields})


def person(cmd: InvitePerson) -> Person:
    return evolve(invite(None, cmd, STAMP), None)


@dataclass(frozen=True)
class Employee:
    """A signed-in employee's person, as the policy sees it."""

    employee_id: str | None
    role: str = "employee"
    partner_id: str | None = None

    @property
    def actor(self) -> str:
        return f"employee:{self.employee_id}/x@pool.example"


def sheet(employee_id: str) -> SubmitHourSheet:
    return SubmitHourSheet(employee_id=employee_id, partner_id="creche-a", month="2026-04", hours="7.5",
                           entries=(f"{employee_id}:2026-W14:1",), entries_sha256="b" * 64, as_of_position=10)


def test_an_employees_invitation_names_its_employee_and_the_person_carries_it() -> None:
    """The person is bound to « anne »; events it records name it: employee:anne/…"""
    anne = person(invitation())
    assert (anne.role, anne.employee_id, anne.partner_id) == ("employee", "anne", None)
    assert anne.actor == "employee:anne/anne@pool.example"
    assert invited_by_key(anne, (KEY,))


def test_only_an_employees_invitation_names_an_employee_and_it_must() -> None:
    """An employee without its employee, an auditor with one: refused, naming employee_id."""
    for cmd in (invitation(employee_id=None), invitation(role="auditor")):
        with pytest.raises(InvalidCommand, match="an employee's person names the employee") as refused:
            invite(None, cmd, STAMP)
        assert refused.value.field == "employee_id"


def test_a_person_invited_before_employees_had_accounts_still_verifies() -> None:
    """The MAC of an invitation made with the first message (no employee line) still verifies:
    existing people keep signing in."""
    partner = person(invitation(role="partner", partner_id="creche-a", employee_id=None,
                                email="direction@creche.example"))
    first_message = (f"encommun-person-v1\n{partner.id}\n{partner.email}\npartner\ncreche-a\n"
                     f"{partner.invitation_sha256}")
    assert partner.mac == hmac.new(KEY, first_message.encode(), hashlib.sha256).hexdigest()
    assert invited_by_key(partner, (KEY,))


def test_an_employee_rewritten_in_the_store_no_longer_verifies() -> None:
    """Anne's person edited to be Bruno, or to be no employee: its MAC no longer verifies."""
    anne = person(invitation())
    assert not invited_by_key(replace(anne, employee_id="bruno"), (KEY,))
    assert not invited_by_key(replace(anne, employee_id=None), (KEY,))
    assert not invited_by_key(anne, (b"another key" * 3,))


def test_an_employee_submits_its_own_sheets_and_is_forbidden_another_employees() -> None:
    """Anne submits anne's sheet; bruno's is Forbidden, naming both."""
    authorize(Employee("anne"), sheet("anne"), NOBODY_BOOKED)
    with pytest.raises(Forbidden, match="employee 'anne' cannot submit an hour sheet of employee 'bruno'"):
        authorize(Employee("anne"), sheet("bruno"), NOBODY_BOOKED)


def test_an_employee_bound_to_nobody_submits_nothing() -> None:
    """A principal claiming the employee role without an employee (no token has one) is refused."""
    with pytest.raises(Forbidden):
        authorize(Employee(None), sheet("anne"), NOBODY_BOOKED)


def test_an_employee_runs_no_other_command_but_signing_out() -> None:
    """Logging hours, signing or contesting a sheet: the coordinator's or the member's; closing its session: its own."""
    anne = Employee("anne")
    for command in (LogStaffHours(employee_id="anne", partner_id="creche-a", work_date="2026-04-01", hours="7"),
                    CountersignHourSheet(sheet_id="anne:creche-a:2026-04", signed_by="Anne", entries_sha256="b" * 64),
                    ContestHourSheet(sheet_id="anne:creche-a:2026-04", reason="non")):
        with pytest.raises(Forbidden, match="employee tokens cannot do this"):
            authorize(anne, command, NOBODY_BOOKED)
    authorize(anne, CloseSession(session_sha256="c" * 64), NOBODY_BOOKED)
