"""`python -m projections catch-up|rebuild|sql`: follow or rebuild the log into DuckDB,
or query the projection file.

The `encommun` command (API issue) will offer the same; this entry point is what the
crash tests kill and restart.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from bootstrap import bootstrap
from projections.rebuild import rebuild
from projections.recorder import DuckDBTrackingRecorder
from projections.runner import ProjectionRunner
from projections.verify import verify
from settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m projections")
    parser.add_argument("action", choices=["catch-up", "rebuild", "sql", "verify"])
    parser.add_argument("query", nargs="?", help="with sql: one SELECT statement")
    parser.add_argument("--store", type=Path, help="the SQLite event store")
    parser.add_argument("--db", type=Path, help="the DuckDB projection file")
    parser.add_argument("--page-size", type=int, help="events per transaction (rebuild: 50,000, catch-up: 5,000)")
    parser.add_argument("--report-pages", action="store_true", help="print a line per page")
    args = parser.parse_intermixed_args(argv)
    if args.action == "sql":
        return print_query(args.db, args.query or parser.error("sql needs a query"))
    if args.store is None:
        parser.error(f"{args.action} needs --store")
    if args.db is None and args.action != "verify":
        parser.error(f"{args.action} needs --db")

    ledger = bootstrap(Settings(sqlite_path=args.store))
    if args.action == "verify":
        result = verify(ledger.recorder, progress=True)
        print(result, flush=True)
        return 0 if result.ok else 1

    def report(count: int) -> None:
        if args.report_pages:
            print(f"page {count}", flush=True)

    if args.action == "rebuild":
        folded = rebuild(ledger.recorder, args.db, page_size=args.page_size or 50_000,
                         progress=not args.report_pages, on_page=report)
    else:
        view = DuckDBTrackingRecorder(args.db)
        folded = ProjectionRunner(ledger.recorder, view, page_size=args.page_size or 5_000).catch_up(on_page=report)
        view.close()
    print(f"{folded} events folded", flush=True)
    return 0


def print_query(db: Path, query: str) -> int:
    """Run one query on a read-only connection and print the rows as a table."""
    with duckdb.connect(str(db), read_only=True) as conn:
        cursor = conn.execute(query)
        table = Table(*(column[0] for column in cursor.description))
        for row in cursor.fetchall():
            table.add_row(*("" if value is None else str(value) for value in row))
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
