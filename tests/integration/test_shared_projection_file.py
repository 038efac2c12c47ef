"""Two runners on one DuckDB projection file, as two apps of one process have (the page tests
sign several people in at once): they fold the same log side by side, on real SQLite and
DuckDB files. A page one of them folds first is no event's fault: the other goes on after
it, neither stalls, and the file holds what one runner alone would have folded."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

from bootstrap import bootstrap
from projections.recorder import DuckDBTrackingRecorder
from projections.runner import ProjectionRunner
from settings import Settings
from tests.history import ACTOR, history


def contents(path: Path) -> dict[str, list[tuple]]:
    """Every table of a projection file, its rows sorted."""
    with duckdb.connect(str(path), read_only=True) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "ORDER BY table_name").fetchall()]
        return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}


def test_two_runners_on_one_file_fold_side_by_side_without_stalling(tmp_path: Path) -> None:
    settings = Settings(sqlite_path=tmp_path / "ledger.sqlite")
    shared = tmp_path / "shared.duckdb"
    views = [DuckDBTrackingRecorder(shared), DuckDBTrackingRecorder(shared)]
    failures: list[BaseException] = []
    with bootstrap(settings) as ledger:
        # Pages of a few events: many transactions, each a chance to meet the other runner's.
        runners = [ProjectionRunner(ledger.recorder, view, page_size=7) for view in views]
        for item in history(months=2):
            if not isinstance(item, list):
                continue  # the closes of months need a follower: batches are enough here
            ledger.execute_batch(item, actor=ACTOR)
            start = threading.Barrier(len(runners))

            def fold(runner: ProjectionRunner) -> None:
                start.wait()
                try:
                    runner.catch_up()
                except BaseException as error:  # reported below, with the item it failed on
                    failures.append(error)

            threads = [threading.Thread(target=fold, args=(runner,)) for runner in runners]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert not failures, f"a runner failed beside the other one: {failures[0]!r}"
            end = ledger.recorder.max_notification_id()
            assert [runner.position for runner in runners] == [end, end]
        alone = tmp_path / "alone.duckdb"
        one = DuckDBTrackingRecorder(alone)
        ProjectionRunner(ledger.recorder, one, page_size=7).catch_up()
        one.close()
    for view in views:
        view.close()
    shared_rows, alone_rows = contents(shared), contents(alone)
    assert shared_rows["events"] and [row[0] for row in sorted(shared_rows["events"])] == list(
        range(1, end + 1))
    assert shared_rows == alone_rows
