"""Monthly hour sheets: each employee's hours for one member in one month, submitted, then
countersigned by the member or contested with a reason (the GE's relevé mensuel d'heures).

One aggregate per sheet, its id `<employee>:<partner>:<YYYY-MM>`. The submission's hours
and entries come from the read model at a log position (application/hour_sheets.py); the
sheet checks that they hang together and that the steps come in order:

- submitted first, then countersigned or contested, each once per submission;
- submitted again only after a contest, or when the entries changed since the last
  submission (their digest differs): the new version replaces the old one, and if the old
  one was signed, the submission says that it voids that signature;
- the member signs what was submitted: the digest it was shown must be the last
  submission's, else the sheet changed since it opened it.

An employee submits its own sheets from its page; the coordinator may submit them on its
behalf (application/permissions.py says who may).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import singledispatch
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.closing import Sha256
from domain.commands import Command
from domain.errors import FieldValueError, InvalidCommand, NotFound, RuleViolation
from domain.events import DomainEvent
from domain.ids import EntryId, Slug, aggregate_id, parse_entry_id
from domain.periods import Month
from domain.text import Name, StoredName, StoredText, Text

_SHEET = re.compile(r"^(?P<employee>[a-z0-9][a-z0-9-]{0,62}):(?P<partner>[a-z0-9][a-z0-9-]{0,62}):"
                    r"(?P<month>\d{4}-\d{2})$")
SheetId = Annotated[str, StringConstraints(pattern=_SHEET.pattern)]
# A month's hours on one sheet: at most 31 days of 24 h, to the thousandth of an hour.
SheetHours = Annotated[Decimal, Field(gt=0, le=744, decimal_places=3)]
SheetStatus = Literal["submitted", "countersigned", "contested"]


class HourSheetSubmitted(DomainEvent):
    sheet_id: str
    employee_id: Slug
    partner_id: Slug
    month: Month
    # 1 for the first submission, then one more for each that replaces it.
    version: int
    hours: Decimal
    entries: tuple[str, ...]
    entries_sha256: str
    as_of_position: int
    # Who had signed the version this one replaces (None: it was not signed): a sheet whose
    # hours changed after its signature is submitted again, and the signature no longer holds.
    voids_signature_of: StoredName | None = None


class HourSheetCountersigned(DomainEvent):
    sheet_id: str
    signed_by: StoredName
    entries_sha256: str


class HourSheetContested(DomainEvent):
    sheet_id: str
    reason: StoredText


class SubmitHourSheet(Command):
    """Sent with the hours, entries and digest the projections computed at `as_of_position`
    (application/hour_sheets.py), as ClosePeriod is sent with its digest."""

    records = (HourSheetSubmitted,)
    employee_id: Slug
    partner_id: Slug
    month: Month
    hours: SheetHours
    entries: tuple[EntryId, ...]
    entries_sha256: Sha256
    as_of_position: Annotated[int, Field(ge=0)]

    @model_validator(mode="after")
    def _entries_are_the_employees_in_the_month(self) -> SubmitHourSheet:
        if not self.entries:
            raise FieldValueError(f"no hours of '{self.employee_id}' for '{self.partner_id}' in {self.month}: "
                                  "a month without hours has no sheet", field="entries")
        if len(set(self.entries)) != len(self.entries):
            raise FieldValueError("an entry is named twice", field="entries")
        for entry in self.entries:
            resource, period, _ = parse_entry_id(entry)
            if resource != self.employee_id or "W" not in period or self.month not in week_months(period):
                raise FieldValueError(f"entry '{entry}' is not a week of {self.month} of '{self.employee_id}''s "
                                      "timesheets", field="entries")
        return self

    @property
    def sheet_id(self) -> str:
        return sheet_id(self.employee_id, self.partner_id, self.month)


class CountersignHourSheet(Command):
    records = (HourSheetCountersigned,)
    sheet_id: SheetId
    signed_by: Name
    # The digest of the entries the member was shown: it must be the last submission's.
    entries_sha256: Sha256


class ContestHourSheet(Command):
    records = (HourSheetContested,)
    sheet_id: SheetId
    reason: Annotated[Text, StringConstraints(min_length=1)]


@dataclass(frozen=True)
class HourSheet:
    id: UUID
    version: int
    sheet_id: str
    submissions: int
    status: str  # submitted | countersigned | contested
    entries_sha256: str
    signed_by: str | None


def week_months(week: str) -> set[str]:
    """The months the days of an ISO week ('2026-W14') fall in: one, or two."""
    monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    return {(monday + timedelta(days=n)).strftime("%Y-%m") for n in (0, 6)}


def sheet_id(employee_id: str, partner_id: str, month: str) -> str:
    return f"{employee_id}:{partner_id}:{month}"


def parse_sheet_id(value: str) -> tuple[str, str, str]:
    """(employee, partner, month) of a sheet id."""
    match = _SHEET.match(value)
    if match is None:
        raise InvalidCommand(f"sheet id {value!r} is not '<employee>:<partner>:<YYYY-MM>'", field="sheet_id")
    return match["employee"], match["partner"], match["month"]


def sheet_aggregate_id(value: str) -> UUID:
    return aggregate_id("hour-sheet", *parse_sheet_id(value))


def submit(sheet: HourSheet | None, cmd: SubmitHourSheet, stamp: Stamp) -> HourSheetSubmitted:
    if sheet is not None and sheet.status != "contested" and sheet.entries_sha256 == cmd.entries_sha256:
        said = {"submitted": "is already submitted", "countersigned": "is already countersigned"}[sheet.status]
        raise RuleViolation(f"sheet '{sheet.sheet_id}' {said} with these hours: it is submitted again only "
                            "after a contest, or once its hours changed", field="sheet_id")
    fields = dict(
        sheet_id=cmd.sheet_id, employee_id=cmd.employee_id, partner_id=cmd.partner_id, month=cmd.month,
        version=(sheet.submissions if sheet else 0) + 1, hours=cmd.hours, entries=cmd.entries,
        entries_sha256=cmd.entries_sha256, as_of_position=cmd.as_of_position,
        voids_signature_of=sheet.signed_by if sheet and sheet.status == "countersigned" else None,
    )
    if sheet is None:
        return first_event(HourSheetSubmitted, sheet_aggregate_id(cmd.sheet_id), stamp, **fields)
    return next_event(sheet, HourSheetSubmitted, stamp, **fields)


def countersign(sheet: HourSheet | None, cmd: CountersignHourSheet, stamp: Stamp) -> HourSheetCountersigned:
    found = _awaiting_answer(sheet, cmd.sheet_id)
    if cmd.entries_sha256 != found.entries_sha256:
        raise RuleViolation(f"sheet '{cmd.sheet_id}' changed since you opened it: it was submitted again; "
                            "read it again before signing", field="entries_sha256")
    return next_event(found, HourSheetCountersigned, stamp, sheet_id=cmd.sheet_id, signed_by=cmd.signed_by,
                      entries_sha256=cmd.entries_sha256)


def contest(sheet: HourSheet | None, cmd: ContestHourSheet, stamp: Stamp) -> HourSheetContested:
    found = _awaiting_answer(sheet, cmd.sheet_id)
    return next_event(found, HourSheetContested, stamp, sheet_id=cmd.sheet_id, reason=cmd.reason)


def _awaiting_answer(sheet: HourSheet | None, value: str) -> HourSheet:
    """The sheet, if it is submitted and not yet countersigned nor contested."""
    if sheet is None:
        raise NotFound(f"sheet '{value}' was never submitted", field="sheet_id")
    if sheet.status != "submitted":
        raise RuleViolation(f"sheet '{value}' is already {sheet.status}: only a submitted sheet is "
                            "countersigned or contested, once", field="sheet_id")
    return sheet


@singledispatch
def evolve(event: DomainEvent, state: HourSheet | None) -> HourSheet:
    raise TypeError(f"an hour sheet does not take {type(event).__name__}")


@evolve.register
def _(event: HourSheetSubmitted, state: HourSheet | None) -> HourSheet:
    if state is None:
        state = HourSheet(event.originator_id, 0, event.sheet_id, 0, "submitted", "", None)
    return replace(state, version=event.originator_version, submissions=event.version, status="submitted",
                   entries_sha256=event.entries_sha256, signed_by=None)


@evolve.register
def _(event: HourSheetCountersigned, state: HourSheet) -> HourSheet:
    return replace(state, version=event.originator_version, status="countersigned", signed_by=event.signed_by)


@evolve.register
def _(event: HourSheetContested, state: HourSheet) -> HourSheet:
    return replace(state, version=event.originator_version, status="contested")


project_sheet = projector(evolve)
