"""The tampering drill: copies of a real store edited the way someone with write access to
the database would, and what `verify` proves of each, with and without an anchor."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pytest

from bootstrap import bootstrap
from domain import access
from domain.aggregate import Stamp
from application.tokens import digest, issue_token, token_keys
from event_store.mapper import seal, unseal
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from projections.verify import Anchor, Verification, head, verify
from settings import Settings
from tests.history import history, record
from tests.tampering import append, reseal, rows


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Four months of the history, January and February closed, then an analyst's and a
    coordinator's token (after the last seal); its anchor noted at the end."""
    tmp = tmp_path_factory.mktemp("tampering")
    settings = Settings(sqlite_path=tmp / "ledger.sqlite")
    with bootstrap(settings) as ledger:
        follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "projections.duckdb"), page_size=50)
        for item in history():
            record(ledger, item, follower)
        follower.view.close()
        keys = token_keys(settings, create=True)
        issue_token(ledger, "analyst", label="analyse", keys=keys)
        issue_token(ledger, "coordinator", label="coord", keys=keys)
        anchor = head(ledger.recorder)
        last_seal = max(ledger.recorder.select_notifications(1, 100_000, topics=["domain.closing:PeriodClosed"]),
                        key=lambda n: n.id)
    payload = unseal(last_seal.topic, last_seal.state)
    as_of = int(payload.split(b'"as_of_position":')[1].split(b",")[0])
    return {"store": settings.sqlite_path, "anchor": anchor, "sealed_upto": as_of}


def copy_of(pool: dict, tmp_path: Path, change: Callable[[sqlite3.Connection], object] | None = None) -> Path:
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(pool["store"]) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        if change is not None:
            change(target)
    return copy


def verified(store: Path, *anchors: Anchor) -> Verification:
    with bootstrap(Settings(sqlite_path=store)) as ledger:
        return verify(ledger.recorder, anchors=anchors)


def edit_a_cost(db: sqlite3.Connection, *, after: int) -> int:
    """One cost's amount changed by a cent, its checksum recomputed; returns its position."""
    rowid, topic, _, state = next(r for r in rows(db, "CostRecorded") if r[0] > after)
    payload = unseal(topic, state)
    head_, _, rest = payload.partition(b'"amount_cents":')
    digits = rest.split(b",")[0]
    reseal(db, rowid, topic, head_ + b'"amount_cents":' + str(int(digits) + 1).encode() + rest[len(digits):])
    return rowid


def test_the_untouched_store_holds_its_anchor_and_every_event_is_proved(pool: dict, tmp_path: Path) -> None:
    """No mismatch; with the anchor of its head, nothing is left unproved."""
    result = verified(copy_of(pool, tmp_path), pool["anchor"])
    assert result.ok and result.proved.position == pool["anchor"].position
    assert result.unproved_events == 0 and result.unproved == []


def test_swapped_states_of_two_token_events_are_named_at_the_first(pool: dict, tmp_path: Path) -> None:
    """The analyst's and the coordinator's TokenIssued states swapped (checksums untouched, still
    valid): the first of the two rows is named."""
    swapped: list[int] = []

    def swap(db: sqlite3.Connection) -> None:
        (a, _, _, state_a), (b, _, _, state_b) = rows(db, "TokenIssued")[-2:]
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (state_b, a))
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (state_a, b))
        swapped.append(a)

    result = verified(copy_of(pool, tmp_path, swap))
    assert not result.ok and (result.mismatch.position, result.mismatch.event) == (swapped[0], "TokenIssued")
    assert "swapped" in result.mismatch.problem


def test_an_event_removed_from_the_middle_of_an_aggregate_is_named_at_the_next_version(
        pool: dict, tmp_path: Path) -> None:
    """Version 2 of an aggregate with at least three deleted: the row of version 3 is named."""
    named: list[int] = []

    def delete(db: sqlite3.Connection) -> None:
        (aggregate,), = db.execute("SELECT originator_id FROM stored_events GROUP BY originator_id "
                                   "HAVING max(originator_version) >= 3 ORDER BY min(rowid) LIMIT 1").fetchall()
        db.execute("DELETE FROM stored_events WHERE originator_id = ? AND originator_version = 2", (aggregate,))
        named.extend(db.execute("SELECT rowid FROM stored_events WHERE originator_id = ? AND "
                                "originator_version = 3", (aggregate,)).fetchone())

    result = verified(copy_of(pool, tmp_path, delete))
    assert not result.ok and result.mismatch.position == named[0]
    assert "version 2 was removed" in result.mismatch.problem


