"""Closed months: frozen statements, late corrections as adjustments, disputes and credits,
and `verify` proving that nothing was rewritten (or naming what was)."""

from __future__ import annotations

import shutil
import tempfile
import sqlite3
from pathlib import Path

import pytest

from bootstrap import bootstrap
from projections import closing
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from projections.verify import verify
from settings import Settings
from tests.history import Close, history, record


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The history, recorded with its closes; January's lines captured before the late
    credit note."""
    tmp = tmp_path_factory.mktemp("closing")
    ledger = bootstrap(Settings(sqlite_path=tmp / "ledger.sqlite"))
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "projections.duckdb"), page_size=50)
    january_before = None
    for item in history():
        if isinstance(item, list) and any(getattr(c, "reason", "") == "avoir tardif" for c in item):
            follower.catch_up()
            conn = follower.view.connection
            (seal,) = conn.execute("SELECT as_of_position FROM periods WHERE month = '2026-01'").fetchall()[0]
            january_before = closing.canonical(closing.month_lines(conn, "2026-01", seal))
        record(ledger, item, follower)
    follower.catch_up()
    yield {"ledger": ledger, "conn": follower.view.connection, "january_before": january_before,
           "tmp": tmp, "store": tmp / "ledger.sqlite"}
    follower.view.close()
    ledger.close()


def test_a_closed_month_is_byte_for_byte_the_same_after_a_late_correction(pool: dict) -> None:
    """January as issued, serialised before and after the late credit note, is identical
    and still matches its seal."""
    conn = pool["conn"]
    (seal, digest), = conn.execute(
        "SELECT as_of_position, statements_sha256 FROM periods WHERE month = '2026-01'").fetchall()
    after = closing.canonical(closing.month_lines(conn, "2026-01", seal))
    assert pool["january_before"] is not None and after == pool["january_before"]
    assert closing.statements_digest(conn, "2026-01", seal) == digest


def test_the_late_correction_appears_once_in_the_next_open_month_with_its_origin(pool: dict) -> None:
    """48,500 -> 45,000 cents on January's room costs: -3,500 cents of adjustments booked in
    February, from 2026-01, caused by the correction's position."""
    conn = pool["conn"]
    rows = conn.execute(
        "SELECT booked_month, origin_month, sum(amount_cents), list_distinct(flatten(list(caused_by))) "
        "FROM adjustments GROUP BY ALL").fetchall()
    assert len(rows) == 1
    booked, origin, total, causes = rows[0]
    assert (booked, origin, total) == ("2026-02", "2026-01", -3_500)
    (event_type,), = conn.execute("SELECT event_type FROM events WHERE position = ?", [causes[0]]).fetchall()
    assert len(causes) == 1 and event_type == "EntryCorrected"
    lines = conn.execute("SELECT count(*) FROM statement_lines WHERE line_kind = 'adjustment'").fetchall()[0][0]
    assert lines == conn.execute(
        "SELECT count(*) FROM adjustments WHERE partner_id IS NOT NULL").fetchall()[0][0]


def test_statements_are_numbered_without_gaps_per_partner(pool: dict) -> None:
    """Each partner's January statement is number 1, February number 2."""
    numbers = pool["conn"].execute(
        "SELECT partner_id, list(number ORDER BY month) FROM statement_numbers GROUP BY ALL").fetchall()
    assert numbers and all(n == [1, 2] for _, n in numbers)


def test_an_accepted_dispute_credits_the_next_statement(pool: dict) -> None:
    """creche-a's dispute on February's rent is accepted: -123.45 € in March, naming the dispute."""
    conn = pool["conn"]
    assert conn.execute("SELECT status FROM disputes WHERE dispute_id = 'creche-a:2026-02:d1'").fetchall() == [("accepted",)]
    credit = conn.execute(
        "SELECT month, amount_cents, dispute_id FROM statement_lines WHERE line_kind = 'credit'").fetchall()
    assert credit == [("2026-03", -12_345, "creche-a:2026-02:d1")]
    rejected = conn.execute("SELECT status, resolution_reason FROM disputes WHERE dispute_id = 'mda:2026-02:d1'").fetchall()
    assert rejected == [("rejected", "relevé du compteur conforme")]


def test_months_close_once_and_in_order(pool: dict) -> None:
    """Closing January again, or April before March, is refused."""
    from application.close_month import close_month
    from domain.errors import RuleViolation

    follower = Follower(pool["ledger"].recorder, DuckDBTrackingRecorder(pool["tmp"] / "other.duckdb"))
    for month in ("2026-01", "2026-04"):
        with pytest.raises(RuleViolation):
            close_month(pool["ledger"], follower, month, actor="test")
    follower.view.close()


def test_verify_passes_on_an_untouched_copy(pool: dict, tmp_path: Path) -> None:
    """n events, 2 closed months verified."""
    result = _verify_copy(pool, tmp_path, lambda db: None)
    assert result.ok and result.closed_months == 2
    assert str(result).endswith("events, 2 closed months verified")


