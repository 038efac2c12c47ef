"""The stores' recorders, which also hold a decision to what it read.

A command's events are saved under the versions of the aggregates it writes, so two writers
of one aggregate conflict. A working-time rule also reads aggregates it does not write (the
employee's other weeks): `save(..., read_versions={aggregate id: version read})` has the
recorder check, in the transaction that inserts the events and while it alone may insert,
that each of them is still at the version read (0: it had no event). If one moved on, the
insert is refused as a version conflict (IntegrityError), which the ledger's one retry loop
answers by deciding again on fresh state (application/ledger.py).

Both stores serialise their inserts: SQLite's first INSERT takes the database's write lock;
eventsourcing's PostgreSQL application recorder locks the events table (EXCLUSIVE mode)
before it inserts. The check runs after that, so no other insert can slip in between.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence
from uuid import UUID

from eventsourcing import postgres, sqlite
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg.sql import SQL, Identifier

ReadVersions = Mapping[UUID, int]
# Ids per query: well under SQLite's bound on a statement's parameters.
_CHUNK = 500


class ReadMovedOn(IntegrityError):
    """An aggregate the decision read was saved again by another writer since."""

    def __init__(self, aggregate_id: UUID, read: int, now: int) -> None:
        super().__init__(f"aggregate {aggregate_id} was read at version {read}, it is now at {now}")


def _check(read: ReadVersions, found: Mapping[UUID, int]) -> None:
    for aggregate_id, version in read.items():
        now = found.get(aggregate_id, 0)
        if now != version:
            raise ReadMovedOn(aggregate_id, version, now)


def _chunks(ids: Sequence[UUID]) -> list[Sequence[UUID]]:
    return [ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


class SQLiteRecorder(sqlite.SQLiteApplicationRecorder):
    def _insert_events(self, c: sqlite.SQLiteCursor, stored_events: Sequence[StoredEvent], *,
                       read_versions: ReadVersions | None = None, **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        if read_versions:
            # After the INSERT: this transaction holds the write lock and reads the last commit.
            found: dict[UUID, int] = {}
            for ids in _chunks(list(read_versions)):
                c.execute(f"SELECT originator_id, MAX(originator_version) FROM {self.events_table_name} "
                          f"WHERE originator_id IN ({','.join('?' * len(ids))}) GROUP BY originator_id",
                          [i.hex for i in ids])
                found.update((UUID(row[0]), row[1]) for row in c.fetchall())
            _check(read_versions, found)
        return notification_ids


class SQLiteFactory(sqlite.SQLiteFactory):
    application_recorder_class = SQLiteRecorder


class PostgresRecorder(postgres.PostgresApplicationRecorder):
    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent], *,
                              read_versions: ReadVersions | None = None, **kwargs: Any) -> None:
        if read_versions:
            self._lock_table(curs)  # taken again below: a lock a transaction holds is granted at once
            found: dict[UUID, int] = {}
            for ids in _chunks(list(read_versions)):
                curs.execute(SQL(
                    "SELECT originator_id, MAX(originator_version) FROM {schema}.{table} "
                    "WHERE originator_id = ANY(%s) GROUP BY originator_id").format(
                        schema=Identifier(self.datastore.schema),
                        table=Identifier(self.events_table_name)), (list(ids),))
                found.update((UUID(str(row["originator_id"])), row["max"]) for row in curs.fetchall())
            _check(read_versions, found)
        super()._insert_stored_events(curs, stored_events, **kwargs)


class PostgresFactory(postgres.PostgresFactory):
    application_recorder_class = PostgresRecorder
