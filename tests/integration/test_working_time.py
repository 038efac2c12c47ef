"""The working-time rules on a real store: each refusal is the rule's domain error and the
store holds no more events than before; timed staff hours reach the projections with their
times, and hours stored in the older shape still load, fold and count."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from application.ledger import Ledger
from bootstrap import bootstrap
from domain import errors
from domain.commands import CorrectEntry, LogStaffHours
from domain.entries import booked_hours
from event_store.mapper import unseal
from projections.rebuild import rebuild
from settings import Settings
from tests.ledger_fixtures import COORDINATOR, event_count, small_pool
from tests.timesheet_fixtures import at


@pytest.fixture
def pool(ledger: Ledger) -> Ledger:
    small_pool(ledger)
    return ledger


def timed(day: str, start: str, end: str, partner: str = "creche-a") -> LogStaffHours:
    return LogStaffHours(employee_id="anne", partner_id=partner, starts_at=at(day, start), ends_at=at(day, end))


def untimed(day: str, hours: int | str) -> LogStaffHours:
    return LogStaffHours(employee_id="anne", partner_id="creche-a", work_date=day, hours=hours)


def refused(ledger: Ledger, command, error: type[errors.DomainError]) -> errors.DomainError:
    before = event_count(ledger)
    with pytest.raises(error) as caught:
        ledger.execute(command, actor=COORDINATOR)
    assert event_count(ledger) == before
    return caught.value


def weeks_of(hours_a_week: list[int], first_monday: date = date(2026, 1, 5)) -> list[LogStaffHours]:
    """Untimed days of at most 10 h, Monday on, making each week's total."""
    commands = []
    for w, total in enumerate(hours_a_week):
        monday = first_monday + timedelta(weeks=w)
        for d in range(7):
            if total > 0:
                commands.append(untimed((monday + timedelta(days=d)).isoformat(), min(total, 10)))
                total -= min(total, 10)
    return commands


def test_the_twelfth_week_of_48_hours_is_refused_and_nothing_is_stored(pool: Ledger) -> None:
    """Eleven weeks of 48 h are accepted; the first hour of week 12 is refused (L3121-22)."""
    pool.execute_batch(weeks_of([48] * 11), actor=COORDINATOR)
    error = refused(pool, timed("2026-03-23", "08:00", "09:00"), errors.WorkingTimeExceeded)
    assert type(error) is errors.WorkingTimeExceeded and error.field == "starts_at"
    assert "529.00 h over the 12 weeks 2026-W02 to 2026-W13" in error.message
    assert "Anne Martin" in error.message


def test_a_correction_is_checked_against_the_twelve_weeks_too(pool: Ledger) -> None:
    """Ten weeks of 48 h and one of 47 h leave 1 h for week 12; correcting it to 2 h is refused."""
    pool.execute_batch(weeks_of([48] * 10 + [47]), actor=COORDINATOR)
    entry = pool.execute(untimed("2026-03-23", 1), actor=COORDINATOR).events[0].entry_id
    error = refused(pool, CorrectEntry(entry_id=entry, quantity=2, reason="oubli"), errors.WorkingTimeExceeded)
    assert error.field == "quantity" and "529.00 h over the 12 weeks" in error.message


def test_too_short_a_rest_from_sunday_to_monday_is_refused(pool: Ledger) -> None:
    """Sunday 2026-03-08 until 22:00 (week 10), Monday from 07:00 (week 11): 9 h of rest."""
    pool.execute(timed("2026-03-08", "16:00", "22:00"), actor=COORDINATOR)
    error = refused(pool, timed("2026-03-09", "07:00", "12:00"), errors.DailyRestTooShort)
    assert "rest 9 h 00 min between 2026-03-08 22:00 and 2026-03-09 07:00" in error.message
    assert pool.execute(timed("2026-03-09", "09:00", "12:00"), actor=COORDINATOR).position


def test_a_missing_break_is_refused(pool: Ledger) -> None:
    """08:00-12:00 then 12:10-14:30 for another partner: 6 h 20 of work without 20 minutes off."""
    pool.execute(timed("2026-03-02", "08:00", "12:00"), actor=COORDINATOR)
    error = refused(pool, timed("2026-03-02", "12:10", "14:30", partner="club-b"), errors.BreakMissing)
    assert "6 h 20 min without a break on 2026-03-02, from 08:00 to 14:30" in error.message


def test_overlapping_entries_of_one_employee_are_refused(pool: Ledger) -> None:
    """11:00-13:00 for club-b while 08:00-12:00 for creche-a is logged: refused naming that entry."""
    first = pool.execute(timed("2026-03-02", "08:00", "12:00"), actor=COORDINATOR).events[0].entry_id
    error = refused(pool, timed("2026-03-02", "11:00", "13:00", partner="club-b"), errors.StaffHoursOverlap)
    assert f"entry {first} (08:00-12:00, for 'creche-a')" in error.message


