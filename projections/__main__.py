"""`python -m projections catch-up|rebuild --store … --db …`: follow or rebuild the log
into a DuckDB file, printing a line per page with --report-pages.

Users have `encommun rebuild`; this bare entry point is what the crash tests kill and
restart, and what the benchmarks time in a child process.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from event_store.store import EventStore
from projections.rebuild import rebuild
from projections.recorder import DuckDBTrackingRecorder
from projections.runner import ProjectionRunner
from settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m projections")
    parser.add_argument("action", choices=["catch-up", "rebuild"])
    parser.add_argument("--store", type=Path, required=True, help="the SQLite event store")
    parser.add_argument("--db", type=Path, required=True, help="the DuckDB projection file")
    parser.add_argument("--page-size", type=int, help="events per transaction (rebuild: 50,000, catch-up: 5,000)")
    parser.add_argument("--report-pages", action="store_true", help="print a line per page")
    args = parser.parse_args(argv)

    # Only the log is read: the event store itself, not the ledger's use cases.
    store = EventStore(Settings(sqlite_path=args.store).eventsourcing_env())

    def report(count: int) -> None:
        if args.report_pages:
            print(f"page {count}", flush=True)

    if args.action == "rebuild":
        folded = rebuild(store.recorder, args.db, page_size=args.page_size or 50_000,
                         progress=not args.report_pages, on_page=report)
    else:
        view = DuckDBTrackingRecorder(args.db)
        folded = ProjectionRunner(store.recorder, view, page_size=args.page_size or 5_000).catch_up(on_page=report)
        view.close()
    print(f"{folded} events folded", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
