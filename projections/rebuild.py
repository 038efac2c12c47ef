"""Rebuild every projection from position 0 into a new file, then swap it in.

The new file is built beside the live one (`<name>.rebuild`); until the swap nobody reads
it, so pages are folded without re-splitting pools, and all pools are split once at the
end. A rebuild killed midway resumes from the new file's tracked position.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from eventsourcing.persistence import ApplicationRecorder
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from projections import closing, shares
from projections.recorder import DuckDBTrackingRecorder
from projections.runner import ProjectionRunner

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
    view = DuckDBTrackingRecorder(building)
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
    view.close()
    os.replace(building, target)
    return folded
