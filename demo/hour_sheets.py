"""After loading: each month's hour sheets are submitted (by the coordination, on the
employees' behalf) and the members countersign them — all but two of the last month: one
left unsigned, one contested with a reason — so the demo shows every state of a sheet."""

from __future__ import annotations

from dataclasses import dataclass

from application.hour_sheets import submit_month
from application.ledger import Ledger
from domain.errors import RuleViolation
from domain.hour_sheets import ContestHourSheet, CountersignHourSheet
from domain.periods import next_month
from projections import read_model
from projections.follower import Follower


@dataclass(frozen=True)
class Member:
    """A member's person answering its own sheets (the permission policy's partner principal)."""

    partner_id: str
    role: str = "partner"

    @property
    def actor(self) -> str:
        return f"partner:{self.partner_id}/direction"


def submit_and_sign(ledger: Ledger, follower: Follower, first: str, months: int, coordinator: str) -> list[str]:
    """Every month's sheets submitted and signed, except in the last month: one unsigned, one contested."""
    month, notes = first, []
    for index in range(months):
        last = index == months - 1
        try:
            submit_month(ledger, follower, month, actor=coordinator)
        except RuleViolation:
            month = next_month(month)
            continue  # a month without staff hours has no sheet
        follower.catch_up()
        with follower.view.transaction() as conn:
            rows = read_model.hour_sheets_of_month(conn, month, follower.runner.position)
        for n, row in enumerate(rows):
            member = Member(row["partner_id"])
            if last and n == 0:
                ledger.execute(ContestHourSheet(sheet_id=row["sheet_id"], reason="il manque la réunion du 12"),
                               actor=member)
                notes.append(f"hour sheet {row['sheet_id']} contested")
            elif last and n == 1:
                notes.append(f"hour sheet {row['sheet_id']} left unsigned")
            else:
                ledger.execute(CountersignHourSheet(sheet_id=row["sheet_id"], signed_by=f"Direction {row['partner_name']}",
                                                    entries_sha256=row["submitted_sha256"]), actor=member)
        month = next_month(month)
    return notes