def test_the_last_event_removed_is_unproved_without_an_anchor_and_named_with_one(
        pool: dict, tmp_path: Path) -> None:
    """The last row deleted: without an anchor verify passes but says the events after the last
    seal are not proved; with the anchor noted before, it fails at the removed position."""
    last = pool["anchor"].position
    copy = copy_of(pool, tmp_path, lambda db: db.execute("DELETE FROM stored_events WHERE rowid = ?", (last,)))
    alone = verified(copy)
    assert alone.ok and alone.last_position == last - 1
    assert alone.proved.position == pool["sealed_upto"] and alone.unproved_events == last - 1 - pool["sealed_upto"]
    assert any(line.startswith("not proved:") and "removed from the end" in line for line in alone.unproved)
    anchored = verified(copy, pool["anchor"])
    assert not anchored.ok and anchored.mismatch.position == last
    assert f"no event at position {last}" in anchored.mismatch.problem and "removed" in anchored.mismatch.problem


def test_an_appended_event_with_a_valid_checksum_is_reported_unproved(pool: dict, tmp_path: Path) -> None:
    """A coordinator TokenIssued appended with a correct checksum: no row check can refuse it; verify
    reports it beyond what the seals (or the anchor noted before it) prove."""
    forged = access.issue(None, digest("enc_forged"), "coordinator", None, "forged",
                          Stamp("cli", datetime.now(timezone.utc)), key=b"not the key" * 4)
    copy = copy_of(pool, tmp_path, lambda db: append(db, forged))
    end = pool["anchor"].position + 1
    alone = verified(copy)
    assert alone.ok and alone.last_position == end and alone.unproved_events == end - pool["sealed_upto"]
    anchored = verified(copy, pool["anchor"])
    assert anchored.ok and anchored.proved.position == end - 1 and anchored.unproved_events == 1
    assert f"the 1 event after position {end - 1}" in anchored.unproved[0]


def test_an_edit_after_the_last_seal_with_its_checksum_recomputed_needs_an_anchor(
        pool: dict, tmp_path: Path) -> None:
    """A cost after the last seal changed, checksum recomputed: unproved without an anchor; with
    the anchor, the departure is bounded by the last seal; with anchors either side, named."""
    edited: list[int] = []
    copy = copy_of(pool, tmp_path, lambda db: edited.append(edit_a_cost(db, after=pool["sealed_upto"])))
    position = edited[0]
    alone = verified(copy)
    assert alone.ok and alone.proved.position == pool["sealed_upto"] < position <= alone.last_position
    assert alone.unproved and alone.unproved[0].startswith("not proved:")

    anchored = verified(copy, pool["anchor"])
    assert not anchored.ok and anchored.mismatch.event == "chain"
    assert anchored.mismatch.position == pool["sealed_upto"] + 1
    assert f"positions {pool['sealed_upto'] + 1}–{pool['anchor'].position}" in anchored.mismatch.problem
    assert "the seal of 2026-02 still holds" in anchored.mismatch.problem

    with bootstrap(Settings(sqlite_path=pool["store"])) as ledger:
        before = head_at(ledger.recorder, position - 1)
        at = head_at(ledger.recorder, position)
    named = verified(copy, before, at, pool["anchor"])
    assert not named.ok and (named.mismatch.position, named.mismatch.event) == (position, "CostRecorded")


def test_an_edit_before_a_seal_with_its_checksum_recomputed_fails_at_that_seal(
        pool: dict, tmp_path: Path) -> None:
    """The first cost of January changed, checksum recomputed: the seal of 2026-01 fails, and
    nothing before it bounds the departure."""
    copy = copy_of(pool, tmp_path, lambda db: edit_a_cost(db, after=0))
    result = verified(copy)
    assert not result.ok and result.mismatch.month == "2026-01"
    assert "no checkpoint before it holds" in result.mismatch.problem


def test_an_event_removed_before_a_seal_is_named_as_a_missing_row(pool: dict, tmp_path: Path) -> None:
    """A single-event aggregate (a booking) deleted in January: the seal fails and the missing
    SQLite row is named."""
    removed: list[int] = []

    def delete(db: sqlite3.Connection) -> None:
        (rowid,), = db.execute(
            "SELECT rowid FROM stored_events s WHERE topic LIKE '%:SlotBooked' AND NOT EXISTS ("
            "SELECT 1 FROM stored_events t WHERE t.originator_id = s.originator_id AND t.originator_version = 2) "
            "ORDER BY rowid LIMIT 1 OFFSET 5").fetchall()
        db.execute("DELETE FROM stored_events WHERE rowid = ?", (rowid,))
        removed.append(rowid)

    result = verified(copy_of(pool, tmp_path, delete))
    assert not result.ok and result.mismatch.month == "2026-01"
    assert result.mismatch.position == removed[0] and f"position {removed[0]} is missing" in result.mismatch.problem


