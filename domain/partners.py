"""Partners and their membership periods."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch
from uuid import UUID

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import JoinPartner, LeavePartner, RejoinPartner
from domain.errors import AlreadyExists, NotAMember, NotFound, RuleViolation
from domain.events import DomainEvent, PartnerJoined, PartnerLeft, PartnerRejoined
from domain.ids import partner_aggregate_id


@dataclass(frozen=True)
class Partner:
    id: UUID
    version: int
    partner_id: str
    name: str
    kind: str
    # Inclusive (first day, last day) periods; last day None while still a member.
    periods: tuple[tuple[date, date | None], ...]

    def is_member_on(self, day: date) -> bool:
        return any(start <= day and (end is None or day <= end) for start, end in self.periods)

    def check_member_on(self, day: date, field: str = "partner_id") -> None:
        if not self.is_member_on(day):
            raise NotAMember(
                f"partner '{self.partner_id}' is not a member on {day.isoformat()} "
                f"(membership: {describe_periods(self.periods)})",
                field=field,
            )


def describe_periods(periods: tuple[tuple[date, date | None], ...]) -> str:
    return ", ".join(
        f"{start.isoformat()} to {end.isoformat() if end else 'now'}" for start, end in periods
    )


def require_partner(partner: Partner | None, partner_id: str, field: str = "partner_id") -> Partner:
    if partner is None:
        raise NotFound(f"no partner '{partner_id}'", field=field)
    return partner


def join(existing: Partner | None, cmd: JoinPartner, stamp: Stamp) -> PartnerJoined:
    if existing is not None:
        raise AlreadyExists(
            f"partner id '{cmd.partner_id}' is already taken by '{existing.name}'",
            field="partner_id",
        )
    return first_event(
        PartnerJoined,
        partner_aggregate_id(cmd.partner_id),
        stamp,
        partner_id=cmd.partner_id,
        name=cmd.name,
        kind=cmd.kind,
        joined_on=cmd.joined_on,
    )


def leave(partner: Partner, cmd: LeavePartner, stamp: Stamp) -> PartnerLeft:
    start, end = partner.periods[-1]
    if end is not None:
        raise RuleViolation(
            f"partner '{partner.partner_id}' already left on {end.isoformat()}", field="last_day"
        )
    if cmd.last_day < start:
        raise RuleViolation(
            f"last day {cmd.last_day.isoformat()} is before partner "
            f"'{partner.partner_id}' joined ({start.isoformat()})",
            field="last_day",
        )
    return next_event(partner, PartnerLeft, stamp, partner_id=partner.partner_id, last_day=cmd.last_day)


def rejoin(partner: Partner, cmd: RejoinPartner, stamp: Stamp) -> PartnerRejoined:
    _, end = partner.periods[-1]
    if end is None:
        raise RuleViolation(f"partner '{partner.partner_id}' is still a member", field="partner_id")
    if cmd.joined_on <= end:
        raise RuleViolation(
            f"partner '{partner.partner_id}' cannot rejoin on {cmd.joined_on.isoformat()}: "
            f"its membership ran until {end.isoformat()}",
            field="joined_on",
        )
    return next_event(
        partner, PartnerRejoined, stamp, partner_id=partner.partner_id, joined_on=cmd.joined_on
    )


@singledispatch
def evolve(event: DomainEvent, state: Partner | None) -> Partner:
    raise TypeError(f"a partner does not take {type(event).__name__}")


@evolve.register
def _(event: PartnerJoined, _: None) -> Partner:
    return Partner(
        id=event.originator_id,
        version=event.originator_version,
        partner_id=event.partner_id,
        name=event.name,
        kind=event.kind,
        periods=((event.joined_on, None),),
    )


@evolve.register
def _(event: PartnerLeft, state: Partner) -> Partner:
    start, _ = state.periods[-1]
    return replace(
        state,
        version=event.originator_version,
        periods=(*state.periods[:-1], (start, event.last_day)),
    )


@evolve.register
def _(event: PartnerRejoined, state: Partner) -> Partner:
    return replace(
        state,
        version=event.originator_version,
        periods=(*state.periods, (event.joined_on, None)),
    )


project_partner = projector(evolve)
