"""The event store: the one eventsourcing application that keeps every event of the pool.

Persistence only: saving events, loading aggregates, reading the log. Deciding what to
record is the application layer's (application/ledger.py).
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper
from eventsourcing.utils import Environment

from event_store.mapper import PydanticMapper


class EventStore(Application[UUID]):
    # The library names the stored application (and its tables' tracking rows) after it.
    name = "encommun"

    def construct_env(self, name: str, env: dict[str, str] | None = None) -> Environment:
        # Only the settings' environment: the library would also read os.environ, where
        # its application-name prefix (ENCOMMUN_) collides with our settings' variables.
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=PydanticMapper)
