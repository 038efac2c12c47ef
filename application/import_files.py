"""Reading a file of commands for `import`: JSON Lines of any command, or CSV of staff
hours, bookings or equipment uses, each row validated into a command with its
idempotency key (application/importing.py executes them)."""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from domain.commands import Command, parse_command
from domain.errors import DomainError, InvalidCommand


class UnreadableFile(Exception):
    """The file as a whole cannot be imported (missing, unknown format or header, not
    UTF-8, a CSV record that does not parse): found before any row is recorded."""


@dataclass(frozen=True)
class CsvKind:
    name: str  # as given to --kind
    command: str  # the `command` field of each row's command
    columns: tuple[str, ...]
    numbers: tuple[str, ...]  # columns that may be written with a decimal comma


CSV_KINDS: dict[str, CsvKind] = {
    kind.name: kind
    for kind in (
        CsvKind("staff-hours", "log_staff_hours",
                ("employee_id", "partner_id", "work_date", "hours"), ("hours",)),
        CsvKind("bookings", "book_slot",
                ("resource_id", "partner_id", "starts_at", "ends_at"), ()),
        CsvKind("equipment-uses", "record_equipment_use",
                ("resource_id", "partner_id", "used_on", "quantity", "unit"), ("quantity",)),
    )
}
JSONL = "commands"  # the kind of a JSON Lines file: one command of any kind a line

@dataclass(frozen=True)
class Row:
    """One row of the file, read and validated but not yet executed."""

    line: int  # 1-based line of the file where the row starts
    command: Command | None = None
    key: str | None = None
    error: DomainError | None = None  # malformed: never sent to the ledger



# Reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileInfo:
    kind: str  # `commands` (JSON Lines) or a CSV kind
    rows: int  # rows to import: non-blank lines, less the CSV header


