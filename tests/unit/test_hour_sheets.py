"""Hour sheets: given a sheet's events, when a command, then an event or a domain error — pure,
no store. And who may sign, contest and submit (the permission policy)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from application.permissions import Forbidden, Operator, authorize
from domain import hour_sheets
from domain.aggregate import Stamp
from domain.errors import NotFound, RuleViolation
from domain.hour_sheets import (ContestHourSheet, CountersignHourSheet, HourSheetContested,
                                HourSheetCountersigned, HourSheetSubmitted, SubmitHourSheet, sheet_aggregate_id)
from tests.unit.test_permissions import token

STAMP = Stamp(actor="test", at=datetime(2026, 5, 2, 9, tzinfo=timezone.utc))
SHEET = "anne:creche-a:2026-04"
FIRST, SECOND = "a" * 64, "b" * 64
NOBODY_BOOKED = {}.get


def submission(sha: str = FIRST, *, hours: str = "22.5", entries=("anne:2026-W14:1", "anne:2026-W14:2")) -> SubmitHourSheet:
    return SubmitHourSheet(employee_id="anne", partner_id="creche-a", month="2026-04", hours=hours,
                           entries=entries, entries_sha256=sha, as_of_position=10)


def given(*steps) -> hour_sheets.HourSheet | None:
    """The sheet after these steps: a SubmitHourSheet, ('sign', sha) or ('contest', reason)."""
    state = None
    for step in steps:
        if isinstance(step, SubmitHourSheet):
            event = hour_sheets.submit(state, step, STAMP)
        elif step[0] == "sign":
            event = hour_sheets.countersign(state, CountersignHourSheet(sheet_id=SHEET, signed_by="Marie Dupont",
                                                                        entries_sha256=step[1]), STAMP)
        else:
            event = hour_sheets.contest(state, ContestHourSheet(sheet_id=SHEET, reason=step[1]), STAMP)
        state = hour_sheets.evolve(event, state)
    return state


def test_a_first_submission_is_version_1_of_the_sheets_own_aggregate() -> None:
    """The sheet id names employee, member and month; the aggregate is uuid5 of it."""
    event = hour_sheets.submit(None, submission(), STAMP)
    assert isinstance(event, HourSheetSubmitted)
    assert (event.sheet_id, event.version, event.hours, event.voids_signature_of) == (SHEET, 1, Decimal("22.5"), None)
    assert event.originator_id == sheet_aggregate_id(SHEET) and event.originator_version == 1


def test_a_month_without_hours_has_no_sheet_to_submit() -> None:
    """No entries: refused at the door, naming the entries."""
    with pytest.raises(ValidationError, match="a month without hours has no sheet"):
        submission(entries=())


def test_a_submission_names_only_the_employees_entries_of_weeks_of_the_month() -> None:
    """Another employee's entry, or a week outside the month, is refused; a week across two months is not."""
    with pytest.raises(ValidationError, match="is not a week of 2026-04"):
        submission(entries=("bruno:2026-W14:1",))
    with pytest.raises(ValidationError, match="is not a week of 2026-04"):
        submission(entries=("anne:2026-W20:1",))
    assert submission(entries=("anne:2026-W18:1",)).entries == ("anne:2026-W18:1",)  # 27 April to 3 May


def test_the_same_hours_are_not_submitted_twice() -> None:
    """Submitted, or countersigned, with the same digest: submitting again is refused."""
    with pytest.raises(RuleViolation, match="already submitted with these hours"):
        hour_sheets.submit(given(submission()), submission(), STAMP)
    with pytest.raises(RuleViolation, match="already countersigned with these hours"):
        hour_sheets.submit(given(submission(), ("sign", FIRST)), submission(), STAMP)


def test_changed_hours_make_a_new_version_which_replaces_the_submitted_one() -> None:
    """A new digest while submitted: version 2, no signature to void."""
    event = hour_sheets.submit(given(submission()), submission(SECOND, hours="21"), STAMP)
    assert (event.version, event.entries_sha256, event.voids_signature_of) == (2, SECOND, None)


