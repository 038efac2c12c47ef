"""The hash chain that makes the log tamper-evident.

Each event's chain hash is SHA-256 over the previous chain hash and the event as stored:
its position, aggregate id, version, topic and stored bytes. Changing, removing or
reordering any stored event changes every chain hash after it, including the one a
closed month sealed.
"""

from __future__ import annotations

import hashlib
from typing import Iterable
from uuid import UUID

GENESIS = "0" * 64


def link(previous: str, position: int, originator_id: UUID | str, version: int, topic: str,
         state: bytes) -> str:
    digest = hashlib.sha256(bytes.fromhex(previous))
    digest.update(f"{position}\n{originator_id}\n{version}\n{topic}\n".encode())
    digest.update(state)
    return digest.hexdigest()


def chain(previous: str, events: Iterable[tuple[int, UUID | str, int, str, bytes]]) -> list[str]:
    """The chain hashes of consecutive events, continuing from `previous` (the same values
    as `link`, with the digest carried as bytes: this runs once per event of a rebuild)."""
    hashes = []
    digest = bytes.fromhex(previous)
    sha256 = hashlib.sha256
    for position, originator_id, version, topic, state in events:
        digest = sha256(b"%b%d\n%s\n%d\n%s\n%b" % (digest, position, str(originator_id).encode(), version,
                                                    topic.encode(), state)).digest()
        hashes.append(digest.hex())
    return hashes
