"""The GE's debts to its employees and to social-contribution bodies, recorded as such, for
the members' joint liability.

C. trav. L1253-8: the members of a GE are jointly liable for its debts to its employees and
to the bodies that collect compulsory contributions; its articles may share these debts
among members by objective criteria. In practice they are shared pro rata of each member's
use of the GE's staff, which is what encommun shows: each outstanding debt split by the
members' hours over the months it relates to (largest remainder, like every split). A debt
is recorded when it is owed (the month's salaries, the quarter's URSSAF contributions) and
settled when paid; the exposure is the outstanding debts at any date.

The debts of one GE live in one aggregate, which numbers them (`d1`, `d2`, …).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch
from typing import Annotated, Literal
from uuid import UUID

from pydantic import StringConstraints, model_validator

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import Command
from domain.errors import FieldValueError, NotFound, RuleViolation
from domain.events import DomainEvent
from domain.ids import aggregate_id
from domain.money import Cents
from domain.periods import Day, Month
from domain.text import Name, StoredName

CreditorKind = Literal["employees", "social_bodies"]
DebtId = Annotated[str, StringConstraints(pattern=r"^d[1-9]\d{0,8}$")]


class GeDebtRecorded(DomainEvent):
    debt_id: str
    creditor_kind: CreditorKind
    creditor: StoredName
    amount_cents: int
    first_month: str
    last_month: str
    due_on: date
    reference: StoredName


class GeDebtSettled(DomainEvent):
    debt_id: str
    settled_on: date
    reference: StoredName


class RecordGeDebt(Command):
    records = (GeDebtRecorded,)
    command: Literal["record_ge_debt"] = "record_ge_debt"
    creditor_kind: CreditorKind
    creditor: Name
    amount_cents: Cents
    first_month: Month
    last_month: Month
    due_on: Day
    reference: Name

    @model_validator(mode="after")
    def _months_in_order(self) -> RecordGeDebt:
        if self.last_month < self.first_month:
            raise FieldValueError(f"the debt's months run from {self.first_month} to a later month, "
                                  f"not to {self.last_month}", field="last_month")
        return self


class SettleGeDebt(Command):
    records = (GeDebtSettled,)
    command: Literal["settle_ge_debt"] = "settle_ge_debt"
    debt_id: DebtId
    settled_on: Day
    reference: Name


@dataclass(frozen=True)
class DebtBook:
    id: UUID
    version: int
    debts: tuple[str, ...]          # debt ids, in order
    settled: frozenset[str]
    due: dict[str, date]


def debt_book_aggregate_id() -> UUID:
    return aggregate_id("ge-debts")


def record(book: DebtBook | None, cmd: RecordGeDebt, stamp: Stamp) -> GeDebtRecorded:
    fields = cmd.model_dump(exclude={"command"})
    if book is None:
        return first_event(GeDebtRecorded, debt_book_aggregate_id(), stamp, debt_id="d1", **fields)
    return next_event(book, GeDebtRecorded, stamp, debt_id=f"d{len(book.debts) + 1}", **fields)


def settle(book: DebtBook | None, cmd: SettleGeDebt, stamp: Stamp) -> GeDebtSettled:
    if book is None or cmd.debt_id not in book.debts:
        raise NotFound(f"no debt '{cmd.debt_id}'", field="debt_id")
    if cmd.debt_id in book.settled:
        raise RuleViolation(f"debt '{cmd.debt_id}' is already settled", field="debt_id")
    return next_event(book, GeDebtSettled, stamp, debt_id=cmd.debt_id, settled_on=cmd.settled_on,
                      reference=cmd.reference)


@singledispatch
def evolve(event: DomainEvent, state: DebtBook | None) -> DebtBook:
    raise TypeError(f"the GE's debts do not take {type(event).__name__}")


@evolve.register
def _(event: GeDebtRecorded, state: DebtBook | None) -> DebtBook:
    if state is None:
        return DebtBook(event.originator_id, event.originator_version, (event.debt_id,), frozenset(),
                        {event.debt_id: event.due_on})
    return replace(state, version=event.originator_version, debts=(*state.debts, event.debt_id),
                   due={**state.due, event.debt_id: event.due_on})


@evolve.register
def _(event: GeDebtSettled, state: DebtBook) -> DebtBook:
    return replace(state, version=event.originator_version, settled=state.settled | {event.debt_id})


project_debt_book = projector(evolve)
