"""The permission policy: which role may run which command, and read what, on which
partner's data. Every entry point asks here: the HTTP routes for a token's holder, the
command line and the demo for the operator (a coordinator).

coordinator: everything on the write side; partner: its own usage, its own disputes and
its own figures (other partners only as totals); auditor: reads everything, writes
nothing; analyst: the SQL endpoint and exports; employee (a person of the pages, bound to
one staff resource): submits its own hour sheets and reads nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from domain.commands import BookSlot, CancelBooking, Command, LogStaffHours, RecordEquipmentUse
from domain.disputes import CommentDispute, OpenDispute
from domain.hour_sheets import ContestHourSheet, CountersignHourSheet, SubmitHourSheet
from domain.people import AcceptInvitation, CloseSession, OpenSession
from domain.errors import NotFound


class Forbidden(Exception):
    """The principal's role or partner does not allow this (HTTP 403)."""


class Principal(Protocol):
    """Who acts: a token's holder (domain.access.AccessToken) or the operator."""

    role: str
    partner_id: str | None

    @property
    def actor(self) -> str: ...


@dataclass(frozen=True)
class Operator:
    """Whoever runs `encommun` or the demo on the machine that holds the store: a coordinator."""

    actor: str
    role: str = "coordinator"
    partner_id: str | None = None


@dataclass(frozen=True)
class Visitor:
    """Someone on the sign-in pages, not signed in: holds an invitation link, or a password."""

    actor: str = "visitor"
    role: str = "visitor"
    partner_id: str | None = None


COORDINATOR = ("coordinator",)
WRITERS = ("coordinator", "partner")
# Statements, shares, traces, disputes and seals.
READERS = ("coordinator", "auditor", "partner")
# The whole log, its hash chain and anchors.
AUDITORS = ("auditor", "coordinator")
# The analysts' SQL endpoint.
ANALYSTS = ("analyst", "coordinator", "auditor")


@dataclass(frozen=True)
class CommandRule:
    """Who may run a command; for a partner (or an employee), whose data it touches and how
    a refusal says so."""

    roles: tuple[str, ...]
    partner_of: Callable[[Command], str | None] | None = None
    doing: str = "record usage"
    employee_of: Callable[[Command], str | None] | None = None


def _partner(command: Command) -> str | None:
    return command.partner_id  # type: ignore[attr-defined]


def _dispute_partner(command: Command) -> str | None:
    return command.dispute_id.split(":", 1)[0]  # type: ignore[attr-defined]


def _sheet_partner(command: Command) -> str | None:
    return command.sheet_id.split(":")[1]  # type: ignore[attr-defined]


def _employee(command: Command) -> str | None:
    return command.employee_id  # type: ignore[attr-defined]


_COORDINATOR_ONLY = CommandRule(COORDINATOR)
# The member's own answer to a sheet: nobody signs or contests it for the member, not even
# the coordinator (who may submit it, on the employee's behalf).
MEMBERS = ("partner",)
# A sheet is submitted by its employee, or by the coordinator for an employee who does not sign in.
SUBMITTERS = ("coordinator", "employee")

# Commands others than the coordinator may run. Any other command is the coordinator's
# alone (the most restrictive rule a write can have): a new command needs a line here
# only if partners (or visitors) may run it.
COMMAND_RULES: dict[type[Command], CommandRule] = {
    # The link's or the password's holder: what proves who they are is checked before.
    AcceptInvitation: CommandRule(("visitor",)),
    OpenSession: CommandRule(("visitor",)),
    # Whoever holds the session's cookie may end it.
    CloseSession: CommandRule(("visitor", "coordinator", "partner", "auditor", "analyst", "employee")),
    BookSlot: CommandRule(WRITERS, _partner),
    RecordEquipmentUse: CommandRule(WRITERS, _partner),
    LogStaffHours: CommandRule(WRITERS, _partner),
    OpenDispute: CommandRule(WRITERS, _partner, "open a dispute"),
    CommentDispute: CommandRule(WRITERS, _dispute_partner, "comment a dispute"),
    CountersignHourSheet: CommandRule(MEMBERS, _sheet_partner, "countersign an hour sheet"),
    ContestHourSheet: CommandRule(MEMBERS, _sheet_partner, "contest an hour sheet"),
    SubmitHourSheet: CommandRule(SUBMITTERS, doing="submit an hour sheet", employee_of=_employee),
    # The booking's partner is read from the log: see `authorize`.
    CancelBooking: CommandRule(WRITERS),
}


def rule_for(command_type: type[Command]) -> CommandRule:
    """Who may run commands of this type (the coordinator alone unless COMMAND_RULES says)."""
    return COMMAND_RULES.get(command_type, _COORDINATOR_ONLY)


def authorize(principal: Principal, command: Command, entry_partner: Callable[[str], str | None]) -> None:
    """Forbidden unless the principal may run this command, and, for a partner or an employee,
    on its own data; for a partner's cancellation, NotFound unless the booking is its own
    (`entry_partner` reads whose it is)."""
    rule = require_may_run(principal, type(command))
    if principal.role == "employee" and rule.employee_of is not None:
        require_employee_scope(principal, rule.employee_of(command), rule.doing)
    if principal.role != "partner":
        return
    if isinstance(command, CancelBooking):
        # Another partner's booking and no booking at all get the same answer: entry ids
        # can be walked, and telling the two apart would map who booked what.
        try:
            owner = entry_partner(command.entry_id)
        except NotFound:
            owner = None
        if owner != principal.partner_id:
            raise NotFound(f"partner '{principal.partner_id}' has no booking '{command.entry_id}'",
                           field="entry_id")
    elif rule.partner_of is not None:
        require_partner_scope(principal, rule.partner_of(command), rule.doing)


def require_may_run(principal: Principal, command_type: type[Command]) -> CommandRule:
    """Forbidden unless the principal's role may run commands of this type; its rule."""
    rule = rule_for(command_type)
    require_role(principal, *rule.roles)
    return rule


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden(f"{principal.role} tokens cannot do this (needs {' or '.join(roles)})")


def require_partner_scope(principal: Principal, partner_id: str | None, doing: str) -> None:
    """A partner acts and reads for its own partner only."""
    if principal.role == "partner" and partner_id != principal.partner_id:
        raise Forbidden(
            f"a token of partner '{principal.partner_id}' cannot {doing} for partner '{partner_id}'"
        )


def require_employee_scope(principal: Principal, employee_id: str | None, doing: str) -> None:
    """An employee acts for itself only. Only a signed-in person carries an employee: any
    other principal claiming the role is bound to nobody, and refused."""
    if principal.role != "employee":
        return
    own = getattr(principal, "employee_id", None)
    if own is None or employee_id != own:
        raise Forbidden(f"employee '{own}' cannot {doing} of employee '{employee_id}'")


def require_reader(principal: Principal, partner_id: str | None = None, doing: str = "read") -> None:
    """Statements, shares, traces, disputes, seals: not analysts; a partner, its own only
    (when the read names a partner)."""
    require_role(principal, *READERS)
    if partner_id is not None:
        require_partner_scope(principal, partner_id, doing)


# Directory reads: GET /partners, /resources (with their keys) and /months. ------------
# The readers read them (not analysts: their snapshot is pseudonymised). A partner sees
# the other partners' names, which its convention names too, but not their memberships nor
# their weights in a key: those are other partners' details; it sees its own and the totals.

def may_see_details_of(principal: Principal, partner_id: str) -> bool:
    """Whether the directory shows the principal this partner's memberships and weights."""
    return principal.role != "partner" or principal.partner_id == partner_id
