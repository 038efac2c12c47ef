"""Preconditions a command's handler cannot check from the write side alone.

"A dispute names an existing line" needs the statements, which only the read side holds:
the use case asks it through the `StatementLines` port, whose implementation (the
projections') is given to the ledger at the composition root (bootstrap.py).
"""

from __future__ import annotations

from typing import Protocol

from domain.commands import Command
from domain.disputes import OpenDispute
from domain.errors import NotFound


class StatementLines(Protocol):
    def has_line(self, partner_id: str, month: str, resource_id: str, line_kind: str,
                 part: int | None) -> bool:
        """Whether the partner's statement for the month has that line."""
        ...


def check_preconditions(command: Command, lines: StatementLines | None) -> None:
    """NotFound if an OpenDispute names a line its statement does not have. Without a read
    side (a ledger opened for writing only) there is nothing to check it against."""
    if isinstance(command, OpenDispute) and lines is not None and not lines.has_line(
            command.partner_id, command.month, command.resource_id, command.line_kind, command.part):
        raise NotFound(f"the statement of '{command.partner_id}' for {command.month} has no "
                       f"{command.line_kind} line for '{command.resource_id}'", field="resource_id")
