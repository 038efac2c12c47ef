"""Closing months: a closed month's statements are frozen, sealed and numbered.

One calendar aggregate for the whole pool: months close in order, each once, and each
partner's statements are numbered without gaps across months.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import singledispatch
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import Command
from domain.errors import RuleViolation
from domain.events import DomainEvent
from domain.ids import Slug, aggregate_id
from domain.periods import LAST_MONTH, Month, next_month

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class PeriodClosed(DomainEvent):
    month: Month
    as_of_position: int
    statements_sha256: str
    chain_hash: str
    # The number of each partner's statement for the month, continuous per partner.
    statement_numbers: dict[str, int]


class ClosePeriod(Command):
    """Sent with the digest of the month's statements and the chain hash, both computed
    by the projections at `as_of_position`; `verify` recomputes them from the log."""

    records = (PeriodClosed,)

    month: Month
    as_of_position: Annotated[int, Field(ge=0)]
    statements_sha256: Sha256
    chain_hash: Sha256
    partners: tuple[Slug, ...]


@dataclass(frozen=True)
class Calendar:
    id: UUID
    version: int
    closed: tuple[str, ...]
    last_numbers: dict[str, int]

    @property
    def first_open_month(self) -> str | None:
        return next_month(self.closed[-1]) if self.closed else None


def calendar_aggregate_id() -> UUID:
    return aggregate_id("calendar")


def close(calendar: Calendar | None, cmd: ClosePeriod, stamp: Stamp) -> PeriodClosed:
    closed = calendar.closed if calendar else ()
    if cmd.month in closed:
        raise RuleViolation(f"month {cmd.month} is already closed", field="month")
    if closed and cmd.month != next_month(closed[-1]):
        raise RuleViolation(
            f"months close in order: the next month to close is {next_month(closed[-1])}, not {cmd.month}",
            field="month",
        )
    if cmd.month == LAST_MONTH:
        raise RuleViolation(f"{LAST_MONTH} is the last month of the ledger's calendar: it stays open, "
                            "so that late events and credits have a month to go to", field="month")
    last = calendar.last_numbers if calendar else {}
    numbers = {partner: last.get(partner, 0) + 1 for partner in sorted(set(cmd.partners))}
    fields = dict(month=cmd.month, as_of_position=cmd.as_of_position,
                  statements_sha256=cmd.statements_sha256, chain_hash=cmd.chain_hash,
                  statement_numbers=numbers)
    if calendar is None:
        return first_event(PeriodClosed, calendar_aggregate_id(), stamp, **fields)
    return next_event(calendar, PeriodClosed, stamp, **fields)


@singledispatch
def evolve(event: DomainEvent, state: Calendar | None) -> Calendar:
    raise TypeError(f"the calendar does not take {type(event).__name__}")


@evolve.register
def _(event: PeriodClosed, state: Calendar | None) -> Calendar:
    if state is None:
        state = Calendar(event.originator_id, 0, (), {})
    return replace(
        state,
        version=event.originator_version,
        closed=(*state.closed, event.month),
        last_numbers={**state.last_numbers, **event.statement_numbers},
    )


project_calendar = projector(evolve)