def test_a_topic_outside_the_catalogue_is_named(pool: dict, tmp_path: Path) -> None:
    """A row's topic changed to a module outside the domain, checksum recomputed: named, not imported."""
    changed: list[int] = []

    def retopic(db: sqlite3.Connection) -> None:
        rowid, topic, _, state = rows(db, "CostRecorded")[2]
        db.execute("UPDATE stored_events SET topic = ?, state = ? WHERE rowid = ?",
                   ("os:system", seal("os:system", unseal(topic, state)), rowid))
        changed.append(rowid)

    result = verified(copy_of(pool, tmp_path, retopic))
    assert not result.ok and result.mismatch.position == changed[0]
    assert "no event of the catalogue" in result.mismatch.problem


def head_at(recorder, position: int) -> Anchor:
    """The anchor an auditor would have noted when the log ended at `position`."""
    from projections import chain

    notifications = recorder.select_notifications(start=1, limit=position)
    hashes = chain.chain(chain.GENESIS, ((n.id, n.originator_id, n.originator_version, n.topic, n.state)
                                         for n in notifications))
    return Anchor(position, hashes[-1])


@pytest.mark.postgres
def test_swapped_states_and_an_edit_after_the_last_seal_in_a_postgresql_copy(postgres) -> None:
    """On PostgreSQL: two token states swapped are named; a cost edited with its checksum
    recomputed passes alone and fails against the anchor noted before."""
    import psycopg

    from tests.conftest import postgres_settings

    settings = postgres_settings(postgres, sqlite_path=Path(tempfile.mkdtemp(prefix="encommun-pg-")) / "x.sqlite")
    scratch = settings.sqlite_path.parent
    with bootstrap(settings) as ledger:
        follower = Follower(ledger.recorder, DuckDBTrackingRecorder(scratch / "projections.duckdb"))
        for item in history(months=4):
            record(ledger, item, follower)
        follower.view.close()
        keys = token_keys(settings, create=True)
        issue_token(ledger, "analyst", label="analyse", keys=keys)
        issue_token(ledger, "coordinator", label="coord", keys=keys)
        anchor = head(ledger.recorder)
        assert verify(ledger.recorder, anchors=[anchor]).ok

    def copy(suffix: str, change) -> Settings:
        name = f"{settings.postgres_dbname}_{suffix}"
        with psycopg.connect(host=postgres.host, port=postgres.port, user=postgres.user, dbname="postgres",
                             autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings.postgres_dbname}"')
        with psycopg.connect(host=postgres.host, port=postgres.port, user=postgres.user, dbname=name,
                             autocommit=True) as db:
            table = db.execute("SELECT table_name FROM information_schema.tables "
                               "WHERE table_name LIKE '%events' AND table_schema = 'public'").fetchone()[0]
            change(db, table)
        return settings.model_copy(update={"postgres_dbname": name})

    swapped: list[int] = []

    def swap(db, table: str) -> None:
        (a, state_a), (b, state_b) = db.execute(
            f'SELECT notification_id, state FROM "{table}" WHERE topic LIKE %s ORDER BY notification_id',
            ("%:TokenIssued",)).fetchall()[-2:]
        db.execute(f'UPDATE "{table}" SET state = %s WHERE notification_id = %s', (bytes(state_b), a))
        db.execute(f'UPDATE "{table}" SET state = %s WHERE notification_id = %s', (bytes(state_a), b))
        swapped.append(a)

    with bootstrap(copy("swapped", swap)) as tampered:
        result = verify(tampered.recorder)
    assert not result.ok and result.mismatch.position == swapped[0] and "swapped" in result.mismatch.problem

    def edit(db, table: str) -> None:
        position, topic, state = db.execute(
            f'SELECT notification_id, topic, state FROM "{table}" WHERE topic LIKE %s '
            "ORDER BY notification_id DESC LIMIT 1", ("%:CostRecorded",)).fetchone()
        payload = unseal(topic, bytes(state)).replace(b'"amount_cents":', b'"amount_cents":1', 1)
        db.execute(f'UPDATE "{table}" SET state = %s WHERE notification_id = %s', (seal(topic, payload), position))

    with bootstrap(copy("edited", edit)) as tampered:
        alone = verify(tampered.recorder)
        anchored = verify(tampered.recorder, anchors=[anchor])
    assert alone.ok and alone.unproved
    assert not anchored.ok and "differs from the anchor" in anchored.mismatch.problem


def test_what_only_seals_cover_is_said_and_an_earlier_anchor_narrows_it(pool: dict, tmp_path: Path) -> None:
    """Without an anchor, positions 1 to the last seal are said to be covered by seals only;
    with an anchor at position 100, from 101."""
    copy = copy_of(pool, tmp_path)
    sealed = pool["sealed_upto"]
    assert any(f"positions 1–{sealed} are covered by seals only" in line for line in verified(copy).unproved)
    with bootstrap(Settings(sqlite_path=pool["store"])) as ledger:
        early = head_at(ledger.recorder, 100)
    result = verified(copy, early)
    assert result.ok and result.anchored_upto == 100
    assert any(f"positions 101–{sealed} are covered by seals only" in line for line in result.unproved)
