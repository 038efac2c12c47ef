"""A booking's hours are the same on both sides: the domain's (working-time checks, the
entry) and the projections' (the usage a pool is split by), to the thousandth, half up."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb

from bootstrap import bootstrap
from domain.commands import BookSlot
from domain.entries import booked_hours
from projections.rebuild import rebuild
from settings import Settings
from tests.history import ACTOR, setup

# Durations that sit on a rounding edge (9 s is 0.0025 h), or hold microseconds.
DURATIONS = [
    timedelta(seconds=9), timedelta(seconds=27), timedelta(seconds=1.8), timedelta(seconds=5, microseconds=400_000),
    timedelta(hours=1, seconds=1, microseconds=799_999), timedelta(hours=1, seconds=1, microseconds=800_000),
    timedelta(hours=2, minutes=17, seconds=33, microseconds=1), timedelta(minutes=1),
]


def test_the_booked_hours_of_the_domain_and_of_the_projections_agree(tmp_path: Path):
    """Each duration, booked, gives the same quantity in usage_versions as booked_hours."""
    ledger = bootstrap(Settings(sqlite_path=tmp_path / "s.sqlite"))
    ledger.execute_batch(setup(), actor=ACTOR)
    start = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)
    expected = {}
    for day, duration in enumerate(DURATIONS):
        starts = start + timedelta(days=day)
        outcome = ledger.execute(BookSlot(resource_id="salle-vercors", partner_id="creche-a", starts_at=starts,
                                          ends_at=starts + duration), actor=ACTOR)
        expected[outcome.events[0].entry_id] = booked_hours(starts, starts + duration)
    rebuild(ledger.recorder, tmp_path / "p.duckdb", progress=False)
    ledger.close()
    with duckdb.connect(str(tmp_path / "p.duckdb"), read_only=True) as conn:
        found = dict(conn.execute("SELECT entry_id, quantity FROM usage_versions WHERE usage_kind = 'booking'").fetchall())
    assert found == expected
    assert expected[next(iter(expected))] == Decimal("0.003")  # 0.0025 h, half up
    assert sorted(found.values())[:3] == [Decimal("0.001"), Decimal("0.002"), Decimal("0.003")]
