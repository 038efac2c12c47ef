"""The permission policy: one rule per command, the same answer for every entry point."""

from __future__ import annotations

import pytest

from application.handlers import handlers
from application.permissions import COMMAND_RULES, Forbidden, Operator, authorize, rule_for
from domain.access import AccessToken, IssueToken
from domain.commands import BookSlot, CancelBooking, JoinPartner
from domain.disputes import CommentDispute, OpenDispute
from domain.errors import NotFound
from domain.timesheets import WorkingTimeLimits


def token(role: str, partner_id: str | None = None) -> AccessToken:
    return AccessToken(id=None, version=1, token_sha256="0" * 64, role=role, partner_id=partner_id,  # type: ignore[arg-type]
                       label="t", revoked=False, issued_at=None, issued_by="test")  # type: ignore[arg-type]


BOOKING = BookSlot(resource_id="salle", partner_id="creche-a",
                   starts_at="2026-03-02T14:00:00+01:00", ends_at="2026-03-02T16:00:00+01:00")
NOBODY_BOOKED = {}.get


def test_a_rule_is_for_a_command_with_a_handler_and_every_other_command_is_the_coordinators() -> None:
    """No rule is left over; a command without a rule is refused to every role but the coordinator."""
    commands = set(handlers(WorkingTimeLimits(), lambda: 0))
    assert set(COMMAND_RULES) <= commands
    for command in commands - set(COMMAND_RULES):
        assert rule_for(command).roles == ("coordinator",), command.__name__


def test_a_partner_records_usage_for_itself_and_is_forbidden_another_partners() -> None:
    """creche-a books for creche-a; for club-b it is Forbidden, naming both partners."""
    authorize(token("partner", "creche-a"), BOOKING, NOBODY_BOOKED)
    with pytest.raises(Forbidden, match="partner 'creche-a' cannot record usage for partner 'club-b'"):
        authorize(token("partner", "creche-a"), BOOKING.model_copy(update={"partner_id": "club-b"}),
                  NOBODY_BOOKED)


def test_coordinator_only_commands_are_forbidden_to_partners_auditors_and_analysts() -> None:
    """Registering a partner needs a coordinator; the operator at the command line is one."""
    join = JoinPartner(partner_id="x", name="X", joined_on="2026-01-01")
    for role, partner in (("partner", "creche-a"), ("auditor", None), ("analyst", None)):
        with pytest.raises(Forbidden, match=r"needs coordinator\)"):
            authorize(token(role, partner), join, NOBODY_BOOKED)
    authorize(Operator("cli"), join, NOBODY_BOOKED)


def test_disputes_are_scoped_to_the_partner_of_the_line_or_of_the_dispute_id() -> None:
    """Opening and commenting name the partner whose statement it is."""
    opened = OpenDispute(partner_id="club-b", month="2026-02", resource_id="loyer", reason="r")
    with pytest.raises(Forbidden, match="cannot open a dispute for partner 'club-b'"):
        authorize(token("partner", "creche-a"), opened, NOBODY_BOOKED)
    with pytest.raises(Forbidden, match="cannot comment a dispute for partner 'club-b'"):
        authorize(token("partner", "creche-a"), CommentDispute(dispute_id="club-b:2026-02:d1", comment="c"),
                  NOBODY_BOOKED)


def test_a_partner_cancelling_another_partners_booking_is_told_there_is_no_such_booking() -> None:
    """Another partner's booking and a missing one get the same NotFound."""
    cancel = CancelBooking(entry_id="salle:2026-03-02:1", reason="r")
    owners = {"salle:2026-03-02:1": "club-b"}.get
    with pytest.raises(NotFound, match="has no booking"):
        authorize(token("partner", "creche-a"), cancel, owners)
    authorize(token("partner", "club-b"), cancel, owners)


def test_tokens_are_issued_by_a_command_only_a_coordinator_runs_and_its_key_is_never_dumped() -> None:
    """IssueToken goes through the policy like any command; its signing key stays out of
    its dump (what receipts digest) and its repr."""
    issue = IssueToken(token_sha256="a" * 64, role="auditor", partner_id=None, label="audit",
                       signing_key=b"k" * 32)
    with pytest.raises(Forbidden):
        authorize(token("partner", "creche-a"), issue, NOBODY_BOOKED)
    authorize(Operator("cli"), issue, NOBODY_BOOKED)
    assert "signing_key" not in issue.model_dump(mode="json") and "kkkk" not in repr(issue)
