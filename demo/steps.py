"""Steps of the demo: commands executed together, and the entry ids the ledger will give."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from domain.commands import (
    BookSlot, CancelBooking, Command, CorrectEntry, LogStaffHours, RecordCost, RecordEquipmentUse,
    VoidEntry,
)
from domain.ids import entry_id
from domain.periods import iso_week, local_day

@dataclass(frozen=True)
class Step:
    """Commands executed together as one batch, by one actor.

    `expect_refusal` names the rule (the domain error's `.rule`) that must refuse the step;
    `entry_ids` are the ids the ledger will give, one per command (None for commands that
    touch no entry; corrections, voids and cancellations name the entry they touch), as
    the ledger's Outcome reports them.
    """

    commands: tuple[Command, ...]
    actor: str
    expect_refusal: str | None = None
    note: str = ""
    entry_ids: tuple[str | None, ...] = ()
    month: str = ""
    actors: tuple[str, ...] = ()  # one per command when steps of several actors are joined


class EntryIds:
    """Predicts entry ids: each container numbers its entries 1, 2, ... as recorded."""

    def __init__(self) -> None:
        self._count: Counter[tuple[str, str]] = Counter()

    def assign(self, cmd: Command) -> str | None:
        match cmd:
            case BookSlot():
                container = (cmd.resource_id, local_day(cmd.starts_at).isoformat())
            case RecordEquipmentUse():
                container = (cmd.resource_id, cmd.used_on.isoformat())
            case LogStaffHours():
                container = (cmd.employee_id, iso_week(cmd.work_date))
            case RecordCost():
                container = (cmd.resource_id, cmd.month)
            case CancelBooking() | CorrectEntry() | VoidEntry():
                return cmd.entry_id
            case _:
                return None
        self._count[container] += 1
        return entry_id(*container, self._count[container])


@dataclass
class MonthEntries:
    """What this month recorded that a correction may later point at."""

    hours: list[tuple[str, LogStaffHours]] = field(default_factory=list)
    uses: list[tuple[str, RecordEquipmentUse]] = field(default_factory=list)
    bookings: list[tuple[str, BookSlot]] = field(default_factory=list)
    duplicate: str | None = None
    pages: int = 0