def test_verify_names_the_event_whose_byte_was_changed(pool: dict, tmp_path: Path) -> None:
    """One digit of one cost amount changed in a copy of the store: verify fails at that position."""
    def tamper(db: sqlite3.Connection) -> int:
        position, state = db.execute(
            "SELECT rowid, state FROM stored_events WHERE topic LIKE '%CostRecorded' ORDER BY rowid LIMIT 1 OFFSET 3"
        ).fetchone()
        index = state.index(b'"amount_cents":') + len(b'"amount_cents":')
        changed = state[:index] + bytes([state[index] ^ 1]) + state[index + 1:]  # '2' <-> '3'
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (changed, position))
        return position

    result = _verify_copy(pool, tmp_path, tamper)
    assert not result.ok and result.mismatch.position == result.tampered
    assert "altered" in str(result)


def test_verify_fails_when_an_event_before_a_close_is_deleted(pool: dict, tmp_path: Path) -> None:
    """A booking deleted from January: the chain sealed by January's close no longer matches."""
    def delete(db: sqlite3.Connection) -> int:
        (position,), = db.execute(
            "SELECT rowid FROM stored_events WHERE topic LIKE '%SlotBooked' ORDER BY rowid LIMIT 1 OFFSET 10").fetchall()
        db.execute("DELETE FROM stored_events WHERE rowid = ?", (position,))
        return position

    result = _verify_copy(pool, tmp_path, delete)
    assert not result.ok
    assert result.mismatch.month == "2026-01" and "chain" in str(result)


def _verify_copy(pool: dict, tmp_path: Path, change):
    copy = tmp_path / "copy.sqlite"
    source = sqlite3.connect(pool["store"])
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    tampered = change(target)
    target.commit()
    target.close()
    with bootstrap(Settings(sqlite_path=copy)) as ledger:
        result = verify(ledger.recorder)
    object.__setattr__(result, "tampered", tampered) if tampered else None
    return result


def test_the_trace_of_a_disputed_line_shows_the_dispute_its_resolution_and_the_credit(pool: dict) -> None:
    """February's rent line of creche-a: marked accepted, traced to the four dispute events."""
    conn = pool["conn"]
    traced = conn.execute(
        "SELECT e.event_type FROM charge_trace t JOIN events e USING (position) WHERE t.source = 'dispute' "
        "AND t.month = '2026-02' AND t.resource_id = 'loyer' AND t.partner_id = 'creche-a' ORDER BY position"
    ).fetchall()
    assert [t for (t,) in traced] == ["DisputeOpened", "DisputeCommented", "DisputeResolved", "CreditGranted"]
    marked = conn.execute(
        "SELECT dispute_status FROM statement_lines WHERE month = '2026-02' AND resource_id = 'loyer' "
        "AND partner_id = 'creche-a'").fetchall()
    assert marked == [("accepted",)]


def test_issued_versus_now_shows_the_late_difference_and_its_cause(pool: dict) -> None:
    """January's room lines differ by the late credit note, pointing at it; other lines do not."""
    conn = pool["conn"]
    now = conn.execute("SELECT max(position) FROM events").fetchall()[0][0]
    rows = closing.issued_vs_now(conn, "2026-01", now)
    changed = [r for r in rows if r["difference_cents"]]
    assert {r["resource_id"] for r in changed} == {"salle-vercors"}
    assert sum(r["difference_cents"] for r in changed) == -3_500
    (event_type,), = conn.execute("SELECT event_type FROM events WHERE position = ?",
                                  [changed[0]["caused_by"][0]]).fetchall()
    assert event_type == "EntryCorrected"
    assert closing.issued_vs_now(conn, "2026-04", now) is None


@pytest.mark.postgres
def test_verify_names_a_tampered_event_in_a_postgresql_copy(postgres) -> None:
    """The same drill on PostgreSQL: a copy of the database with one byte changed fails at
    that position; the untouched original passes."""
    import psycopg

    from tests.conftest import postgres_settings

    settings = postgres_settings(postgres)
    scratch = Path(tempfile.mkdtemp(prefix="encommun-pg-verify-"))
    with bootstrap(settings) as ledger:
        follower = Follower(ledger.recorder, DuckDBTrackingRecorder(scratch / "projections.duckdb"))
        for item in history(months=2):
            record(ledger, item, follower)
        follower.view.close()
        assert verify(ledger.recorder).ok
    copy = settings.postgres_dbname + "_copy"
    with psycopg.connect(host=postgres.host, port=postgres.port, user=postgres.user, dbname="postgres",
                         autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{settings.postgres_dbname}"')
    with psycopg.connect(host=postgres.host, port=postgres.port, user=postgres.user, dbname=copy,
                         autocommit=True) as db:
        table = db.execute("SELECT table_name FROM information_schema.tables "
                           "WHERE table_name LIKE '%events' AND table_schema = 'public'").fetchone()[0]
        position, state = db.execute(
            f'SELECT notification_id, state FROM "{table}" WHERE topic LIKE %s '
            "ORDER BY notification_id LIMIT 1 OFFSET 2", ("%CostRecorded",)).fetchone()
        state = bytes(state)
        index = state.index(b'"amount_cents":') + len(b'"amount_cents":')
        changed = state[:index] + bytes([state[index] ^ 1]) + state[index + 1:]
        db.execute(f'UPDATE "{table}" SET state = %s WHERE notification_id = %s', (changed, position))
    with bootstrap(settings.model_copy(update={"postgres_dbname": copy})) as tampered:
        result = verify(tampered.recorder)
    assert not result.ok and result.mismatch.position == position
