"""API benchmark: the HTTP API served by one uvicorn worker on loopback, under a bounded load.

    python -m bench.api [--store var/bench/haut-val-m120-x50.sqlite] [--db STORE.duckdb]
                        [--seconds 20] [--requests 5000] [--threads 4] [--read-threads 1] [--batches 20]

The store and its projection file are copied into a temporary directory (the SQLite file
with SQLite's online backup, so the copy is consistent; the projection is built with
`python -m projections rebuild` beside the store first if it is missing), a coordinator
token is issued on the copy, and `uvicorn --factory api.app:create_app` (one worker,
no access log) serves the copy on a free port of 127.0.0.1. The load generator is a pool
of `--threads` threads, each with its own keep-alive httpx client, taking requests from
a shared queue. Every workload stops after `--requests` requests (`--batches` for
batches) or `--seconds` seconds, whichever comes first, after an untimed warm-up:

- single-command appends: POST /equipment-uses, each a new use of a copier by a member
  partner, on days after the end of the store's history (four uses a copier a day, as in
  `bench.write`): requests/s, p50 and p99 latency;
- batch appends: POST /batch with `--batch-size` (1,000) such commands, one request at a
  time (SQLite has one writer): events/s, and the latency of one batch;
- statements (`--read-threads` threads, 1 by default: latency without queueing): GET /partners/{id}/statements/{month} for random (partner, month) pairs that
  have lines, closed months (served as issued, recomputed as of their seal) and open ones;
- traces: GET /partners/{id}/statements/{month}/lines/{resource}/trace for random lines;
- the pages, as a coordinator signed in (bench/pages.py): a statement page and a line's
  trace page for the same random (partner, month) and lines, and the dashboard.

The projections follow the appends in the server's background thread, as in production,
so the append figures include that competition for the CPU. Before the queries, the
bench waits until the projections include every append. Only 2xx answers count as
successes; anything else is counted as an error, and its first body is printed.

Output: the machine, the store, a Markdown table, and one JSON line (the machine line).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import httpx

from bootstrap import bootstrap
from application.tokens import issue_token, token_keys
from settings import Settings
from bench import pages
from bench.server import serve

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORE = ROOT / "var/bench/haut-val-m120-x50.sqlite"
USES_PER_DAY = 4
WARM_UP = 20


# The store ---------------------------------------------------------------------------------


def wait_until_stable(path: Path, seconds: float = 3.0) -> None:
    """Refuse a store that is still being written: the file's size or time, or its WAL's
    size, changes (a reader opening the store touches the WAL's time, not its size)."""
    def state() -> tuple[int, int, int]:
        wal = path.with_name(path.name + "-wal")
        return path.stat().st_size, path.stat().st_mtime_ns, wal.stat().st_size if wal.exists() else 0
    before = state()
    time.sleep(seconds)
    if state() != before:
        sys.exit(f"{path} is still being written (its size or time changed within {seconds:.0f} s): "
                 f"wait, or pass another --store")


def ensure_projection(store: Path, db: Path) -> None:
    if db.exists():
        return
    print(f"building the projection {db} (python -m projections rebuild) …", flush=True)
    subprocess.run([sys.executable, "-m", "projections", "rebuild", "--store", str(store), "--db", str(db)],
                   cwd=ROOT, check=True)


def copy_store(store: Path, db: Path, into: Path) -> Settings:
    """A consistent copy of the store (SQLite online backup) and a copy of its projection."""
    started = time.perf_counter()
    target = into / "store.sqlite"
    source = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination, pages=65_536)
    finally:
        destination.close()
        source.close()
    shutil.copyfile(db, into / "projections.duckdb")
    if db.with_name(db.name + ".wal").exists():  # DuckDB's log of commits not yet checkpointed
        shutil.copyfile(db.with_name(db.name + ".wal"), into / "projections.duckdb.wal")
    print(f"copied the store and its projection in {time.perf_counter() - started:.1f} s", flush=True)
    return Settings(sqlite_path=target, projection_path=into / "projections.duckdb",
                    snapshot_dir=into / "snapshots", snapshot_every_s=0, read_wait_s=120)


@dataclass(frozen=True)
class Pool:
    """What the workloads draw from, read from the projection copy before the server starts."""

    events: int
    copiers: list[str]
    partners: list[str]                       # members with no end of membership
    first_free_day: date                      # after every usage of the store
    statements: list[tuple[str, str, bool]]   # (partner, month, closed)
    traces: list[tuple[str, str, str, bool]]  # (partner, month, resource, closed)


