"""The ledger: the one eventsourcing application that records every event of the pool."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Mapper, Recording
from eventsourcing.utils import Environment

from domain.aggregate import Stamp, first_event
from domain.commands import Command
from domain.errors import ConcurrencyConflict, DomainError, IdempotencyKeyReused
from domain.events import CommandReceived, DomainEvent
from domain.entries import require_container
from domain.ids import container_aggregate_id, receipt_aggregate_id
from domain.timesheets import WorkingTimeLimits
from event_store.handlers import HANDLERS
from event_store.mapper import PydanticMapper
from event_store.positions import positions_of
from event_store.unit_of_work import UnitOfWork

# Concurrent writers to one aggregate: each retry reloads fresh state and decides again.
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class RecordedEvent:
    position: int
    originator_id: UUID
    originator_version: int
    type: str
    entry_id: str | None
    dispute_id: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a command (or batch) recorded; `replayed` when an idempotent retry found it."""

    events: tuple[RecordedEvent, ...]
    replayed: bool = False

    @property
    def position(self) -> int | None:
        """The log position of the last event recorded: wait for it to read your writes."""
        return self.events[-1].position if self.events else None


class BatchRefused(DomainError):
    """One command of a batch was refused; nothing of the batch was recorded."""

    def __init__(self, index: int, error: DomainError) -> None:
        super().__init__(f"command {index} refused: {error.message}", field=error.field)
        self.index = index
        self.error = error
        self.rule = error.rule


class Ledger(Application[UUID]):
    name = "encommun"

    def __init__(self, env: dict[str, str], limits: WorkingTimeLimits) -> None:
        super().__init__(env)
        self.limits = limits

    def construct_env(self, name: str, env: dict[str, str] | None = None) -> Environment:
        # Only the settings' environment: the library would also read os.environ, where
        # its application-name prefix (ENCOMMUN_) collides with our settings' variables.
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=PydanticMapper)

    def execute(self, command: Command, *, actor: str, idempotency_key: str | None = None) -> Outcome:
        """Record what one command decides, or raise the domain error that refuses it."""
        return self._run([command], actor, idempotency_key, batch=False)

    def execute_batch(
        self,
        commands: Sequence[Command],
        *,
        actor: str | Sequence[str],
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
        for _ in range(MAX_ATTEMPTS):
            uow = UnitOfWork(self.repository)
            stamp = Stamp(actor=actor, at=datetime.now(timezone.utc))
            results: list[Outcome | DomainError | int] = []  # int: events decided, saved below
            decided: list[DomainEvent] = []
            for command, key in zip(commands, keys, strict=True):
                digest = body_digest([command])
                before = len(uow.events)
                try:
                    replay = self._replay(key, digest)
                    if replay is None:
                        HANDLERS[type(command)](uow, command, stamp, self.limits)
                except DomainError as error:
                    results.append(error)
                    continue
                if replay is not None:
                    results.append(replay)
                    continue
                events = uow.events[before:]
                decided += [*events, receipt(key, digest, events, stamp)]
                results.append(len(events))
            try:
                recordings = iter(self.save(*decided) if decided else ())
            except IntegrityError:
                continue  # another writer got there first: decide again on fresh state
            # Each accepted command's recordings: its events, then its receipt.
            return [
                self._outcome([next(recordings) for _ in range(r + 1)]) if isinstance(r, int) else r
                for r in results
            ]
        raise ConcurrencyConflict(
            f"the commands were retried {MAX_ATTEMPTS} times against concurrent writers "
            "and not recorded; send them again"
        )

    def entry_partner(self, entry_id: str) -> str | None:
        """The partner an entry is recorded for (None for a cost); NotFound if no such entry."""
        uow = UnitOfWork(self.repository)
        return require_container(uow.container(container_aggregate_id(entry_id)), entry_id).find(entry_id).partner_id

    def _run(
        self, commands: list[Command], actor: str | Sequence[str], key: str | None, *, batch: bool
    ) -> Outcome:
        actors = [actor] * len(commands) if isinstance(actor, str) else list(actor)
        if len(actors) != len(commands):
            raise ValueError(f"{len(commands)} commands but {len(actors)} actors")
        digest = body_digest(commands) if key is not None else ""
        for _ in range(MAX_ATTEMPTS):
            if key is not None:
                replay = self._replay(key, digest)
                if replay is not None:
                    return replay
            uow = UnitOfWork(self.repository)
            now = datetime.now(timezone.utc)
            for index, command in enumerate(commands):
                stamp = Stamp(actor=actors[index], at=now)
                try:
                    HANDLERS[type(command)](uow, command, stamp, self.limits)
                except DomainError as error:
                    raise BatchRefused(index, error) if batch else error
            decided = list(uow.events)
            if key is not None:
                decided.append(receipt(key, digest, uow.events, Stamp(actors[0], now)))
            try:
                recordings = self.save(*decided)
            except IntegrityError:
                continue  # another writer got there first: decide again on fresh state
            return self._outcome(recordings)
        raise ConcurrencyConflict(
            f"the command was retried {MAX_ATTEMPTS} times against concurrent writers "
            "and not recorded; send it again"
        )

    @staticmethod
    def _outcome(recordings: Sequence[Recording]) -> Outcome:
        return Outcome(tuple(
            RecordedEvent(
                r.notification.id,
                r.domain_event.originator_id,
                r.domain_event.originator_version,
                type(r.domain_event).__name__,
                getattr(r.domain_event, "entry_id", None),
                getattr(r.domain_event, "dispute_id", None),
            )
            for r in recordings
            if not isinstance(r.domain_event, CommandReceived)
        ))

    def _replay(self, key: str, digest: str) -> Outcome | None:
        found = list(self.events.get(receipt_aggregate_id(key), limit=1))
        if not found:
            return None
        first: CommandReceived = found[0]
        if first.body_sha256 != digest:
            raise IdempotencyKeyReused(
                f"idempotency key {key!r} was already used for a different request; "
                "use a new key for a new request",
                field="Idempotency-Key",
            )
        positions = positions_of(self.recorder, first.recorded)
        events = tuple(
            RecordedEvent(
                positions[(originator_id, version)],
                originator_id,
                version,
                type(event).__name__,
                getattr(event, "entry_id", None),
                getattr(event, "dispute_id", None),
            )
            for (originator_id, version), event in zip(
                first.recorded, self._events_at(first.recorded), strict=True
            )
        )
        return Outcome(events, replayed=True)

    def _events_at(self, recorded: Sequence[tuple[UUID, int]]) -> list[DomainEvent]:
        return [
            next(iter(self.events.get(originator_id, gt=version - 1, lte=version)))
            for originator_id, version in recorded
        ]


def receipt(key: str, digest: str, events: list[DomainEvent], stamp: Stamp) -> CommandReceived:
    return first_event(
        CommandReceived,
        receipt_aggregate_id(key),
        stamp,
        idempotency_key=key,
        body_sha256=digest,
        recorded=tuple((e.originator_id, e.originator_version) for e in events),
    )


def body_digest(commands: Sequence[Command]) -> str:
    body = json.dumps([c.model_dump(mode="json") for c in commands], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()
