"""What `verify` checks of each stored row on its own, in log order, as it reads the log.

A row proves, without the hash chain: its bytes match their checksum; its payload names
the aggregate and version the row is filed under; its topic is an event of the catalogue
and its payload has every field that event requires (the payload's type: it carries no
type name of its own);
each aggregate's versions run 1, 2, 3… with none missing or repeated; positions only
increase. Two rows whose states were swapped, or an event removed from the middle of an
aggregate, fail here and are named by position. An edit with its checksum recomputed, or
an event appended or removed at the end, passes: only an anchor catches those
(projections/verify.py).

These run on the reader thread of the rebuild, once per event: byte comparisons and one
dictionary look-up, no JSON parsing.
"""

from __future__ import annotations

from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from domain.events import DomainEvent
from event_store.mapper import ChecksumMismatch, unseal

# The writer (pydantic's model_dump_json) always puts these two fields first.
_HEAD = b'{"originator_id":"%s","originator_version":%d,'
# Outside a JSON string a quote is never preceded by a backslash, so these byte sequences
# occur once per payload exactly when the key is not repeated (a repeated key could make
# two JSON readers disagree).
_ID_KEY, _VERSION_KEY = b'"originator_id":', b'"originator_version":'
_HEAD_FIELDS = {"originator_id", "originator_version"}


class RowMismatch(ValueError):
    """A stored row that contradicts itself or the rows before it."""

    def __init__(self, position: int, topic: str, problem: str) -> None:
        super().__init__(f"position {position}: {problem}")
        self.position = position
        self.topic = topic
        self.problem = problem


def event_name(topic: str) -> str:
    return topic.rsplit(":", 1)[-1]


class RowChecker:
    """Checks rows in log order; keeps the last version seen of each aggregate."""

    def __init__(self) -> None:
        self.position = 0
        # Keyed by the id's integer: cheaper to hash and to keep than the UUID object.
        self.versions: dict[int, int] = {}
        # Per topic, the key of each field its event requires; None for a topic outside the catalogue.
        self.topics: dict[str, tuple[bytes, ...] | None] = {}

    def check(self, n: Notification) -> None:
        if n.id <= self.position:
            self._fail(n, f"its position does not follow position {self.position}: rows were reordered")
        self.position = n.id
        required = self._required_keys(n.topic)
        if required is None:
            self._fail(n, f"its topic {n.topic!r} is no event of the catalogue")
        try:
            payload = unseal(n.topic, n.state, check=True)
        except ChecksumMismatch:
            self._fail(n, "its stored bytes do not match their checksum: the event was altered")
        for key in required:
            if key not in payload:
                missing = ", ".join(k.decode()[1:-2] for k in required if k not in payload)
                self._fail(n, f"its payload is not a {event_name(n.topic)}: it lacks {missing}")
        head = _HEAD % (str(n.originator_id).encode(), n.originator_version)
        if not payload.startswith(head) or payload.count(_ID_KEY) != 1 or payload.count(_VERSION_KEY) != 1:
            self._fail(n, f"its payload is not that of aggregate {n.originator_id} version "
                          f"{n.originator_version}, as its row says: stored states were swapped or moved")
        key = n.originator_id.int
        previous = self.versions.get(key, 0)
        if n.originator_version != previous + 1:
            missing = (f"version {previous + 1} was removed" if n.originator_version == previous + 2
                       else f"versions {previous + 1}–{n.originator_version - 1} were removed")
            self._fail(n, f"aggregate {n.originator_id} has version {n.originator_version} after "
                          + (f"version {previous}: {missing}" if n.originator_version > previous + 1
                             else f"version {previous}: a version is repeated or out of order"))
        self.versions[key] = n.originator_version

    def _required_keys(self, topic: str) -> tuple[bytes, ...] | None:
        if topic not in self.topics:
            # Only the domain's own modules are imported to resolve a topic: a stored row
            # must not make verify import arbitrary code.
            module, _, name = topic.partition(":")
            try:
                cls = resolve_topic(topic) if module.startswith("domain.") and name else None
            except Exception:  # an unknown module or class: reported as unknown
                cls = None
            # Fields with a default may be absent from events written before they existed;
            # the originator's id and version are checked with the payload's head.
            self.topics[topic] = (
                tuple(b'"%s":' % field.encode() for field, info in cls.model_fields.items()
                      if info.is_required() and field not in _HEAD_FIELDS)
                if isinstance(cls, type) and issubclass(cls, DomainEvent) else None)
        return self.topics[topic]

    @staticmethod
    def _fail(n: Notification, problem: str) -> None:
        raise RowMismatch(n.id, n.topic, problem)
