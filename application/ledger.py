"""The ledger: every command of the pool is recorded through here.

A command is authorized by the permission policy (application/permissions.py), checked
against its preconditions, decided by its handler in a unit of work,
and saved with its idempotency receipt in one transaction. When another writer saved
first (a version conflict, or an aggregate the decision consulted moved on), the whole
attempt is decided again on fresh state, after a
jittered pause, up to MAX_ATTEMPTS times: one retry loop serves single commands, batches
and imports alike.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timezone
from typing import Callable, Sequence, TypeVar

from eventsourcing.persistence import ApplicationRecorder, IntegrityError

from application.handlers import Handler, handlers
from application.idempotency import body_digest, receipt, replay
from application.outcome import BatchRefused, Outcome
from application.permissions import Operator, Principal, authorize
from application.preconditions import StatementLines, check_preconditions
from application.unit_of_work import UnitOfWork
from domain.aggregate import Stamp
from domain.commands import Command
from domain.entries import require_container
from domain.errors import ConcurrencyConflict, DomainError
from domain.events import DomainEvent
from domain.ids import container_aggregate_id
from domain.local_authority_cap import LocalAuthorityCap
from domain.timesheets import WorkingTimeLimits
from event_store.store import EventStore

MAX_ATTEMPTS = 8
# Pauses between attempts: uniformly random up to BACKOFF_S * 2**attempt (capped), so
# that writers who collided once do not collide again in lockstep.
BACKOFF_S = 0.002
MAX_BACKOFF_S = 0.1

T = TypeVar("T")


class Ledger:
    """The use cases' entry: execute commands against the event store."""

    def __init__(self, store: EventStore, limits: WorkingTimeLimits,
                 lines: StatementLines | None = None, cap: LocalAuthorityCap = LocalAuthorityCap()) -> None:
        self.store = store
        self.handlers: dict[type[Command], Handler] = handlers(limits, store.recorder.max_notification_id, cap)
        # The read side's answer to "is there such a statement line?"; without it (a
        # ledger opened for writing only) that precondition cannot be checked.
        self.lines = lines

    @property
    def recorder(self) -> ApplicationRecorder:
        return self.store.recorder

    @property
    def events(self):
        return self.store.events

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def execute(self, command: Command, *, actor: str | Principal,
                idempotency_key: str | None = None) -> Outcome:
        """Record what one command decides, or raise the domain error that refuses it.

        `actor` is a principal (a token's holder), or the name the operator records under."""
        return self._run([command], actor, idempotency_key, batch=False)

    def execute_batch(
        self,
        commands: Sequence[Command],
        *,
        actor: str | Principal | Sequence[str],
        idempotency_key: str | None = None,
    ) -> Outcome:
        """All commands in one transaction, or none: BatchRefused names the first refusal.

        `actor` is who sends the batch, or one actor per command (an import that carries
        who recorded each line)."""
        return self._run(list(commands), actor, idempotency_key, batch=True)

    def execute_each(
        self, commands: Sequence[Command], *, keys: Sequence[str], actor: str
    ) -> list[Outcome | DomainError]:
        """Each command on its own, as `execute` would record it under its key, but all in
        one transaction: a refused command is left out (its error stands in its place) and
        the next ones are decided on the state the accepted ones left. For imports."""

        def attempt() -> list[Outcome | DomainError]:
            uow = UnitOfWork(self.store.repository)
            stamp = Stamp(actor=actor, at=datetime.now(timezone.utc))
            results: list[Outcome | DomainError | int] = []  # int: events decided, saved below
            decided: list[DomainEvent] = []
            for command, key in zip(commands, keys, strict=True):
                digest = body_digest([command])
                before = len(uow.events)
                try:
                    authorize(Operator(actor), command, self.entry_partner)
                    found = replay(self.store, key, digest)
                    if found is None:
                        check_preconditions(command, self.lines)
                        self.handlers[type(command)](uow, command, stamp)
                except DomainError as error:
                    results.append(error)
                    continue
                if found is not None:
                    results.append(found)
                    continue
                events = uow.events[before:]
                decided += [*events, receipt(key, digest, events, stamp)]
                results.append(len(events))
            recordings = iter(self.store.save(*decided, read_versions=uow.read_versions()) if decided else ())
            # Each accepted command's recordings: its events, then its receipt.
            return [
                Outcome.of([next(recordings) for _ in range(r + 1)]) if isinstance(r, int) else r
                for r in results
            ]

        return retrying(attempt, "the commands were retried {n} times against concurrent writers "
                                  "and not recorded; send them again")

    def entry_partner(self, entry_id: str) -> str | None:
        """The partner an entry is recorded for (None for a cost); NotFound if no such entry."""
        uow = UnitOfWork(self.store.repository)
        return require_container(uow.container(container_aggregate_id(entry_id)), entry_id).find(entry_id).partner_id

    def _run(
        self, commands: list[Command], actor: str | Principal | Sequence[str], key: str | None, *, batch: bool
    ) -> Outcome:
        principals = _principals(actor, len(commands))
        actors = [principal.actor for principal in principals]
        for principal, command in zip(principals, commands):
            authorize(principal, command, self.entry_partner)
        for index, command in enumerate(commands):
            try:
                check_preconditions(command, self.lines)
            except DomainError as error:
                raise BatchRefused(index, error) if batch else error
        digest = body_digest(commands) if key is not None else ""

        def attempt() -> Outcome:
            if key is not None:
                found = replay(self.store, key, digest)
                if found is not None:
                    return found
            uow = UnitOfWork(self.store.repository)
            now = datetime.now(timezone.utc)
            for index, command in enumerate(commands):
                stamp = Stamp(actor=actors[index], at=now)
                try:
                    self.handlers[type(command)](uow, command, stamp)
                except DomainError as error:
                    raise BatchRefused(index, error) if batch else error
            decided = list(uow.events)
            if key is not None:
                decided.append(receipt(key, digest, uow.events, Stamp(actors[0], now)))
            return Outcome.of(self.store.save(*decided, read_versions=uow.read_versions()))

        return retrying(attempt, "the command was retried {n} times against concurrent writers "
                                  "and not recorded; send it again")


def _principals(actor: str | Principal | Sequence[str], count: int) -> list[Principal]:
    """Who sends each command: one principal for all, or the operator under one name for
    all or a name each (an import that carries who recorded each line)."""
    if isinstance(actor, str):
        return [Operator(actor)] * count
    if not isinstance(actor, Sequence):
        return [actor] * count
    if len(actor) != count:
        raise ValueError(f"{count} commands but {len(actor)} actors")
    return [Operator(name) for name in actor]


def retrying(attempt: Callable[[], T], gave_up: str) -> T:
    """Run `attempt` until it saves without a version conflict: the one retry loop."""
    for n in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except IntegrityError:
            # Another writer got there first: decide again on fresh state, a little later.
            if n + 1 < MAX_ATTEMPTS:
                time.sleep(random.uniform(0, min(MAX_BACKOFF_S, BACKOFF_S * 2**n)))
    raise ConcurrencyConflict(gave_up.format(n=MAX_ATTEMPTS))