def test_the_ten_hour_day_and_the_48_hour_week_still_hold(pool: Ledger) -> None:
    """A day of 10 h takes no more minute; a week of 48 h takes no more hour."""
    pool.execute_batch([untimed("2026-03-02", 6), timed("2026-03-02", "08:00", "12:00")], actor=COORDINATOR)
    assert "on 2026-03-02 (limit 10 h a day)" in refused(pool, timed("2026-03-02", "13:00", "13:01"),
                                                          errors.WorkingTimeExceeded).message
    pool.execute_batch([untimed(f"2026-03-0{d}", 10) for d in (3, 4, 5)] + [untimed("2026-03-06", 8)],
                       actor=COORDINATOR)
    assert "in week 2026-W10 (limit 48 h a week)" in refused(pool, untimed("2026-03-08", 1),
                                                              errors.WorkingTimeExceeded).message


def test_a_timed_entry_cannot_be_corrected(pool: Ledger) -> None:
    """Its quantity is its times': refused, saying to void it and log it again."""
    entry = pool.execute(timed("2026-03-02", "08:00", "12:00"), actor=COORDINATOR).events[0].entry_id
    error = refused(pool, CorrectEntry(entry_id=entry, quantity=3, reason="erreur"), errors.RuleViolation)
    assert "void them and log the right times again" in error.message


def test_limits_come_from_the_settings(tmp_path: Path) -> None:
    """ENCOMMUN_MIN_DAILY_REST_HOURS=8 lets a 9-hour rest through; the default refuses it."""
    strict = bootstrap(Settings(sqlite_path=tmp_path / "a.sqlite"))
    lenient = bootstrap(Settings(sqlite_path=tmp_path / "b.sqlite", min_daily_rest_hours=Decimal(8)))
    for ledger in (strict, lenient):
        small_pool(ledger)
        ledger.execute(timed("2026-03-08", "16:00", "22:00"), actor=COORDINATOR)
    refused(strict, timed("2026-03-09", "07:00", "12:00"), errors.DailyRestTooShort)
    assert lenient.execute(timed("2026-03-09", "07:00", "12:00"), actor=COORDINATOR).position
    strict.close()
    lenient.close()


OLD_KEYS = ["originator_id", "originator_version", "timestamp", "actor", "entry_id", "employee_id",
            "partner_id", "work_date", "hours"]


def test_hours_in_the_older_shape_load_fold_and_count_beside_timed_ones(tmp_path: Path) -> None:
    """An untimed entry is stored with exactly the keys events had before times existed; it
    loads, folds (no times, its hours) and counts in the day's limit; timed entries reach
    usage_versions with their times and the quantity booked_hours gives."""
    store = tmp_path / "s.sqlite"
    with bootstrap(Settings(sqlite_path=store)) as ledger:
        small_pool(ledger)
        ledger.execute(untimed("2026-03-02", "7.25"), actor=COORDINATOR)
        odd = LogStaffHours(employee_id="anne", partner_id="creche-a", starts_at=at("2026-03-02", "13:00"),
                            ends_at=at("2026-03-02", "13:00") + timedelta(seconds=1, microseconds=800_000))
        ledger.execute(odd, actor=COORDINATOR)
        ledger.execute(timed("2026-03-02", "14:00", "16:44"), actor=COORDINATOR)
        refused(ledger, timed("2026-03-02", "17:00", "17:01"), errors.WorkingTimeExceeded)  # 7.25 + 2.734 + ...
        rebuild(ledger.recorder, tmp_path / "p.duckdb", progress=False)
    with sqlite3.connect(store) as conn:
        states = [row[0] for row in conn.execute(
            "SELECT state FROM stored_events WHERE topic = 'domain.events:StaffHoursLogged' ORDER BY rowid")]
    payloads = [json.loads(unseal("domain.events:StaffHoursLogged", state)) for state in states]
    assert list(payloads[0]) == OLD_KEYS
    assert payloads[2]["starts_at"] and payloads[2]["hours"] == "2.733"
    with duckdb.connect(str(tmp_path / "p.duckdb"), read_only=True) as conn:
        rows = conn.execute("SELECT quantity, starts_at IS NULL, ends_at IS NULL, happened_on FROM usage_versions "
                            "WHERE usage_kind = 'staff_hours' ORDER BY entry_id").fetchall()
    assert rows == [(Decimal("7.250"), True, True, date(2026, 3, 2)),
                    (booked_hours(odd.starts_at, odd.ends_at), False, False, date(2026, 3, 2)),
                    (Decimal("2.733"), False, False, date(2026, 3, 2))]
    assert rows[1][0] == Decimal("0.001")