def read_pool(db: Path, store: Path, sample: int, rnd: random.Random) -> Pool:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        copiers = [r for (r,) in conn.execute(
            "SELECT resource_id FROM resources WHERE kind = 'equipment' AND unit = 'page' "
            "AND retired_on IS NULL ORDER BY resource_id").fetchall()]
        last_usage = conn.execute("SELECT max(happened_on) FROM usage_versions").fetchone()[0] or date(2026, 1, 1)
        start = date(last_usage.year + 1, 1, 1)
        partners = [p for (p,) in conn.execute(
            "SELECT partner_id FROM memberships WHERE last_day IS NULL AND first_day <= ? ORDER BY partner_id",
            [start]).fetchall()]
        closed = {m for (m,) in conn.execute("SELECT month FROM periods").fetchall()}
        conn.execute("SELECT setseed(0.7)")
        statements = [(p, m, m in closed) for p, m in conn.execute(
            "SELECT * FROM (SELECT DISTINCT partner_id, month FROM statement_lines WHERE partner_id IS NOT NULL) "
            "ORDER BY random() LIMIT ?", [sample]).fetchall()]
        traces = [(p, m, r, m in closed) for p, m, r in conn.execute(
            "SELECT * FROM (SELECT DISTINCT partner_id, month, resource_id FROM statement_lines "
            "WHERE basis_kind IS NOT NULL AND partner_id IS NOT NULL) ORDER BY random() LIMIT ?",
            [sample]).fetchall()]
    finally:
        conn.close()
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as sq:
        events = sq.execute("SELECT max(rowid) FROM stored_events").fetchone()[0] or 0
    if not copiers or not partners or not statements or not traces:
        sys.exit(f"{store}: no copier, member partner or statement line to work with")
    rnd.shuffle(statements)
    rnd.shuffle(traces)
    return Pool(events, copiers, partners, start, statements, traces)


def equipment_uses(pool: Pool, start: int = 0) -> Iterator[dict]:
    """Valid, distinct uses: copier i % C, four a copier a day, member partners in turn."""
    copiers, partners = pool.copiers, pool.partners
    i = start
    while True:
        day = pool.first_free_day + timedelta(days=i // (len(copiers) * USES_PER_DAY))
        yield {"resource_id": copiers[i % len(copiers)], "partner_id": partners[(7 * i) % len(partners)],
               "used_on": day.isoformat(), "quantity": 1 + i % 97, "unit": "page"}
        i += 1


# The load generator ------------------------------------------------------------------------


@dataclass
class Run:
    label: str
    latencies: list[float] = field(default_factory=list)  # seconds, successes only
    tags: list[str] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    events: int = 0
    last_position: int = 0
    wall: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    def percentile(self, q: float, tag: str | None = None) -> float | None:
        values = sorted(v for v, t in zip(self.latencies, self.tags) if tag is None or t == tag)
        if not values:
            return None
        return values[min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))] * 1000


Request = Callable[[httpx.Client], tuple[httpx.Response, str]]


def drive(label: str, base_url: str, headers: dict[str, str], requests: Iterator[Request], *, threads: int,
          count: int, seconds: float, count_events: bool = False) -> Run:
    """Send up to `count` requests, for at most `seconds`, from `threads` threads."""
    run = Run(label)
    lock = threading.Lock()
    sent = 0
    deadline = 0.0

    def take() -> Request | None:
        nonlocal sent
        with lock:
            if sent >= count or time.perf_counter() >= deadline:
                return None
            sent += 1
            return next(requests)

    def worker() -> None:
        with httpx.Client(base_url=base_url, headers=headers, timeout=300) as client:
            while (request := take()) is not None:
                began = time.perf_counter()
                try:
                    response, tag = request(client)
                    ok = 200 <= response.status_code < 300
                    text = response.text
                except httpx.HTTPError as error:
                    ok, tag, text = False, "", repr(error)
                elapsed = time.perf_counter() - began
                with lock:
                    if ok:
                        run.latencies.append(elapsed)
                        run.tags.append(tag)
                        if count_events:
                            body = response.json()
                            run.events += len(body["events"])
                            run.last_position = max(run.last_position, body["position"] or 0)
                    else:
                        run.errors += 1
                        run.first_error = run.first_error or f"{getattr(response, 'status_code', '-')} {text[:400]}"

    workers = [threading.Thread(target=worker, name=f"load-{i}") for i in range(threads)]
    started = time.perf_counter()
    deadline = started + seconds
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    run.wall = time.perf_counter() - started
    if run.first_error:
        print(f"!!! {label}: {run.errors} errors, the first: {run.first_error}", flush=True)
    return run


