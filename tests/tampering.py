"""Edits of a SQLite store the way someone with write access to the database makes them:
rows read and written directly, checksums recomputed (anyone can: they are no secret)."""

from __future__ import annotations

import sqlite3

from eventsourcing.utils import get_topic

from domain.events import DomainEvent
from event_store.mapper import seal, unseal


def rows(db: sqlite3.Connection, event_type: str) -> list[tuple[int, str, int, bytes]]:
    """(position, topic, version, state) of every stored event of a type, in log order."""
    return db.execute("SELECT rowid, topic, originator_version, state FROM stored_events WHERE topic LIKE ? "
                      "ORDER BY rowid", (f"%:{event_type}",)).fetchall()


def reseal(db: sqlite3.Connection, rowid: int, topic: str, payload: bytes) -> None:
    """Write a payload with its checksum recomputed."""
    db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (seal(topic, payload), rowid))


def replace_in(db: sqlite3.Connection, rowid: int, old: bytes, new: bytes) -> None:
    """Replace bytes in one stored payload, checksum recomputed."""
    (topic, state), = db.execute("SELECT topic, state FROM stored_events WHERE rowid = ?", (rowid,)).fetchall()
    payload = unseal(topic, state)
    assert old in payload
    reseal(db, rowid, topic, payload.replace(old, new, 1))


def append(db: sqlite3.Connection, event: DomainEvent) -> int:
    """Insert an event at the end of the log, with a valid checksum; returns its position."""
    topic = get_topic(type(event))
    cursor = db.execute(
        "INSERT INTO stored_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
        (event.originator_id.hex, event.originator_version, topic, seal(topic, event.model_dump_json().encode())))
    return cursor.lastrowid
