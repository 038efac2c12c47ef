"""Domain errors: every refusal of the write side is one of these.

Each error names the rule it enforces and, where one field is at fault, that field,
so that the HTTP layer can turn it into a problem document without guessing.
"""

from __future__ import annotations


class DomainError(Exception):
    """Root of every error the domain raises."""

    rule = "domain"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidCommand(DomainError):
    """The command is malformed: a value out of bounds, a badly formed month."""

    rule = "invalid-command"


class NotFound(DomainError):
    """The command refers to a partner, resource or entry that does not exist."""

    rule = "not-found"


class AlreadyExists(DomainError):
    """An id given to something new is already taken."""

    rule = "already-exists"


class RuleViolation(DomainError):
    """The command is well formed but breaks a business rule."""

    rule = "rule-violation"


class BookingOverlap(RuleViolation):
    rule = "booking-overlap"


class WorkingTimeExceeded(RuleViolation):
    """A working-time limit of the Code du travail (domain/working_time.py) would be passed."""

    rule = "working-time-exceeded"


class LocalAuthorityCapExceeded(RuleViolation):
    rule = "local-authority-cap-exceeded"


class DailyRestTooShort(WorkingTimeExceeded):
    """Less than the daily rest (11 consecutive hours, C. trav. L3131-1) between two days."""

    rule = "daily-rest-too-short"


class BreakMissing(WorkingTimeExceeded):
    """More than 6 h of work without a 20-minute break (C. trav. L3121-16)."""

    rule = "break-missing"


class StaffHoursOverlap(WorkingTimeExceeded):
    """Two timed entries of one employee at the same time (for any partners)."""

    rule = "staff-hours-overlap"


class NotAMember(RuleViolation):
    rule = "not-a-member"


class ResourceNotActive(RuleViolation):
    rule = "resource-not-active"


class EntryNotOpen(RuleViolation):
    """The entry was already voided or cancelled."""

    rule = "entry-not-open"


class ConcurrencyConflict(DomainError):
    """Concurrent writers kept changing the same aggregate; the command was not recorded."""

    rule = "concurrency-conflict"


class IdempotencyKeyReused(DomainError):
    """An idempotency key already used for a different command body."""

    rule = "idempotency-key-reused"


class FieldValueError(ValueError):
    """Raised by a validator that checks several fields together, naming the one to blame
    (pydantic places such an error on the model, with no field of its own)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field
