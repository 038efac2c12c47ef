"""Identifiers.

Partners and resources are named by the coordinator with short slugs ('salle-vercors').
Aggregate ids are uuid5 of a natural key, so any node finds an aggregate without a lookup.

Usage and cost entries get ids from the container aggregate that records them:
'<resource>:<period>:<n>' where the period is a day (agenda), an ISO week (timesheet)
or a month (cost book). An entry id therefore says where its entry lives, which is how
a correction or a void finds it, and it is unique because the container numbers it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated
from uuid import UUID, uuid5

from pydantic import StringConstraints

from domain.errors import InvalidCommand

NAMESPACE = UUID("6f0a3c56-35c1-4a8e-9d0b-5c0e6f1f0e11")

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]

_ENTRY = re.compile(
    r"^(?P<resource>[a-z0-9][a-z0-9-]{0,62}):"
    r"(?P<period>\d{4}-\d{2}-\d{2}|\d{4}-W\d{2}|\d{4}-\d{2}):(?P<seq>[1-9]\d*)$"
)

EntryId = Annotated[str, StringConstraints(pattern=_ENTRY.pattern)]


@lru_cache(maxsize=65_536)
def aggregate_id(kind: str, *natural_key: str) -> UUID:
    return uuid5(NAMESPACE, "/".join((kind, *natural_key)))


def partner_aggregate_id(partner_id: str) -> UUID:
    return aggregate_id("partner", partner_id)


def resource_aggregate_id(resource_id: str) -> UUID:
    return aggregate_id("resource", resource_id)


def agenda_aggregate_id(resource_id: str, day: str) -> UUID:
    return aggregate_id("agenda", resource_id, day)


def timesheet_aggregate_id(employee_id: str, week: str) -> UUID:
    return aggregate_id("timesheet", employee_id, week)


def cost_book_aggregate_id(resource_id: str, month: str) -> UUID:
    return aggregate_id("costs", resource_id, month)


def receipt_aggregate_id(idempotency_key: str) -> UUID:
    return aggregate_id("receipt", idempotency_key)


def entry_id(resource_id: str, period: str, seq: int) -> str:
    return f"{resource_id}:{period}:{seq}"


def parse_entry_id(value: str) -> tuple[str, str, int]:
    """Split an entry id into (resource, period, sequence number)."""
    match = _ENTRY.match(value)
    if match is None:
        raise InvalidCommand(
            f"entry id {value!r} is not of the form '<resource>:<day|week|month>:<n>'",
            field="entry_id",
        )
    return match["resource"], match["period"], int(match["seq"])


def container_aggregate_id(value: str) -> UUID:
    """The aggregate that holds the entry with this id."""
    resource, period, _ = parse_entry_id(value)
    if "W" in period:
        return timesheet_aggregate_id(resource, period)
    if len(period) == 10:
        return agenda_aggregate_id(resource, period)
    return cost_book_aggregate_id(resource, period)
