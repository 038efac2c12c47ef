"""Importing a file of commands: JSON Lines of any command, or CSV of staff hours, bookings
or equipment uses. No printing here: `encommun import` (cli/imports.py) and the tests share it.

Each row is decided on its own, under an idempotency key derived from its content (the
sha256 of the normalized command, whose `command` field names the kind of row), so that:

- a row the ledger accepts is recorded with its receipt (the ledger's `CommandReceived`)
  in the same transaction, and a row it refuses records nothing: nothing is ever
  half-written, even if the import is killed;
- importing the same file again, or another file holding some of the same rows, records
  nothing new for those rows (the ledger answers `replayed`);
- two identical rows of one file are one command: the second is reported as a duplicate.

Rows are normalized before their key is taken: times in UTC, decimals without trailing
zeros ('2.50' and '2.5' hours are one row).

Speed: a chunk of rows goes to `Ledger.execute_each`: one transaction for the chunk,
each row decided and keyed exactly as `Ledger.execute` would (a refused row is set aside,
the rows after it see the state without it). A chunk that keeps losing to concurrent
writers falls back to row by row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

# Reading the file is import_files.py's; its names are the import's vocabulary too.
from application.import_files import (FileInfo, Row, UnreadableFile, inspect_file, read_rows,  # noqa: F401
                                      row_key)
from application.ledger import Ledger
from application.outcome import Outcome
from domain.errors import ConcurrencyConflict, DomainError

CHUNK_SIZE = 500  # rows decided and saved in one transaction


Status = Literal["accepted", "replayed", "rejected", "duplicate"]


@dataclass(frozen=True)
class RowResult:
    line: int
    status: Status
    events: int = 0
    rule: str | None = None
    message: str | None = None
    field: str | None = None
    duplicate_of: int | None = None

    @property
    def reason(self) -> str:
        if self.status == "duplicate":
            return f"duplicate of line {self.duplicate_of}"
        return self.message or ""


@dataclass
class ImportReport:
    path: Path
    kind: str
    rows: int = 0
    accepted: int = 0
    replayed: int = 0
    events: int = 0  # events recorded by this import, receipts excluded
    seconds: float = 0.0
    rejected: list[RowResult] = field(default_factory=list)
    duplicates: list[RowResult] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        """Nothing rejected (duplicates are not rejections: their first line was executed)."""
        return not self.rejected

    def add(self, result: RowResult) -> None:
        self.rows += 1
        if result.status == "accepted":
            self.accepted += 1
            self.events += result.events
        elif result.status == "replayed":
            self.replayed += 1
        elif result.status == "rejected":
            self.rejected.append(result)
        else:
            self.duplicates.append(result)


# Executing ------------------------------------------------------------------------------


def import_file(
    ledger: Ledger,
    path: Path,
    *,
    kind: str | None = None,
    actor: str = "cli",
    chunk_size: int = CHUNK_SIZE,
    on_start: Callable[[FileInfo], None] | None = None,
    on_row: Callable[[RowResult], None] | None = None,
) -> ImportReport:
    """Execute every row of the file; see the module's docstring. The whole file is read
    first (`inspect_file`): UnreadableFile before anything is recorded. `chunk_size` 1
    records each row in a transaction of its own."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    info = inspect_file(path, kind)
    if on_start is not None:
        on_start(info)
    found = info.kind
    report = ImportReport(path, found)
    first_line: dict[str, int] = {}
    chunk: list[Row] = []

    def done(result: RowResult) -> None:
        report.add(result)
        if on_row is not None:
            on_row(result)

    def flush() -> None:
        for result in _execute_chunk(ledger, chunk, actor):
            done(result)
        chunk.clear()

    started = time.perf_counter()
    try:
        for row in read_rows(path, found):
            if row.error is not None:
                done(_rejected(row.line, row.error))
            elif row.key in first_line:
                done(RowResult(row.line, "duplicate", duplicate_of=first_line[row.key]))
            else:
                first_line[row.key] = row.line
                chunk.append(row)
                if len(chunk) >= chunk_size:
                    flush()
        flush()
    finally:
        report.seconds = time.perf_counter() - started
    report.rejected.sort(key=lambda r: r.line)
    return report


def _execute_chunk(ledger: Ledger, rows: list[Row], actor: str) -> list[RowResult]:
    if not rows:
        return []
    try:
        outcomes = ledger.execute_each([row.command for row in rows], keys=[row.key for row in rows],
                                       actor=actor)
    except ConcurrencyConflict as conflict:
        if len(rows) == 1:
            return [_rejected(rows[0].line, conflict)]
        # A chunk that keeps losing to other writers: row by row, each with its own retries.
        return [result for row in rows for result in _execute_chunk(ledger, [row], actor)]
    return [_result(row, outcome) for row, outcome in zip(rows, outcomes, strict=True)]


def _result(row: Row, outcome: Outcome | DomainError) -> RowResult:
    if isinstance(outcome, DomainError):
        return _rejected(row.line, outcome)
    if outcome.replayed:
        return RowResult(row.line, "replayed")
    return RowResult(row.line, "accepted", events=len(outcome.events))


def _rejected(line: int, error: DomainError) -> RowResult:
    # The report shows the field beside the message: 'hours: Input should be…' reads
    # 'Input should be…'; pydantic's errors about the whole row read ': Value error, …'.
    message = error.message.removeprefix(f"{error.field}: " if error.field else ": ")
    message = message.removeprefix("Value error, ")
    return RowResult(line, "rejected", rule=error.rule, message=message, field=error.field)
