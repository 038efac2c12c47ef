"""Events the fold cannot handle, written straight into a SQLite store (as an older release,
a hand edit or a bug of the write side might have left them), for the stall tests.

`RENAMED` is a cost recorded under the topic of a class since renamed (`CostBooked`, now
`CostRecorded`) with no alias registered: registering one (`register_renamed_topic`) is the
fix. `garbled` is an event whose stored JSON is cut short: nothing fixes it.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from eventsourcing.utils import clear_topic_cache, register_topic
from fastapi import FastAPI

from api.app import create_app
from bootstrap import bootstrap
from domain.commands import RecordCost
from domain.events import CostRecorded
from event_store.mapper import seal
from settings import Settings
from tests.history import ACTOR

RENAMED = "domain.events:CostBooked"
MONTH = "2026-01"
# The renamed cost: on `loyer` in January, beside the costs recorded the usual way.
RENAMED_CENTS = 24_550
BEFORE_CENTS = 100_000   # loyer, January, recorded before it
AFTER_CENTS = 60_000     # forum, January, recorded after it


def inject(store: Path, topic: str, payload: bytes) -> int:
    """Append one stored event to a SQLite store's log, bypassing the application; its position."""
    with sqlite3.connect(store) as conn:
        cursor = conn.execute(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
            [uuid.uuid4().hex, 1, topic, seal(topic, payload)])
        return cursor.lastrowid


def renamed_cost() -> bytes:
    event = CostRecorded(originator_id=uuid.uuid4(), originator_version=1, timestamp=datetime.now(timezone.utc),
                         actor=ACTOR, entry_id=f"loyer:{MONTH}:99", resource_id="loyer", month=MONTH,
                         amount_cents=RENAMED_CENTS, category="loyer", document_ref="FAC-ANCIENNE")
    return event.model_dump_json().encode()


def garbled() -> bytes:
    return renamed_cost()[:40]


def register_renamed_topic() -> None:
    """The fix: the old topic answers to the class it was renamed to."""
    register_topic(RENAMED, CostRecorded)


def forget_renamed_topic() -> None:
    """Undo the fix for the tests that follow (the library's topic cache is only a cache:
    every other topic resolves again on its next use)."""
    clear_topic_cache()


@dataclass(frozen=True)
class Stalled:
    before: int   # position of the last event the projections can fold
    bad: int      # position of the event they cannot
    end: int      # end of the log


def write_around(settings: Settings, topic: str, payload: bytes) -> Stalled:
    """A loyer cost, then the unfoldable event, then a forum cost, all in January."""
    with bootstrap(settings) as ledger:
        before = ledger.execute(RecordCost(resource_id="loyer", month=MONTH, amount_cents=BEFORE_CENTS,
                                           category="loyer", document_ref="FAC-1"), actor=ACTOR).position
    bad = inject(settings.sqlite_path, topic, payload)
    with bootstrap(settings) as ledger:
        end = ledger.execute(RecordCost(resource_id="forum", month=MONTH, amount_cents=AFTER_CENTS,
                                        category="forum", document_ref="FAC-2"), actor=ACTOR).position
    assert before < bad < end
    return Stalled(before, bad, end)


def fixed_app() -> FastAPI:
    """uvicorn's factory for a release that fixed the fold: the API with the old topic registered."""
    register_renamed_topic()
    return create_app(Settings())