def test_resubmitting_a_signed_sheet_whose_hours_changed_voids_the_signature_and_says_whose() -> None:
    """The new version records whose signature it voids; the sheet is submitted again, unsigned."""
    signed = given(submission(), ("sign", FIRST))
    event = hour_sheets.submit(signed, submission(SECOND), STAMP)
    assert (event.version, event.voids_signature_of) == (2, "Marie Dupont")
    after = hour_sheets.evolve(event, signed)
    assert (after.status, after.signed_by) == ("submitted", None)


def test_a_contested_sheet_is_submitted_again_even_with_the_same_hours() -> None:
    """After a contest the coordinator may stand by the hours: a new version all the same."""
    event = hour_sheets.submit(given(submission(), ("contest", "le 2 avril manque")), submission(), STAMP)
    assert event.version == 2


def test_the_member_countersigns_what_was_submitted() -> None:
    """The digest it was shown is the last submission's: signed, by its name."""
    event = hour_sheets.countersign(given(submission()), CountersignHourSheet(
        sheet_id=SHEET, signed_by="Marie Dupont", entries_sha256=FIRST), STAMP)
    assert isinstance(event, HourSheetCountersigned) and event.signed_by == "Marie Dupont"


def test_countersigning_with_a_stale_digest_is_refused_the_sheet_changed_since_opened() -> None:
    """Shown version 1, the sheet is now version 2: refused, naming the digest."""
    sheet = given(submission(), submission(SECOND))
    with pytest.raises(RuleViolation, match="changed since you opened it") as refused:
        hour_sheets.countersign(sheet, CountersignHourSheet(sheet_id=SHEET, signed_by="M", entries_sha256=FIRST), STAMP)
    assert refused.value.field == "entries_sha256"


def test_only_a_submitted_unanswered_sheet_is_countersigned_or_contested() -> None:
    """Never submitted: not found; signed or contested already: refused, once is enough."""
    sign = CountersignHourSheet(sheet_id=SHEET, signed_by="M", entries_sha256=FIRST)
    contest = ContestHourSheet(sheet_id=SHEET, reason="non")
    with pytest.raises(NotFound, match="never submitted"):
        hour_sheets.countersign(None, sign, STAMP)
    with pytest.raises(NotFound, match="never submitted"):
        hour_sheets.contest(None, contest, STAMP)
    for answered in (given(submission(), ("sign", FIRST)), given(submission(), ("contest", "non"))):
        with pytest.raises(RuleViolation, match="only a submitted sheet is countersigned or contested"):
            hour_sheets.countersign(answered, sign, STAMP)
        with pytest.raises(RuleViolation, match="only a submitted sheet is countersigned or contested"):
            hour_sheets.contest(answered, contest, STAMP)


def test_a_contest_names_its_reason() -> None:
    """An empty reason is refused at the door; a reason is kept."""
    with pytest.raises(ValidationError):
        ContestHourSheet(sheet_id=SHEET, reason="  ")
    event = hour_sheets.contest(given(submission()), ContestHourSheet(sheet_id=SHEET, reason="le 2 avril manque"), STAMP)
    assert isinstance(event, HourSheetContested) and event.reason == "le 2 avril manque"


def test_the_member_of_the_sheet_signs_and_contests_it_and_nobody_else() -> None:
    """Its own partner only; another partner, the coordinator, an auditor: forbidden."""
    sign = CountersignHourSheet(sheet_id=SHEET, signed_by="M", entries_sha256=FIRST)
    contest = ContestHourSheet(sheet_id=SHEET, reason="non")
    for command in (sign, contest):
        authorize(token("partner", "creche-a"), command, NOBODY_BOOKED)
        for other in (token("partner", "club-b"), token("coordinator"), token("auditor"), Operator("demo")):
            with pytest.raises(Forbidden):
                authorize(other, command, NOBODY_BOOKED)


def test_only_the_coordinator_submits_a_sheet() -> None:
    """Employees have no account: the coordinator submits on their behalf; a member may not."""
    authorize(token("coordinator"), submission(), NOBODY_BOOKED)
    with pytest.raises(Forbidden):
        authorize(token("partner", "creche-a"), submission(), NOBODY_BOOKED)
