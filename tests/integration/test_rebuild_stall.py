"""`encommun rebuild` on a store holding an event the fold cannot handle (Typer's CliRunner,
real SQLite and DuckDB files): it fails with one line naming the event, leaves the live
projection file as it was, and succeeds once the fold is fixed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli import main as cli
from cli import support as cli_support
from bootstrap import bootstrap
from settings import Settings
from tests.history import ACTOR, setup
from tests.unfoldable import RENAMED, garbled, register_renamed_topic, renamed_cost, write_around

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages on one line, so that assertions do not depend on wrapping."""
    monkeypatch.setattr(cli_support, "out", Console(width=500, highlight=False))
    monkeypatch.setattr(cli_support, "err", Console(width=500, highlight=False, stderr=True))


# Each test starts with the renamed class's old topic unknown, and leaves it so.
pytestmark = pytest.mark.usefixtures("renamed_topic_unknown")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite"
    with bootstrap(Settings(sqlite_path=path)) as ledger:
        ledger.execute_batch(setup(), actor=ACTOR)
    return path


def rebuild(store: Path, db: Path):
    result = runner.invoke(cli.app, ["rebuild", "--store", str(store), "--projections", str(db)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def tracked(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute("SELECT notification_id FROM tracking").fetchone()[0]


def digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


@pytest.mark.parametrize(("topic", "payload", "event_type"), [
    (RENAMED, renamed_cost, "CostBooked"), ("domain.events:CostRecorded", garbled, "CostRecorded")],
    ids=["renamed class", "garbled payload"])
def test_a_rebuild_that_meets_an_unfoldable_event_names_it_and_keeps_the_live_file(
        store: Path, tmp_path: Path, topic: str, payload, event_type: str) -> None:
    """Exit status 2, one line with the position and the event type, the previous file
    byte for byte, and no half-built file left to resume from."""
    db = tmp_path / "projections.duckdb"
    assert rebuild(store, db).exit_code == 0
    before, kept = tracked(db), digest(db)
    stalled = write_around(Settings(sqlite_path=store), topic, payload())
    result = rebuild(store, db)
    assert result.exit_code == 2, result.output
    assert f"the event at position {stalled.bad} ({event_type}) cannot be folded" in result.output
    assert f"{db} is left as it was" in result.output
    assert (tracked(db), digest(db)) == (before, kept)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("projections")) == ["projections.duckdb"]


def test_a_rebuild_succeeds_once_the_renamed_class_s_old_topic_is_registered(store: Path, tmp_path: Path) -> None:
    """The fix, then the same command: the whole log is folded and swapped in."""
    db = tmp_path / "projections.duckdb"
    stalled = write_around(Settings(sqlite_path=store), RENAMED, renamed_cost())
    failed = rebuild(store, db)
    assert failed.exit_code == 2 and "no projections written" in failed.output
    assert not db.exists()
    register_renamed_topic()
    result = rebuild(store, db)
    assert result.exit_code == 0, result.output
    assert f"{stalled.end:,} events folded" in result.output
    assert tracked(db) == stalled.end
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT event_type FROM events WHERE position = ?", [stalled.bad]).fetchone() == (
            "CostRecorded",)
