"""`make bench-rebuild`: rebuild every projection from a large SQLite store, beside the raw
ceiling (plain sqlite3 -> Arrow -> DuckDB parsing the JSON), and query latencies.

The store is Haut-Val generated at scale (default: 120 months x 50 copies, about 2.2 M
events: ten years of a regional federation of 50 groupements d'employeurs). It is kept in
var/bench/ and reused while its parameters are unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"


def ensure_store(months: int, scale: int) -> Path:
    store = BENCH_DIR / f"haut-val-m{months}-x{scale}.sqlite"
    if not store.exists():
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        print(f"generating {store.name} (once; reused by later runs)", flush=True)
        subprocess.run(
            [sys.executable, "-m", "demo", "--store", str(store), "--months", str(months),
             "--scale", str(scale), "--force", "--batch", "5000", "--close"],
            cwd=ROOT, check=True,
        )
    return store


def measured_child(argv: list[str]) -> tuple[float, int]:
    """Run a child process to the end; its wall time and its own peak resident memory."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with {child.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss * 1024


def raw_ceiling(store: Path, target: Path, page_size: int) -> int:
    """Plain sqlite3 pages -> Arrow -> DuckDB, parsing the JSON into typed columns."""
    target.unlink(missing_ok=True)
    duck = duckdb.connect(str(target))
    duck.execute(
        "CREATE TABLE events (position BIGINT PRIMARY KEY, recorded_at TIMESTAMPTZ, "
        "event_type VARCHAR, aggregate_id UUID, aggregate_version BIGINT, actor VARCHAR, payload JSON)"
    )
    lite = sqlite3.connect(str(store))
    last, count = 0, 0
    while True:
        rows = lite.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, page_size)
        ).fetchall()
        if not rows:
            break
        positions, ids, versions, topics, states = zip(*rows)
        page = pa.table({"position": pa.array(positions, pa.int64()), "originator_id": ids,
                         "originator_version": pa.array(versions, pa.int64()), "topic": topics,
                         # The same work as the runner: the checksum line is cut off the JSON.
                         "state": [s[:-65].decode() for s in states]})
        duck.register("page", page)
        duck.execute(
            "INSERT INTO events SELECT position, CAST(json_extract_string(state, '$.timestamp') AS TIMESTAMPTZ), "
            "split_part(topic, ':', 2), CAST(originator_id AS UUID), originator_version, "
            "json_extract_string(state, '$.actor'), CAST(state AS JSON) FROM page"
        )
        duck.unregister("page")
        last, count = positions[-1], count + len(rows)
    duck.close()
    return count


def latencies(db: Path, runs: int) -> dict[str, tuple[float, float]]:
    """Median and p99 (ms) of the three reads partners and auditors make most."""
    from projections import as_of
    from projections.recorder import connect

    conn = connect(db)
    month, partner, resource_id = conn.execute(
        "SELECT month, partner_id, resource_id FROM cost_shares WHERE partner_id IS NOT NULL "
        "AND basis_kind = 'usage' ORDER BY month DESC, partner_id LIMIT 1"
    ).fetchone()
    past = conn.execute("SELECT max(position) // 2 FROM events").fetchone()[0]
    past_month = conn.execute(
        "SELECT max(month) FROM usage_at(?) WHERE partner_id = ?", [past, partner]
    ).fetchone()[0]
    from projections import closing

    closed = conn.execute("SELECT max(month) FROM periods").fetchone()[0]
    now = conn.execute("SELECT max(position) FROM events").fetchone()[0]
    queries = {
        "cost shares of one partner for one month": lambda: conn.execute(
            "SELECT * FROM statement_lines WHERE month = ? AND partner_id = ?", [month, partner]
        ).fetchall(),
        "trace of one statement line": lambda: conn.execute(
            "SELECT t.*, e.event_type, e.actor, e.recorded_at FROM charge_trace t JOIN events e USING (position) "
            "WHERE t.month = ? AND t.resource_id = ? AND t.partner_id = ?", [month, resource_id, partner]
        ).fetchall(),
        "one statement as of a past position": lambda: as_of.statement_as_of(conn, partner, past_month, past),
    }
    if closed is not None:
        queries["one closed month, as issued vs now (all partners)"] = (
            lambda: closing.issued_vs_now(conn, closed, now))
    result = {}
    for name, query in queries.items():
        query()  # warm
        timings = []
        for _ in range(runs if "as issued" not in name else min(runs, 30)):
            started = time.perf_counter()
            query()
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        result[name] = (statistics.median(timings), timings[int(len(timings) * 0.99) - 1])
    conn.close()
    return result


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return (f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, DuckDB {duckdb.__version__}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rebuild")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--store", type=Path, help="use this SQLite store instead of generating one")
    parser.add_argument("--page-size", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    store = args.store or ensure_store(args.months, args.scale)
    events = sqlite3.connect(str(store)).execute("SELECT max(rowid) FROM stored_events").fetchone()[0]
    db = BENCH_DIR / "rebuild.duckdb"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print(f"store: {store} ({events:,} events)\nmachine: {machine()}", flush=True)

    for leftover in (db, Path(f"{db}.wal"), Path(f"{db}.rebuild"), Path(f"{db}.rebuild.wal")):
        leftover.unlink(missing_ok=True)  # a killed earlier run would be resumed, not measured
    wall, rebuild_peak = measured_child([sys.executable, "-m", "projections", "rebuild", "--store",
                                         str(store), "--db", str(db), "--page-size", str(args.page_size)])
    started = time.perf_counter()
    raw_count = raw_ceiling(store, BENCH_DIR / "raw.duckdb", args.page_size)
    raw_wall = time.perf_counter() - started
    assert raw_count == events
    timings = latencies(db, args.runs)
    verify_wall, verify_peak = measured_child([sys.executable, "-m", "cli", "verify", "--store", str(store)])
    closed_months = duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM periods").fetchone()[0]

    rate, raw_rate = events / wall, events / raw_wall
    lines = [
        "| measure | value |",
        "|---|---|",
        f"| events in the store | {events:,} |",
        f"| rebuild, wall time | {wall:.1f} s |",
        f"| rebuild, events/s | {rate:,.0f} |",
        f"| rebuild, peak memory (RSS) | {rebuild_peak / 2**20:,.0f} MiB |",
        f"| raw ceiling (sqlite3 -> Arrow -> DuckDB JSON), events/s | {raw_rate:,.0f} |",
        f"| rebuild / raw ceiling | {rate / raw_rate:.0%} |",
        f"| verify ({closed_months} closed months), wall time | {verify_wall:.1f} s |",
        f"| verify, peak memory (RSS) | {verify_peak / 2**20:,.0f} MiB |",
    ]
    for name, (p50, p99) in timings.items():
        lines.append(f"| {name}: p50 / p99 over {args.runs} runs | {p50:.1f} ms / {p99:.1f} ms |")
    print("\n".join(lines))
    print(json.dumps({"events": events, "wall_s": wall, "verify_s": verify_wall, "events_per_s": rate, "raw_events_per_s": raw_rate,
                      "peak_rss_mib": rebuild_peak / 2**20,
                      "latency_ms": {k: {"p50": a, "p99": b} for k, (a, b) in timings.items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