def inspect_file(path: Path, kind: str | None = None) -> FileInfo:
    """Read the whole file before anything is recorded: it exists, is UTF-8, is JSON Lines
    or a CSV file of a known kind (given, or inferred from its header) whose every record
    parses. UnreadableFile otherwise; a row's own faults are found when it is imported."""
    if not path.is_file():
        raise UnreadableFile(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        if kind is not None:
            raise UnreadableFile(f"--kind is for CSV files; {path.name} is JSON Lines (one command a line)")
        _check_utf8(path)
        with _open(path) as handle:
            return FileInfo(JSONL, sum(1 for line in handle if line.strip()))
    if suffix != ".csv":
        raise UnreadableFile(
            f"{path.name}: unknown format '{path.suffix}' (import .jsonl: one command a line, "
            "or .csv: staff hours, bookings or equipment uses)"
        )
    if kind is not None and kind not in CSV_KINDS:
        raise UnreadableFile(f"unknown kind '{kind}' (one of {', '.join(CSV_KINDS)})")
    _check_utf8(path)
    with _open(path) as handle:
        reader = csv.reader(handle, _dialect(path))
        try:
            header = [column.strip().lower() for column in next(reader)]
        except StopIteration:
            raise UnreadableFile(f"{path.name} is empty: a CSV file starts with a header row") from None
        found = kind or _infer_kind(path, header)
        _check_columns(path, header, CSV_KINDS[found])
        try:
            rows = sum(1 for record in reader if any(cell.strip() for cell in record))
        except csv.Error as error:
            raise UnreadableFile(f"{path.name}: line {reader.line_num}: {error}") from None
    return FileInfo(found, rows)


def read_rows(path: Path, kind: str) -> Iterator[Row]:
    """Every row, validated into a command with its key, or with the error that refuses it."""
    with _open(path) as handle:
        yield from (_jsonl_rows(handle) if kind == JSONL else _csv_rows(path, handle, CSV_KINDS[kind]))


def _open(path: Path):
    # utf-8-sig: a spreadsheet's byte-order mark is not part of the first column's name.
    return path.open(encoding="utf-8-sig", newline="")


def _check_utf8(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                line += block[: error.start].count(b"\n")
                raise UnreadableFile(
                    f"{path.name}: line {line} is not UTF-8 text ({error.reason}); "
                    "save the file as UTF-8 (a spreadsheet's 'CSV UTF-8')"
                ) from None
            line += block.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise UnreadableFile(f"{path.name}: the file ends in the middle of a UTF-8 character") from None


def _dialect(path: Path) -> type[csv.Dialect]:
    """Commas, or the semicolons of a French spreadsheet: whichever the header uses."""
    with _open(path) as handle:
        first = handle.readline()
    return csv.excel if first.count(",") >= first.count(";") else _Semicolon


class _Semicolon(csv.excel):
    delimiter = ";"


def _infer_kind(path: Path, header: list[str]) -> str:
    for candidate in CSV_KINDS.values():
        if set(header) == set(candidate.columns):
            return candidate.name
    known = "; ".join(f"{k.name}: {','.join(k.columns)}" for k in CSV_KINDS.values())
    raise UnreadableFile(
        f"{path.name}: the header ({','.join(header)}) is none of the known kinds ({known}); "
        "or name the kind with --kind"
    )


def _check_columns(path: Path, header: list[str], kind: CsvKind) -> None:
    missing = [c for c in kind.columns if c not in header]
    extra = [c for c in header if c not in kind.columns]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if missing or extra or duplicated:
        problems = [f"missing {', '.join(missing)}" if missing else "",
                    f"unexpected {', '.join(extra)}" if extra else "",
                    f"repeated {', '.join(duplicated)}" if duplicated else ""]
        raise UnreadableFile(
            f"{path.name}: the header does not fit {kind.name} ({'; '.join(p for p in problems if p)}); "
            f"expected the columns {','.join(kind.columns)}"
        )


def _jsonl_rows(handle) -> Iterator[Row]:
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as error:
            yield Row(line, error=InvalidCommand(f"not JSON: {error.msg} (column {error.colno})"))
            continue
        yield _validated(line, payload)


def _csv_rows(path: Path, handle, kind: CsvKind) -> Iterator[Row]:
    reader = csv.reader(handle, _dialect(path))
    try:
        header = [column.strip().lower() for column in next(reader)]
        previous = reader.line_num
        for record in reader:
            line, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # a blank line, or a spreadsheet's empty row
            if len(record) != len(header):
                yield Row(line, error=InvalidCommand(
                    f"{len(record)} fields where the header has {len(header)}"))
                continue
            payload: dict[str, Any] = {"command": kind.command}
            for column, cell in zip(header, record):
                cell = cell.strip()
                if column in kind.numbers and _DECIMAL_COMMA.match(cell):
                    cell = cell.replace(",", ".")
                payload[column] = cell
            yield _validated(line, payload)
    except csv.Error as error:  # the file changed since inspect_file read it
        raise UnreadableFile(f"{path.name}: line {reader.line_num}: {error}") from None


_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")


def _validated(line: int, payload: object) -> Row:
    try:
        command = normalized(parse_command(payload))
    except InvalidCommand as error:
        return Row(line, error=_without_tag(error, payload))
    except DomainError as error:
        return Row(line, error=error)
    return Row(line, command, row_key(command))


def _without_tag(error: InvalidCommand, payload: object) -> InvalidCommand:
    """pydantic names a field of a command 'log_staff_hours.hours': the row says which
    command it is, the report says 'hours'."""
    tag = payload.get("command") if isinstance(payload, dict) else None
    if not isinstance(tag, str) or not error.field or not error.field.startswith(tag + "."):
        return error
    field = error.field.removeprefix(tag + ".")
    return InvalidCommand(error.message.removeprefix(tag + "."), field=field)


# Keys -----------------------------------------------------------------------------------


def normalized(command: Command) -> Command:
    """The same command with decimals without trailing zeros ('2.50' -> '2.5', '3.0' -> '3'),
    so that equal values give equal keys and equal bodies for the ledger's receipt."""
    data = _normalize(command.model_dump())
    return type(command).model_validate(data)


def _normalize(value: Any) -> Any:
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value.normalize()
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_normalize(v) for v in value)
    return value


def row_key(command: Command) -> str:
    """The idempotency key of an imported row: the sha256 of its kind (the command's name,
    part of its content) and its normalized content. The same row from a CSV file and from
    a JSON Lines file is one row."""
    body = json.dumps(command.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return "import:" + hashlib.sha256(f"import\n{body}".encode()).hexdigest()
