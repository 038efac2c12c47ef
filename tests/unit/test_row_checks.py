"""The checks verify makes of each stored row on its own (projections/row_checks.py)."""

from __future__ import annotations

from uuid import uuid4

import pytest
from eventsourcing.persistence import Notification

from event_store.mapper import seal
from projections.row_checks import RowChecker, RowMismatch

TOPIC = "domain.events:PartnerLeft"


def row(position: int, aggregate, version: int, *, payload_version: int | None = None,
        extra: bytes = b"", topic: str = TOPIC) -> Notification:
    payload = (b'{"originator_id":"%s","originator_version":%d,"timestamp":"2026-01-01T00:00:00Z",'
               b'"actor":"t","partner_id":"p","last_day":"2026-01-31"%s}'
               % (str(aggregate).encode(), version if payload_version is None else payload_version, extra))
    return Notification(originator_id=aggregate, originator_version=version, topic=topic,
                        state=seal(topic, payload), id=position)


def test_consistent_rows_pass() -> None:
    """Two aggregates, versions 1 and 2, positions increasing: no error."""
    checker, a, b = RowChecker(), uuid4(), uuid4()
    for n in (row(1, a, 1), row(2, b, 1), row(3, a, 2)):
        checker.check(n)


def test_a_position_that_does_not_increase_is_named() -> None:
    """Position 5 after position 7: refused at 5."""
    checker = RowChecker()
    checker.check(row(7, uuid4(), 1))
    with pytest.raises(RowMismatch, match="does not follow position 7") as error:
        checker.check(row(5, uuid4(), 1))
    assert error.value.position == 5


def test_a_payload_naming_another_version_or_repeating_it_is_refused() -> None:
    """The payload's version differs from the row's, or the key appears twice (readers could
    disagree on which counts): refused, checksums valid."""
    a = uuid4()
    with pytest.raises(RowMismatch, match="swapped or moved"):
        RowChecker().check(row(1, a, 1, payload_version=2))
    with pytest.raises(RowMismatch, match="swapped or moved"):
        RowChecker().check(row(1, a, 1, extra=b',"originator_version":2'))


def test_a_repeated_version_is_refused() -> None:
    """Version 1 of an aggregate twice: the second is named."""
    checker, a = RowChecker(), uuid4()
    checker.check(row(1, a, 1))
    with pytest.raises(RowMismatch, match="repeated or out of order"):
        checker.check(row(2, a, 1))


def test_a_payload_under_the_topic_of_another_event_type_is_refused() -> None:
    """A PartnerLeft payload filed under PartnerJoined, checksum recomputed: it lacks name,
    kind and joined_on."""
    with pytest.raises(RowMismatch, match="not a PartnerJoined: it lacks name, kind, joined_on"):
        RowChecker().check(row(1, uuid4(), 1, topic="domain.events:PartnerJoined"))
