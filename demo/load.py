"""Loading generated steps into a ledger, and reading back what a store holds.

No printing here: the command line (demo/__main__.py) and the tests share this code.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Iterator

from eventsourcing.utils import get_topic

from domain.errors import DomainError
from domain.events import (
    AllocationKeySet,
    CostRecorded,
    PartnerJoined,
    PartnerLeft,
    PartnerRejoined,
    ResourceRegistered,
)
from application.ledger import Ledger
from application.outcome import BatchRefused, Outcome
from demo.steps import Step


@dataclass(frozen=True)
class Refusal:
    step: Step
    rule: str
    message: str


@dataclass
class LoadReport:
    steps: int = 0
    events: int = 0
    seconds: float = 0.0
    events_by_type: Counter[str] = field(default_factory=Counter)
    events_by_month: Counter[str] = field(default_factory=Counter)
    refusals: list[Refusal] = field(default_factory=list)  # the expected ones
    problem: str | None = None  # the first unexpected outcome: loading stopped there

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def merged(steps: Iterable[Step], max_commands: int) -> Iterator[Step]:
    """Consecutive steps that expect no refusal, joined into batches of about
    `max_commands` commands, each command keeping its actor: the same events, in the same
    order, in fewer transactions (for loading large territories quickly)."""
    pending: list[Step] = []

    def flush() -> Iterator[Step]:
        if pending:
            yield Step(
                commands=tuple(c for s in pending for c in s.commands),
                actor=pending[0].actor,
                actors=tuple(s.actor for s in pending for _ in s.commands),
                note=f"{len(pending)} steps from '{pending[0].note}'",
                entry_ids=tuple(e for s in pending for e in (s.entry_ids or (None,) * len(s.commands))),
                month=pending[-1].month,
            )
            pending.clear()

    size = 0
    for step in steps:
        if step.expect_refusal is not None:
            yield from flush()
            size = 0
        if step.expect_refusal is not None:
            yield step
            continue
        pending.append(step)
        size += len(step.commands)
        if size >= max_commands:
            yield from flush()
            size = 0
    yield from flush()


def execute(ledger: Ledger, step: Step) -> Outcome:
    if len(step.commands) == 1:
        return ledger.execute(step.commands[0], actor=step.actor)
    return ledger.execute_batch(step.commands, actor=step.actors or step.actor)


def load(
    ledger: Ledger,
    steps: Iterable[Step],
    on_step: Callable[[Step, Outcome | None, Refusal | None], None] | None = None,
) -> LoadReport:
    """Execute every step; stop at the first one that does not go as the generator
    expects (an unexpected refusal, a missing expected refusal, or entry ids other than
    those predicted), since later steps may depend on it."""
    report = LoadReport()
    started = time.perf_counter()
    try:
        for step in steps:
            report.steps += 1
            outcome, refusal = None, None
            try:
                outcome = execute(ledger, step)
            except DomainError as error:
                message = error.error.message if isinstance(error, BatchRefused) else error.message
                refusal = Refusal(step, error.rule, message)
                if step.expect_refusal != error.rule:
                    expected = f" (expected {step.expect_refusal})" if step.expect_refusal else ""
                    report.problem = (
                        f"unexpected refusal [{error.rule}]{expected} of step "
                        f"'{step.note}' by {step.actor}: {message}"
                    )
                    return report
                report.refusals.append(refusal)
            else:
                recorded = len(outcome.events)
                report.events += recorded
                report.events_by_month[step.month] += recorded
                report.events_by_type.update(e.type for e in outcome.events)
                if step.expect_refusal:
                    report.problem = (
                        f"step '{step.note}' should have been refused [{step.expect_refusal}] "
                        f"but recorded {recorded} event(s)"
                    )
                    return report
                got = tuple(e.entry_id for e in outcome.events)
                if step.entry_ids and got != step.entry_ids:
                    wrong = next(
                        (want, have) for want, have in zip(step.entry_ids, got) if want != have
                    ) if len(got) == len(step.entry_ids) else (step.entry_ids, got)
                    report.problem = (
                        f"step '{step.note}': the ledger gave entry ids other than predicted "
                        f"(expected {wrong[0]}, got {wrong[1]})"
                    )
                    return report
            if on_step is not None:
                on_step(step, outcome, refusal)
        return report
    finally:
        report.seconds = time.perf_counter() - started


# What a store holds --------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerRow:
    partner_id: str
    name: str
    kind: str
    membership: str


@dataclass(frozen=True)
class ResourceRow:
    resource_id: str
    name: str
    kind: str
    unit: str
    keys: str  # 'fixed (2026-01), fixed (2026-07)'


@dataclass(frozen=True)
class StoreSummary:
    events: int
    events_by_type: dict[str, int]
    partners: list[PartnerRow]
    resources: list[ResourceRow]
    months: list[str]  # months with costs recorded


def summarize(ledger: Ledger) -> StoreSummary:
    """Read back what the store holds (SQLite or PostgreSQL through the library's API)."""
    by_type: Counter[str] = Counter()
    for notification in _notifications(ledger):
        by_type[notification.topic.rsplit(":", 1)[-1]] += 1

    joined: dict[str, PartnerJoined] = {}
    periods: dict[str, list[list[date | None]]] = {}
    for event in stored_events(ledger, PartnerJoined, PartnerLeft, PartnerRejoined):
        if isinstance(event, PartnerJoined):
            joined[event.partner_id] = event
            periods[event.partner_id] = [[event.joined_on, None]]
        elif isinstance(event, PartnerLeft):
            periods[event.partner_id][-1][1] = event.last_day
        else:
            periods[event.partner_id].append([event.joined_on, None])
    partners = [
        PartnerRow(
            pid, e.name, e.kind,
            ", ".join(f"{start} → {end or '…'}" for start, end in periods[pid]),
        )
        for pid, e in joined.items()
    ]

    registered: dict[str, ResourceRegistered] = {}
    keys: dict[str, list[str]] = {}
    for event in stored_events(ledger, ResourceRegistered, AllocationKeySet):
        if isinstance(event, ResourceRegistered):
            registered[event.resource_id] = event
            keys[event.resource_id] = []
        else:
            keys[event.resource_id].append(f"{event.key.method} ({event.applies_from})")
    resources = [
        ResourceRow(rid, e.name, e.kind, e.unit, ", ".join(keys[rid]) or "no key")
        for rid, e in registered.items()
    ]
    months = sorted({e.month for e in stored_events(ledger, CostRecorded)})
    return StoreSummary(sum(by_type.values()), dict(by_type), partners, resources, months)


def _notifications(ledger: Ledger, *topics: str, page: int = 10_000):
    start = 1
    while True:
        batch = ledger.recorder.select_notifications(start, page, topics=topics)
        yield from batch
        if len(batch) < page:
            return
        start = batch[-1].id + 1


def stored_events(ledger: Ledger, *types: type):
    for notification in _notifications(ledger, *(get_topic(t) for t in types)):
        yield ledger.store.mapper.to_domain_event(notification)
