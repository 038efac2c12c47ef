"""Rebuild every projection from position 0 into a new file, then swap it in.

The new file is built beside the live one (`<name>.rebuild`); until the swap nobody reads
it, so pages are folded without re-splitting pools, and all pools are split once at the
end. A rebuild killed midway resumes from the new file's tracked position (unless that file
is of another schema version: then it starts again). A rebuild that
meets an event it cannot fold (FoldFailed names it) removes the new file and leaves the
live one as it was: once the fold is fixed, it starts again from position 0, since the fix
may change how earlier events fold too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from eventsourcing.persistence import ApplicationRecorder
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from projections import closing, shares
from projections.recorder import DuckDBTrackingRecorder, OutdatedProjections
from projections.runner import FoldFailed, ProjectionRunner

# DuckDB spills to disk past this, so a rebuild's memory stays bounded whatever the log size.
MEMORY_LIMIT = "512MB"


def rebuild(
    recorder: ApplicationRecorder,
    target: Path,
    *,
    page_size: int = 50_000,
    progress: bool = True,
    on_page: Callable[[int], None] | None = None,
    check_checksums: bool = False,
) -> int:
    """Rebuild `target` from the whole log; returns the number of events folded."""
    building = target.with_name(target.name + ".rebuild")
    try:
        view = DuckDBTrackingRecorder(building)
    except OutdatedProjections:  # left by a rebuild of another version: start again
        _remove(building)
        view = DuckDBTrackingRecorder(building)
    try:
        folded = _fold_all(recorder, view, page_size, progress, on_page, check_checksums)
    except FoldFailed:
        view.close()
        _remove(building)
        raise
    finally:
        view.close()  # otherwise (interrupted, say) the new file stays, to resume from
    os.replace(building, target)
    return folded


def _remove(building: Path) -> None:
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _fold_all(recorder: ApplicationRecorder, view: DuckDBTrackingRecorder, page_size: int, progress: bool,
              on_page: Callable[[int], None] | None, check_checksums: bool) -> int:
    view.connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    # Row order within a table is not part of the schema's contract: letting DuckDB drop it
    # lowers the memory that large inserts need.
    view.connection.execute("SET preserve_insertion_order = false")
    runner = ProjectionRunner(recorder, view, page_size=page_size, check_checksums=check_checksums)
    total = (recorder.max_notification_id() or 0)
    with Progress(
        TextColumn("rebuild"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        disable=not progress,
    ) as bar:
        task = bar.add_task("events", total=total, completed=runner.position)

        def advance(count: int) -> None:
            bar.advance(task, count)
            if on_page is not None:
                on_page(count)

        folded = runner.catch_up(split=False, on_page=advance)
    with view.transaction() as conn:
        shares.refresh(conn, None)
        closing.refresh_adjustments(conn)
    view.connection.execute("CHECKPOINT")
    return folded
