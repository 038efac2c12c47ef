"""Commands: what a coordinator or partner asks the ledger to do (imperative).

Commands are validated at the door (pydantic); the rules that need state are checked by
the aggregates. The `command` field names the command in batches and JSON Lines imports.
Each command says which events it may record (`records`); domain/catalogue.py finds every
command, these and those of closing and disputes.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from pydantic_core import ErrorDetails

from domain.errors import FieldValueError, InvalidCommand
from domain.events import (
    AllocationKeySet,
    BookingCancelled,
    CostRecorded,
    DomainEvent,
    EntryCorrected,
    EntryVoided,
    EquipmentUsed,
    Hours,
    PartnerJoined,
    PartnerLeft,
    PartnerRejoined,
    Quantity,
    ResourceKind,
    ResourceRegistered,
    ResourceRetired,
    SlotBooked,
    StaffHoursLogged,
    Unit,
)
from domain.ids import EntryId, Slug
from domain.keys import AllocationKey
from domain.money import Cents
from domain.periods import Day, Month, UtcDatetime
from domain.text import Name, Text


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # The events its handler may record (not a field: never sent, never stored).
    records: ClassVar[tuple[type[DomainEvent], ...]] = ()


class JoinPartner(Command):
    records = (PartnerJoined,)
    command: Literal["join_partner"] = "join_partner"
    partner_id: Slug
    name: Name
    kind: Name = "association"
    joined_on: Day


class LeavePartner(Command):
    records = (PartnerLeft,)
    command: Literal["leave_partner"] = "leave_partner"
    partner_id: Slug
    last_day: Day


class RejoinPartner(Command):
    records = (PartnerRejoined,)
    command: Literal["rejoin_partner"] = "rejoin_partner"
    partner_id: Slug
    joined_on: Day


class RegisterResource(Command):
    records = (ResourceRegistered,)
    command: Literal["register_resource"] = "register_resource"
    resource_id: Slug
    name: Name
    kind: ResourceKind
    unit: Unit
    capacity: Annotated[int, Field(ge=1, le=10_000)] = 1


class RetireResource(Command):
    records = (ResourceRetired,)
    command: Literal["retire_resource"] = "retire_resource"
    resource_id: Slug
    retired_on: Day


class SetAllocationKey(Command):
    records = (AllocationKeySet,)
    command: Literal["set_allocation_key"] = "set_allocation_key"
    resource_id: Slug
    applies_from: Month
    key: AllocationKey


class RecordCost(Command):
    records = (CostRecorded,)
    command: Literal["record_cost"] = "record_cost"
    resource_id: Slug
    month: Month
    amount_cents: Cents
    category: Name
    document_ref: Name


class BookSlot(Command):
    records = (SlotBooked,)
    command: Literal["book_slot"] = "book_slot"
    resource_id: Slug
    partner_id: Slug
    starts_at: UtcDatetime
    ends_at: UtcDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> BookSlot:
        if self.ends_at <= self.starts_at:
            raise FieldValueError(
                f"a booking must end after it starts "
                f"({self.starts_at.isoformat()} -> {self.ends_at.isoformat()})",
                field="ends_at",
            )
        return self


class CancelBooking(Command):
    records = (BookingCancelled,)
    command: Literal["cancel_booking"] = "cancel_booking"
    entry_id: EntryId
    reason: Text = ""


class LogStaffHours(Command):
    """Hours an employee worked for a partner: from `starts_at` to `ends_at` (timezone-aware,
    within one local day, Europe/Paris, as a booking) — the form to use. The older form, a
    `work_date` and a number of `hours` (two decimals), is still accepted for old clients
    and imports, but such an entry has no times: it counts towards the daily, weekly and
    12-week limits and escapes the daily rest, break and overlap rules (domain/working_time.py)."""

    records = (StaffHoursLogged,)
    command: Literal["log_staff_hours"] = "log_staff_hours"
    employee_id: Slug
    partner_id: Slug
    work_date: Day | None = None
    hours: Hours | None = None
    starts_at: UtcDatetime | None = None
    ends_at: UtcDatetime | None = None

    @property
    def timed(self) -> bool:
        return self.starts_at is not None

    @model_validator(mode="after")
    def _times_or_hours(self) -> LogStaffHours:
        if self.starts_at is not None or self.ends_at is not None:
            if self.work_date is not None or self.hours is not None:
                raise FieldValueError("give either starts_at and ends_at, or work_date and hours, not both",
                                      field="work_date" if self.work_date is not None else "hours")
            if self.starts_at is None or self.ends_at is None:
                raise FieldValueError("a timed entry gives both starts_at and ends_at",
                                      field="starts_at" if self.starts_at is None else "ends_at")
            if self.ends_at <= self.starts_at:
                raise FieldValueError(
                    f"staff hours must end after they start "
                    f"({self.starts_at.isoformat()} -> {self.ends_at.isoformat()})",
                    field="ends_at",
                )
        elif self.work_date is None or self.hours is None:
            raise FieldValueError("give starts_at and ends_at (or, the older form, work_date and hours)",
                                  field="starts_at" if self.work_date is None and self.hours is None
                                  else "work_date" if self.work_date is None else "hours")
        return self


class RecordEquipmentUse(Command):
    records = (EquipmentUsed,)
    command: Literal["record_equipment_use"] = "record_equipment_use"
    resource_id: Slug
    partner_id: Slug
    used_on: Day
    quantity: Quantity
    unit: Unit


class CorrectEntry(Command):
    records = (EntryCorrected,)
    command: Literal["correct_entry"] = "correct_entry"
    entry_id: EntryId
    quantity: Quantity | None = None
    amount_cents: Cents | None = None
    reason: Text
    # A cost's amount as the sender read it (a supplier's credit note reduces it): the
    # correction is refused if the cost was corrected since, rather than undo that correction.
    from_amount_cents: Cents | None = None

    @model_validator(mode="after")
    def _one_new_value(self) -> CorrectEntry:
        if (self.quantity is None) == (self.amount_cents is None):
            raise FieldValueError("a correction gives either a new quantity or a new amount_cents",
                                  field="quantity")
        return self


class VoidEntry(Command):
    records = (EntryVoided,)
    command: Literal["void_entry"] = "void_entry"
    entry_id: EntryId
    reason: Text
    # As on CorrectEntry: a cost voided as refunded whole, refused if its amount moved since.
    from_amount_cents: Cents | None = None


# The commands a batch or a JSON Lines import may carry; the others, and why not, are
# domain/catalogue.py NOT_BATCHABLE.
AnyCommand = Annotated[
    Union[
        JoinPartner, LeavePartner, RejoinPartner, RegisterResource, RetireResource,
        SetAllocationKey, RecordCost, BookSlot, CancelBooking, LogStaffHours,
        RecordEquipmentUse, CorrectEntry, VoidEntry,
    ],
    Field(discriminator="command"),
]


_ONE = TypeAdapter(AnyCommand)
_MANY = TypeAdapter(list[AnyCommand])


def parse_command(payload: object) -> Command:
    """Validate raw input (a dict with a `command` field) into a command."""
    try:
        return _ONE.validate_python(payload)
    except ValidationError as error:
        raise invalid_command(error) from None


def parse_commands(payload: object) -> list[Command]:
    try:
        return _MANY.validate_python(payload)
    except ValidationError as error:
        raise invalid_command(error) from None


def invalid_command(error: ValidationError) -> InvalidCommand:
    """The first of pydantic's errors, as the domain's, naming the field at fault."""
    first = error.errors()[0]
    field = field_of(first)
    return InvalidCommand(f"{field}: {message_of(first)}", field=field or None)


def field_of(details: ErrorDetails, skip: tuple[str, ...] = ()) -> str:
    """The dotted path of the field an error is about, including the field a check of
    several fields blames (see FieldValueError)."""
    parts = [str(part) for part in details.get("loc", ()) if part not in skip]
    ctx = details.get("ctx", {})
    if isinstance(ctx.get("error"), FieldValueError):
        parts.append(ctx["error"].field)
    elif details["type"] in ("union_tag_invalid", "union_tag_not_found"):
        parts.append(ctx["discriminator"].strip("'"))
    return ".".join(parts)


def message_of(details: ErrorDetails) -> str:
    """pydantic's message without its 'Value error, ' prefix: ours say what is wrong."""
    cause = details.get("ctx", {}).get("error")
    return str(cause) if isinstance(cause, ValueError) else details["msg"]
