"""Submitting hour sheets: read a sheet's hours at a position, then record them.

As for closing a month, the projections are first brought to the end of the log; the
sheet's hours, entries and digest are read at that position and sent with the command,
which the sheet checks against its own history (domain/hour_sheets.py). The employee
submits its own sheets from its page; the coordinator may submit them on its behalf.
"""

from __future__ import annotations

from application.ledger import Ledger
from application.outcome import Outcome
from application.permissions import Operator, Principal, require_employee_scope, require_may_run
from domain.errors import NotFound, RuleViolation
from domain.hour_sheets import SubmitHourSheet, parse_sheet_id
from projections import hour_sheets, read_model
from projections.follower import Follower


def submit_sheet(ledger: Ledger, follower: Follower, sheet_id: str, *, actor: str | Principal,
                 idempotency_key: str | None = None) -> Outcome:
    """Submit one sheet with its hours as they stand; NotFound if it has none."""
    employee_id, partner_id, month = parse_sheet_id(sheet_id)
    principal = Operator(actor) if isinstance(actor, str) else actor
    # Refused before reading: another employee's hours are not read for an employee.
    rule = require_may_run(principal, SubmitHourSheet)
    require_employee_scope(principal, employee_id, rule.doing)
    follower.catch_up()
    with follower.view.transaction() as conn:
        position = follower.runner.position
        found = hour_sheets.sheet_hours_at(conn, employee_id, partner_id, month, position)
    if found is None:
        raise NotFound(f"'{employee_id}' has no hours for '{partner_id}' in {month}: a month without hours "
                       "has no sheet", field="sheet_id")
    outcome = ledger.execute(_command(employee_id, partner_id, month, found, position), actor=actor,
                             idempotency_key=idempotency_key)
    follower.nudge()
    return outcome


def submit_month(ledger: Ledger, follower: Follower, month: str, *, actor: str | Principal,
                 idempotency_key: str | None = None) -> Outcome:
    """Submit, in one transaction, every sheet of the month that awaits a submission: not
    submitted yet, contested, or whose hours changed since it was submitted."""
    principal = Operator(actor) if isinstance(actor, str) else actor
    require_may_run(principal, SubmitHourSheet)
    follower.catch_up()
    with follower.view.transaction() as conn:
        position = follower.runner.position
        due = [row for row in read_model.hour_sheets_of_month(conn, month, position) if _awaits(row)]
        found = {row["sheet_id"]: hour_sheets.sheet_hours_at(conn, row["employee_id"], row["partner_id"],
                                                             month, position) for row in due}
    commands = [_command(row["employee_id"], row["partner_id"], month, found[row["sheet_id"]], position)
                for row in due]
    if not commands:
        raise RuleViolation(f"no hour sheet of {month} awaits a submission", field="month")
    outcome = ledger.execute_batch(commands, actor=actor, idempotency_key=idempotency_key)
    follower.nudge()
    return outcome


def _awaits(row: dict) -> bool:
    """Whether a sheet of the month's list is to be submitted (again)."""
    if row["entries_sha256"] is None:
        return False  # no hours left: nothing to submit
    return row["status"] in ("not_submitted", "contested") or row["stale"]


def _command(employee_id: str, partner_id: str, month: str, found: dict, position: int) -> SubmitHourSheet:
    return SubmitHourSheet(employee_id=employee_id, partner_id=partner_id, month=month, hours=found["hours"],
                           entries=tuple(found["entries"]), entries_sha256=found["entries_sha256"],
                           as_of_position=position)
