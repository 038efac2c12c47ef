"""Disputes: a partner contests one line of its statement; the coordinator resolves it.

The disputes of a partner's month live in one aggregate, so that a line has at most one
open dispute at a time and dispute ids ('<partner>:<month>:d<n>') are given in order.
An accepted dispute may grant a credit, recorded with the resolution and credited in the
first month still open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import singledispatch
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import Command
from domain.errors import FieldValueError, InvalidCommand, NotFound, RuleViolation
from domain.events import DomainEvent
from domain.ids import EntryId, Slug, aggregate_id
from domain.money import Cents
from domain.periods import Month
from domain.text import Name, StoredName, StoredText, Text

LineKind = Literal["share", "tariff", "unallocated", "recovery", "adjustment", "credit"]
_DISPUTE = re.compile(r"^(?P<partner>[a-z0-9][a-z0-9-]{0,62}):(?P<month>\d{4}-\d{2}):d(?P<n>[1-9]\d*)$")
DisputeId = Annotated[str, StringConstraints(pattern=_DISPUTE.pattern)]


class DisputeOpened(DomainEvent):
    dispute_id: str
    partner_id: Slug
    month: Month
    resource_id: Slug
    line_kind: LineKind
    part: int | None
    reason: StoredText
    attachment_ref: StoredName | None


class DisputeCommented(DomainEvent):
    dispute_id: str
    comment: StoredText


class DisputeResolved(DomainEvent):
    dispute_id: str
    outcome: Literal["accepted", "rejected"]
    reason: StoredText
    corrected_entries: tuple[str, ...]


class CreditGranted(DomainEvent):
    dispute_id: str
    partner_id: Slug
    resource_id: Slug
    amount_cents: Cents
    credited_month: Month
    reason: StoredText


class OpenDispute(Command):
    records = (DisputeOpened,)
    partner_id: Slug
    month: Month
    resource_id: Slug
    line_kind: LineKind = "share"
    part: Annotated[int, Field(ge=0, le=100)] | None = None
    reason: Annotated[Text, StringConstraints(min_length=1)]
    attachment_ref: Name | None = None


class CommentDispute(Command):
    records = (DisputeCommented,)
    dispute_id: DisputeId
    comment: Annotated[Text, StringConstraints(min_length=1)]


class ResolveDispute(Command):
    records = (DisputeResolved, CreditGranted)
    dispute_id: DisputeId
    outcome: Literal["accepted", "rejected"]
    reason: Annotated[Text, StringConstraints(min_length=1)]
    credit_cents: Cents | None = None
    corrected_entries: tuple[EntryId, ...] = ()

    @model_validator(mode="after")
    def _credit_only_when_accepted(self) -> ResolveDispute:
        if self.outcome == "rejected" and (self.credit_cents or self.corrected_entries):
            raise FieldValueError("a rejected dispute grants no credit and names no correction",
                                  field="credit_cents" if self.credit_cents else "corrected_entries")
        return self


@dataclass(frozen=True)
class Dispute:
    dispute_id: str
    resource_id: str
    line_kind: str
    part: int | None
    status: str  # open | accepted | rejected


@dataclass(frozen=True)
class DisputeDesk:
    id: UUID
    version: int
    partner_id: str
    month: str
    disputes: tuple[Dispute, ...]

    def find(self, dispute_id: str) -> Dispute:
        found = next((d for d in self.disputes if d.dispute_id == dispute_id), None)
        if found is None:
            raise NotFound(f"no dispute '{dispute_id}'", field="dispute_id")
        return found


def desk_aggregate_id(partner_id: str, month: str) -> UUID:
    return aggregate_id("disputes", partner_id, month)


def desk_of(dispute_id: str) -> UUID:
    match = _DISPUTE.match(dispute_id)
    if match is None:
        raise InvalidCommand(f"dispute id {dispute_id!r} is not '<partner>:<month>:d<n>'", field="dispute_id")
    return desk_aggregate_id(match["partner"], match["month"])


def open_dispute(desk: DisputeDesk | None, cmd: OpenDispute, stamp: Stamp) -> DisputeOpened:
    disputes = desk.disputes if desk else ()
    line = (cmd.resource_id, cmd.line_kind, cmd.part)
    already = next((d for d in disputes if (d.resource_id, d.line_kind, d.part) == line and d.status == "open"), None)
    if already is not None:
        raise RuleViolation(f"this line is already disputed ({already.dispute_id}, still open)", field="resource_id")
    fields = dict(
        dispute_id=f"{cmd.partner_id}:{cmd.month}:d{len(disputes) + 1}", partner_id=cmd.partner_id,
        month=cmd.month, resource_id=cmd.resource_id, line_kind=cmd.line_kind, part=cmd.part,
        reason=cmd.reason, attachment_ref=cmd.attachment_ref,
    )
    if desk is None:
        return first_event(DisputeOpened, desk_aggregate_id(cmd.partner_id, cmd.month), stamp, **fields)
    return next_event(desk, DisputeOpened, stamp, **fields)


def comment(desk: DisputeDesk, cmd: CommentDispute, stamp: Stamp) -> DisputeCommented:
    _check_open(desk.find(cmd.dispute_id))
    return next_event(desk, DisputeCommented, stamp, dispute_id=cmd.dispute_id, comment=cmd.comment)


def resolve(
    desk: DisputeDesk, cmd: ResolveDispute, first_open_month: str | None, stamp: Stamp
) -> list[DomainEvent]:
    """The resolution, and with an accepted credit the CreditGranted it causes."""
    dispute = desk.find(cmd.dispute_id)
    _check_open(dispute)
    resolved = next_event(desk, DisputeResolved, stamp, dispute_id=cmd.dispute_id, outcome=cmd.outcome,
                          reason=cmd.reason, corrected_entries=cmd.corrected_entries)
    if cmd.credit_cents is None:
        return [resolved]
    # The credit goes on the partner's next statement: the first month still open.
    credited = max(first_open_month or desk.month, desk.month)
    credit = CreditGranted(
        originator_id=desk.id, originator_version=resolved.originator_version + 1,
        timestamp=stamp.at, actor=stamp.actor, dispute_id=cmd.dispute_id, partner_id=desk.partner_id,
        resource_id=dispute.resource_id, amount_cents=cmd.credit_cents, credited_month=credited,
        reason=cmd.reason,
    )
    return [resolved, credit]


def _check_open(dispute: Dispute) -> None:
    if dispute.status != "open":
        raise RuleViolation(f"dispute '{dispute.dispute_id}' is already {dispute.status}", field="dispute_id")


@singledispatch
def evolve(event: DomainEvent, state: DisputeDesk | None) -> DisputeDesk:
    raise TypeError(f"a dispute desk does not take {type(event).__name__}")


@evolve.register
def _(event: DisputeOpened, state: DisputeDesk | None) -> DisputeDesk:
    if state is None:
        state = DisputeDesk(event.originator_id, 0, event.partner_id, event.month, ())
    dispute = Dispute(event.dispute_id, event.resource_id, event.line_kind, event.part, "open")
    return replace(state, version=event.originator_version, disputes=(*state.disputes, dispute))


@evolve.register
def _(event: DisputeCommented, state: DisputeDesk) -> DisputeDesk:
    return replace(state, version=event.originator_version)


@evolve.register
def _(event: DisputeResolved, state: DisputeDesk) -> DisputeDesk:
    disputes = tuple(replace(d, status=event.outcome) if d.dispute_id == event.dispute_id else d
                     for d in state.disputes)
    return replace(state, version=event.originator_version, disputes=disputes)


@evolve.register
def _(event: CreditGranted, state: DisputeDesk) -> DisputeDesk:
    return replace(state, version=event.originator_version)


project_desk = projector(evolve)
