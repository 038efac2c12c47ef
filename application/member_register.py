"""The GE's member register as it stood at a position: its members on a day, and its
changes with their notification deadline (domain/member_register.py says the rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from domain.member_register import notification_due
from domain.periods import local_day
from projections import register_reads


@dataclass(frozen=True)
class RegisterChange:
    position: int
    recorded_at: datetime
    event_type: str  # PartnerJoined | PartnerLeft | PartnerRejoined | MemberDetailsSet
    partner_id: str
    partner_name: str
    change_on: date  # the day the membership changes; for a file, the day it was recorded
    due_on: date
    notified_on: date | None

    def overdue(self, today: date) -> bool:
        """Not notified, and the month to notify it has passed."""
        return self.notified_on is None and today > self.due_on


def register_changes(conn: duckdb.DuckDBPyConnection, at: int) -> list[RegisterChange]:
    """Every change of the register by `at`, oldest first."""
    changes = []
    for row in register_reads.register_changes(conn, at):
        change_on = row["effective_on"] or local_day(row["recorded_at"])
        changes.append(RegisterChange(row["position"], row["recorded_at"], row["event_type"], row["partner_id"],
                                      row["partner_name"], change_on, notification_due(change_on),
                                      row["notified_on"]))
    return changes
