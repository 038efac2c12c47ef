"""Maps pydantic domain events to the library's stored events and back.

eventsourcing 9.5.6 ships no pydantic support (its examples/aggregate7 shows the idea):
the event is stored as the JSON pydantic writes, under the topic of its class. Upcasting
stays possible: a renamed class keeps its old topic through
`eventsourcing.utils.register_topic`, and a changed class accepts its old payloads through
a `model_validator(mode="before")`, which pydantic runs on JSON input as well.
"""

from __future__ import annotations

from typing import cast
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from domain.events import DomainEvent


class PydanticMapper(Mapper[UUID]):
    def to_stored_event(self, domain_event: object) -> StoredEvent:
        event = cast(DomainEvent, domain_event)
        state = event.model_dump_json().encode()
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return StoredEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=get_topic(type(event)),
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEvent:
        state = stored_event.state
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        cls: type[DomainEvent] = resolve_topic(stored_event.topic)
        return cls.model_validate_json(state)