def warm_up(base_url: str, headers: dict[str, str], requests: Iterator[Request], n: int) -> None:
    with httpx.Client(base_url=base_url, headers=headers, timeout=300) as client:
        for _ in range(n):
            response, _ = next(requests)(client)
            if response.status_code >= 300:
                sys.exit(f"warm-up failed: {response.status_code} {response.text[:400]}")


def wait_for_projections(base_url: str, headers: dict[str, str], end: int, timeout: float = 600) -> None:
    """Until the projections include position `end` (the server waits up to 120 s a read)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, headers=headers, timeout=300) as client:
        while time.monotonic() < deadline:
            response = client.get("/audit", params={"after": end, "after_position": end, "limit": 1})
            if response.status_code == 200:
                return
            time.sleep(0.5)
    sys.exit(f"the projections did not reach position {end} within {timeout:.0f} s")


# Workloads -----------------------------------------------------------------------------------


def appends(pool: Pool, start: int) -> Iterator[Request]:
    for body in equipment_uses(pool, start):
        yield lambda client, body=body: (client.post("/equipment-uses", json=body), "")


def batches(pool: Pool, start: int, size: int) -> Iterator[Request]:
    uses = equipment_uses(pool, start)
    while True:
        commands = [{"command": "record_equipment_use", **next(uses)} for _ in range(size)]
        yield lambda client, commands=commands: (client.post("/batch", json={"commands": commands}), "")


def statements(pool: Pool) -> Iterator[Request]:
    i = 0
    while True:
        partner, month, closed = pool.statements[i % len(pool.statements)]
        yield lambda client, p=partner, m=month, c=closed: (
            client.get(f"/partners/{p}/statements/{m}"), "closed" if c else "open")
        i += 1


def traces(pool: Pool) -> Iterator[Request]:
    i = 0
    while True:
        partner, month, resource, closed = pool.traces[i % len(pool.traces)]
        yield lambda client, p=partner, m=month, r=resource, c=closed: (
            client.get(f"/partners/{p}/statements/{m}/lines/{r}/trace"), "closed" if c else "open")
        i += 1


# Report ---------------------------------------------------------------------------------------


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores, {model or platform.processor() or platform.machine()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, DuckDB {duckdb.__version__}")


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} ms"


def report(args: argparse.Namespace, pool: Pool, single: Run, batch: Run, reads: list[Run]) -> None:
    rows = [
        (f"single-command appends (POST /equipment-uses), {args.threads} threads", single,
         f"{single.requests / single.wall:,.0f} req/s"),
        (f"batch appends (POST /batch of {args.batch_size:,} commands), 1 thread", batch,
         f"{batch.events / batch.wall:,.0f} events/s"),
    ]
    rows += [(f"{run.label}, {args.read_threads} thread{'s' if args.read_threads > 1 else ''}", run,
              f"{run.requests / run.wall:,.0f} req/s") for run in reads]
    print()
    print(f"store: {args.store} ({pool.events:,} events), served by one uvicorn worker on 127.0.0.1")
    print(f"machine: {machine()}")
    print(f"limits: {args.requests:,} requests (batches: {args.batches}) or {args.seconds:g} s per workload, "
          f"after {WARM_UP} untimed requests")
    print()
    print("| workload | requests | errors | throughput | p50 | p99 |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, run, rate in rows:
        print(f"| {label} | {run.requests:,} | {run.errors:,} | {rate} | {ms(run.percentile(50))} | "
              f"{ms(run.percentile(99))} |")
        if run in reads:
            for tag in ("closed", "open"):
                n = run.tags.count(tag)
                if n:
                    print(f"| … of which {tag} months | {n:,} | | | {ms(run.percentile(50, tag))} | "
                          f"{ms(run.percentile(99, tag))} |")
    line = {
        "store": str(args.store), "events": pool.events, "threads": args.threads,
        "read_threads": args.read_threads, "machine": machine(),
        "single": {"requests": single.requests, "errors": single.errors, "req_per_s": single.requests / single.wall,
                   "p50_ms": single.percentile(50), "p99_ms": single.percentile(99)},
        "batch": {"requests": batch.requests, "errors": batch.errors, "commands": args.batch_size,
                  "events_per_s": batch.events / batch.wall, "p50_ms": batch.percentile(50),
                  "p99_ms": batch.percentile(99)},
    }
    for run in reads:
        line[run.label.split(" ")[0]] = {
            "requests": run.requests, "errors": run.errors, "req_per_s": run.requests / run.wall,
            "p50_ms": run.percentile(50), "p99_ms": run.percentile(99),
            **{f"{tag}_p{q}_ms": run.percentile(q, tag) for tag in ("closed", "open") for q in (50, 99)}}
    print()
    print(json.dumps(line))


# Main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, help="SQLite event store (copied)")
    parser.add_argument("--db", type=Path, help="its projection (default: the store's name with .duckdb; "
                                                "built if missing)")
    parser.add_argument("--seconds", type=float, default=20, help="time limit of each workload")
    parser.add_argument("--requests", type=int, default=5000, help="request limit of each workload")
    parser.add_argument("--batches", type=int, default=20, help="request limit of the batch workload")
    parser.add_argument("--batch-size", type=int, default=1000, help="commands in one batch")
    parser.add_argument("--threads", type=int, default=4, help="client threads of the single-command appends")
    parser.add_argument("--read-threads", type=int, default=1,
                        help="client threads of the queries (1: latency without queueing)")
    parser.add_argument("--workdir", type=Path, help="where the copies go (default: a temporary directory)")
    args = parser.parse_args(argv)
    args.store = args.store.resolve()
    if not args.store.exists():
        sys.exit(f"no store at {args.store}: make one with `python -m demo --store {args.store} --months 24 "
                 f"--scale 2 --batch 2000`, or pass --store")
    db = (args.db or args.store.with_suffix(".duckdb")).resolve()
    wait_until_stable(args.store)
    ensure_projection(args.store, db)

    rnd = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="bench-api-", dir=args.workdir) as tmp:
        settings = copy_store(args.store, db, Path(tmp))
        pool = read_pool(settings.projection_path, settings.sqlite_path, sample=2000, rnd=rnd)
        with bootstrap(settings) as ledger:
            keys = token_keys(settings, create=True)
            token = issue_token(ledger, "coordinator", label="bench-api", actor="bench", keys=keys)
            session = pages.coordinator_session(ledger, keys)
        headers = {"Authorization": f"Bearer {token}", "Cookie": f"{pages.COOKIE}={session}"}
        print(f"{pool.events:,} events, {len(pool.copiers)} copiers, {len(pool.partners)} member partners, "
              f"appends from {pool.first_free_day}", flush=True)
        started = time.perf_counter()
        with serve(settings, log=Path(tmp) / "uvicorn.log", start_timeout=600, stop_timeout=120) as server:
            print(f"uvicorn answered on {server.base_url} after {time.perf_counter() - started:.1f} s", flush=True)
            url = server.base_url
            # Single commands take the first uses, batches the ones after.
            singles = appends(pool, start=0)
            warm_up(url, headers, singles, WARM_UP)
            single = drive("single-command appends", url, headers, singles, threads=args.threads,
                           count=args.requests, seconds=args.seconds, count_events=True)
            print(f"single-command appends: {single.requests:,} in {single.wall:.1f} s", flush=True)
            many = batches(pool, start=args.requests + WARM_UP, size=args.batch_size)
            warm_up(url, headers, many, 1)
            batch = drive("batch appends", url, headers, many, threads=1, count=args.batches,
                          seconds=args.seconds, count_events=True)
            print(f"batch appends: {batch.requests:,} batches in {batch.wall:.1f} s", flush=True)
            caught_up = time.perf_counter()
            wait_for_projections(url, headers, max(single.last_position, batch.last_position))
            print(f"projections caught up with the appends {time.perf_counter() - caught_up:.1f} s later", flush=True)
            reads = []
            for label, requests in (("statements (GET /partners/{id}/statements/{month})", statements(pool)),
                                    ("traces (GET …/statements/{month}/lines/{resource}/trace)", traces(pool)),
                                    ("statement pages (GET /releves/{month})", pages.statement_pages(pool.statements)),
                                    ("trace pages (GET /releves/{month}/lignes/{resource})",
                                     pages.trace_pages(pool.traces)),
                                    ("dashboard (GET /coordination)", pages.dashboards())):
                warm_up(url, headers, requests, WARM_UP)
                reads.append(drive(label, url, headers, requests, threads=args.read_threads, count=args.requests,
                                   seconds=args.seconds))
                print(f"{label}: {reads[-1].requests:,} in {reads[-1].wall:.1f} s", flush=True)
        report(args, pool, single, batch, reads)
    errors = single.errors + batch.errors + sum(run.errors for run in reads)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
