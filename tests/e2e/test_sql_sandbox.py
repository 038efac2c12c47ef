"""Runaway analysts' queries against a real uvicorn: stopped by the sandbox, the server unharmed.

The server runs with the default analysts' limits (settings.py: 5 s, 512MB). Its memory is
read from /proc/<pid>/status while the queries run.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from settings import Settings
from tests.api_fixtures import api_settings, prepare
from bench.server import serve

LIMITS = Settings()
RUNAWAY = {
    # DuckDB's memory_limit does not count these values: only the worker's RLIMIT_AS stops them.
    "memory": "SELECT repeat('x', 60000000) AS s FROM range(100)",
    "cpu": "SELECT sum(hash(i)) FROM range(10000000000) t(i)",
    "huge string": "SELECT length(repeat('x', 1000000000))",
}
EXPECTED = {"memory": (422, "sql-out-of-memory"), "cpu": (408, "sql-timeout"),
            "huge string": (422, "sql-out-of-memory")}


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def size(text: str) -> int:
    return int(text.removesuffix("MB")) * 1000 * 1000


def test_three_runaway_queries_at_once_are_stopped_and_the_server_keeps_answering(tmp_path: Path) -> None:
    """Memory, CPU and a huge string at once: each answered 408/422 within its limit + 1 s;
    the server's RSS stays within 100 MB of where it was (and under the memory limit + 100 MB),
    and GET /periods answers all along."""
    settings = api_settings(tmp_path)
    tokens = prepare(settings)
    analyst = {"Authorization": f"Bearer {tokens['analyst']}"}
    coordinator = {"Authorization": f"Bearer {tokens['coordinator']}"}
    with serve(settings, log=tmp_path / "uvicorn.log") as server, \
            httpx.Client(base_url=server.base_url, timeout=60) as http:
        pid = server.process.pid
        assert http.post("/sql", json={"sql": "SELECT 1"}, headers=analyst).status_code == 200
        assert http.get("/periods", headers=coordinator).status_code == 200
        baseline = rss_bytes(pid)
        running = threading.Event()
        running.set()
        peak = [baseline]
        periods: list[tuple[int, float]] = []

        def watch_memory() -> None:
            while running.is_set():
                peak[0] = max(peak[0], rss_bytes(pid))
                time.sleep(0.02)

        def ask_periods() -> None:
            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                while running.is_set():
                    started = time.monotonic()
                    status = client.get("/periods", headers=coordinator).status_code
                    periods.append((status, time.monotonic() - started))
                    time.sleep(0.1)

        def run(kind: str) -> tuple[str, int, str, float]:
            with httpx.Client(base_url=server.base_url, timeout=60) as client:
                started = time.monotonic()
                response = client.post("/sql", json={"sql": RUNAWAY[kind]}, headers=analyst)
                problem = response.json()
                return kind, response.status_code, problem.get("type", ""), time.monotonic() - started

        watchers = [threading.Thread(target=watch_memory), threading.Thread(target=ask_periods)]
        for thread in watchers:
            thread.start()
        try:
            with ThreadPoolExecutor(len(RUNAWAY)) as pool:
                outcomes = list(pool.map(run, RUNAWAY))
        finally:
            running.clear()
            for thread in watchers:
                thread.join(timeout=30)
        after = http.post("/sql", json={"sql": "SELECT 42 AS answer"}, headers=analyst)

    for kind, status, problem_type, elapsed in outcomes:
        assert (status, problem_type.rsplit("/", 1)[-1]) == EXPECTED[kind], (kind, status, problem_type)
        assert elapsed < LIMITS.sql_timeout_s + 1, (kind, elapsed)
    grown = peak[0] - baseline
    assert grown < 100 * 2**20, f"the server grew by {grown / 2**20:.0f} MiB"
    assert peak[0] < size(LIMITS.sql_memory_limit) + 100 * 2**20
    assert len(periods) >= 5 and all(status == 200 for status, _ in periods), periods
    assert max(seconds for _, seconds in periods) < 2, periods
    assert after.status_code == 200 and after.json()["rows"] == [[42]]
