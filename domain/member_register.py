"""The GE's member register: what is notified to the labour inspectorate, and when.

A GE keeps the list of its members at its head office and tells the labour inspectorate of
any change within the month that follows it (C. trav. L1253-6, D1253-1 5°, D1253-3). The
register itself is what the log already holds — memberships (PartnerJoined, PartnerLeft,
PartnerRejoined) of partners with a member file (MemberDetailsSet) — so the only new fact
is the notification: the coordinator records that every register change up to a log
position was sent, on a day, under a reference (a registered letter's number, an e-mail).
Notifications only move forward, so "notified" is one comparison of positions.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import singledispatch
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import Command
from domain.errors import RuleViolation
from domain.events import DomainEvent
from domain.ids import aggregate_id
from domain.periods import Day, local_day
from domain.text import Name, StoredName

# The events that change the register (for a partner with a member file).
REGISTER_CHANGES = ("PartnerJoined", "PartnerLeft", "PartnerRejoined", "MemberDetailsSet")


class RegisterChangesNotified(DomainEvent):
    up_to_position: int
    notified_on: date
    reference: StoredName


class NotifyRegisterChanges(Command):
    records = (RegisterChangesNotified,)
    command: Literal["notify_register_changes"] = "notify_register_changes"
    up_to_position: Annotated[int, Field(ge=1, strict=True)]
    notified_on: Day
    reference: Name


@dataclass(frozen=True)
class Notifications:
    id: UUID
    version: int
    up_to_position: int
    notified_on: date


def notification_due(change_on: date) -> date:
    """The last day to notify a change: within the month that follows it (C. trav. D1253-3),
    i.e. the same day of the next month, or that month's last day if it is shorter."""
    year, month = (change_on.year + 1, 1) if change_on.month == 12 else (change_on.year, change_on.month + 1)
    return date(year, month, min(change_on.day, calendar.monthrange(year, month)[1]))


def register_aggregate_id() -> UUID:
    return aggregate_id("member-register")


def notify(notifications: Notifications | None, cmd: NotifyRegisterChanges, log_end: int,
           stamp: Stamp) -> RegisterChangesNotified:
    """Changes up to a position of the log as it stands, on a day not in the future and not
    before the last notification's."""
    if cmd.up_to_position > log_end:
        raise RuleViolation(f"position {cmd.up_to_position} is beyond the log's end ({log_end})",
                            field="up_to_position")
    if cmd.notified_on > local_day(stamp.at):
        raise RuleViolation(f"a notification cannot be dated in the future ({cmd.notified_on.isoformat()})",
                            field="notified_on")
    fields = dict(up_to_position=cmd.up_to_position, notified_on=cmd.notified_on, reference=cmd.reference)
    if notifications is None:
        return first_event(RegisterChangesNotified, register_aggregate_id(), stamp, **fields)
    if cmd.up_to_position <= notifications.up_to_position:
        raise RuleViolation(
            f"changes up to position {notifications.up_to_position} were already notified on "
            f"{notifications.notified_on.isoformat()}: a new notification covers later ones",
            field="up_to_position")
    if cmd.notified_on < notifications.notified_on:
        raise RuleViolation(
            f"the last notification is dated {notifications.notified_on.isoformat()}: "
            f"a later one cannot be dated {cmd.notified_on.isoformat()}", field="notified_on")
    return next_event(notifications, RegisterChangesNotified, stamp, **fields)


@singledispatch
def evolve(event: DomainEvent, state: Notifications | None) -> Notifications:
    raise TypeError(f"the member register does not take {type(event).__name__}")


@evolve.register
def _(event: RegisterChangesNotified, _: Notifications | None) -> Notifications:
    return Notifications(event.originator_id, event.originator_version, event.up_to_position,
                         event.notified_on)


project_notifications = projector(evolve)
