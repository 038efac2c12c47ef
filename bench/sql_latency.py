"""What an analyst's trivial query costs: `SELECT 1` through POST /sql on a real uvicorn.

    python -m bench.sql_latency [--runs 50]

An analyst's token is issued on a fresh store in a temporary directory, `uvicorn --factory api.app:create_app` serves it on 127.0.0.1, one untimed
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

from application.tokens import issue_token, token_keys
from bench.server import serve
from bootstrap import bootstrap
from settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="encommun-sql-latency-") as tmp:
        settings = Settings(sqlite_path=Path(tmp) / "ledger.sqlite", projection_path=Path(tmp) / "projections.duckdb",
                            snapshot_dir=Path(tmp) / "snapshots", snapshot_every_s=0)
        with bootstrap(settings) as ledger:
            token = issue_token(ledger, "analyst", label="bench-sql", keys=token_keys(settings, create=True))
        headers = {"Authorization": f"Bearer {token}"}
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
