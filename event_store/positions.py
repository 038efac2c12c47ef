"""Log positions (notification ids) of stored events, for replaying an idempotent answer.

The library returns positions when it records, but offers no lookup afterwards; both
recorders keep the position in the events table, keyed by (originator_id, version).
"""

from __future__ import annotations

from typing import Sequence
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier


def positions_of(
    recorder: ApplicationRecorder, recorded: Sequence[tuple[UUID, int]]
) -> dict[tuple[UUID, int], int]:
    found: dict[tuple[UUID, int], int] = {}
    if isinstance(recorder, SQLiteApplicationRecorder):
        statement = (
            f"SELECT rowid FROM {recorder.events_table_name} "
            "WHERE originator_id=? AND originator_version=?"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            for originator_id, version in recorded:
                cursor.execute(statement, (originator_id.hex, version))
                found[(originator_id, version)] = cursor.fetchone()[0]
    elif isinstance(recorder, PostgresApplicationRecorder):
        statement = SQL(
            "SELECT notification_id FROM {}.{} WHERE originator_id=%s AND originator_version=%s"
        ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        with recorder.datastore.transaction(commit=False) as cursor:
            for originator_id, version in recorded:
                cursor.execute(statement, (originator_id, version))
                found[(originator_id, version)] = cursor.fetchone()["notification_id"]
    else:
        raise TypeError(f"no position lookup for {type(recorder).__name__}")
    return found
