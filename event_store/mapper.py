"""Maps pydantic domain events to the library's stored events and back.

eventsourcing 9.5.6 ships no pydantic support (its examples/aggregate7 shows the idea):
the event is stored as the JSON pydantic writes, under the topic of its class. Upcasting
stays possible: a renamed class keeps its old topic in `domain.catalogue.FORMER_TOPICS`
(registered here with `eventsourcing.utils.register_topic`), and a changed class accepts
its old payloads through a `model_validator(mode="before")`, which pydantic runs on JSON
input as well.

States are stored as written, never compressed or encrypted: the projections, `verify`
and its row checks read the stored bytes themselves (projections/runner.py page_table),
so the mapper refuses the library's COMPRESSOR_TOPIC and CIPHER_TOPIC settings rather than
write states the read side would fail on.

Each stored state ends with a checksum line: SHA-256 of the topic and the JSON. It is not
a secret (anyone can recompute it); it lets `verify` name the exact event whose bytes
changed by someone who did not recompute it. Edits that did are caught by the hash chain,
up to the last seal or anchor that holds (projections/verify.py).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, cast
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, register_topic, resolve_topic

from domain.catalogue import FORMER_TOPICS
from domain.events import DomainEvent

if TYPE_CHECKING:
    from eventsourcing.cipher import Cipher
    from eventsourcing.compressor import Compressor


def register_former_topics() -> None:
    """Old topics of renamed classes answer to the class each became (domain/catalogue.py)."""
    for topic, cls in FORMER_TOPICS.items():
        register_topic(topic, cls)


register_former_topics()

SEPARATOR = b"\n"
CHECKSUM_LENGTH = 64


class UnreadableStorage(ValueError):
    """A setting would store events in a form the projections cannot read."""


class ChecksumMismatch(ValueError):
    """The stored bytes of an event are not those it was written with."""


def checksum(topic: str, payload: bytes) -> bytes:
    return hashlib.sha256(topic.encode() + SEPARATOR + payload).hexdigest().encode()


def seal(topic: str, payload: bytes) -> bytes:
    return payload + SEPARATOR + checksum(topic, payload)


def unseal(topic: str, state: bytes, *, check: bool = False) -> bytes:
    """The JSON payload of a stored state; with `check`, raise if it was altered."""
    payload, found = state[: -CHECKSUM_LENGTH - 1], state[-CHECKSUM_LENGTH:]
    if check and (state[-CHECKSUM_LENGTH - 1: -CHECKSUM_LENGTH] != SEPARATOR
                  or found != checksum(topic, payload)):
        raise ChecksumMismatch("stored bytes do not match their checksum")
    return payload


class PydanticMapper(Mapper[UUID]):
    def __init__(self, transcoder: Transcoder, compressor: Compressor | None = None,
                 cipher: Cipher | None = None) -> None:
        if compressor is not None or cipher is not None:
            setting = "COMPRESSOR_TOPIC" if compressor is not None else "CIPHER_TOPIC"
            raise UnreadableStorage(
                f"{setting} is set: encommun stores events as written, because the projections "
                "and verify read the stored bytes themselves (projections/runner.py); unset it "
                "(a store written compressed or encrypted cannot be read either)")
        super().__init__(transcoder)

    def to_stored_event(self, domain_event: object) -> StoredEvent:
        event = cast(DomainEvent, domain_event)
        topic = get_topic(type(event))
        state = seal(topic, event.model_dump_json().encode())
        return StoredEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=topic,
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEvent:
        cls: type[DomainEvent] = resolve_topic(stored_event.topic)
        return cls.model_validate_json(unseal(stored_event.topic, stored_event.state))
