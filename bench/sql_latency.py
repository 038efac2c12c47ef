"""What an analyst's trivial query costs: `SELECT 1` through POST /sql on a real uvicorn.

    python -m bench.sql_latency [--runs 50]

A small pool (tests/history.py) and a token per role are prepared in a temporary
directory, `uvicorn --factory tests.e2e.server:app` serves it on 127.0.0.1, one untimed
query warms the snapshot up, then `--runs` queries are sent one after another on one
keep-alive connection. Prints p50, p90, max and the mean, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from tests.api_fixtures import api_settings, prepare
from tests.e2e.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="encommun-sql-latency-") as tmp:
        settings = api_settings(Path(tmp))
        tokens = prepare(settings)
        headers = {"Authorization": f"Bearer {tokens['analyst']}"}
        with serve(settings, log=Path(tmp) / "uvicorn.log") as server, \
                httpx.Client(base_url=server.base_url, timeout=30) as http:
            assert http.post("/sql", json={"sql": "SELECT 1"}, headers=headers).status_code == 200
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = http.post("/sql", json={"sql": "SELECT 1"}, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
    times.sort()
    print(f"SELECT 1 through POST /sql, {args.runs} runs: p50 {statistics.median(times):.1f} ms, "
          f"p90 {times[int(len(times) * 0.9) - 1]:.1f} ms, max {times[-1]:.1f} ms, "
          f"mean {statistics.fmean(times):.1f} ms")


if __name__ == "__main__":
    main()
