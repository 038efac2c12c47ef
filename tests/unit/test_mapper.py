"""Stored events: pydantic JSON under the class topic, decoded back, upcast when old."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

from pydantic import model_validator

from domain.events import DomainEvent, PartnerJoined
from event_store.mapper import ChecksumMismatch, PydanticMapper, seal, unseal
from eventsourcing.persistence import JSONTranscoder, StoredEvent


def mapper() -> PydanticMapper:
    return PydanticMapper(transcoder=JSONTranscoder())


def test_an_event_survives_a_round_trip_through_its_stored_form() -> None:
    """to_stored_event then to_domain_event gives an equal event."""
    event = PartnerJoined(originator_id=uuid4(), originator_version=1,
                          timestamp=datetime(2026, 3, 1, tzinfo=timezone.utc), actor="coord",
                          partner_id="p", name="Crèche", kind="association", joined_on=date(2026, 1, 1))
    stored = mapper().to_stored_event(event)
    assert stored.topic == "domain.events:PartnerJoined"
    assert mapper().to_domain_event(stored) == event


class SeatsBooked(DomainEvent):
    """Version 2 of a test event: `seats` was added; old payloads had none and meant one."""

    seats: int

    @model_validator(mode="before")
    @classmethod
    def upcast_v1(cls, data: object) -> object:
        if isinstance(data, dict) and "seats" not in data:
            return {**data, "seats": 1}
        return data


def test_an_old_payload_is_upcast_when_read() -> None:
    """A payload stored before a field existed decodes with the upcast value."""
    old = StoredEvent(
        originator_id=uuid4(),
        originator_version=1,
        topic=f"{__name__}:SeatsBooked",
        state=seal(f"{__name__}:SeatsBooked",
                   b'{"originator_id":"8e3c2b1a-2f7e-4c55-9d0a-1f6e8b2c3d4e","originator_version":1,'
                   b'"timestamp":"2026-03-01T00:00:00Z","actor":"coord"}'),
    )
    assert mapper().to_domain_event(old).seats == 1


def test_a_changed_byte_fails_the_checksum() -> None:
    """unseal(check=True) refuses a state whose payload or topic changed."""
    state = seal("domain.events:PartnerJoined", b'{"amount_cents":1200}')
    assert unseal("domain.events:PartnerJoined", state, check=True) == b'{"amount_cents":1200}'
    tampered = state.replace(b"1200", b"1300")
    import pytest

    with pytest.raises(ChecksumMismatch):
        unseal("domain.events:PartnerJoined", tampered, check=True)
    with pytest.raises(ChecksumMismatch):
        unseal("domain.events:PartnerLeft", state, check=True)
