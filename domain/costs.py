"""A resource's monthly cost book: the container of its costs for one month."""

from __future__ import annotations

from domain.aggregate import Stamp, next_event
from domain.commands import RecordCost
from domain.entries import Container
from domain.events import CostRecorded
from domain.periods import month_bounds
from domain.resources import Resource


def record_cost(book: Container, cmd: RecordCost, resource: Resource, stamp: Stamp) -> CostRecorded:
    resource.check_active_on(month_bounds(cmd.month)[0], field="month")
    return next_event(
        book,
        CostRecorded,
        stamp,
        entry_id=book.new_entry_id(),
        resource_id=resource.resource_id,
        month=cmd.month,
        amount_cents=cmd.amount_cents,
        category=cmd.category,
        document_ref=cmd.document_ref,
    )
