"""A catch-up or a rebuild killed with SIGKILL, then restarted, ends identical to an
uninterrupted run: each page commits with its tracking position, or not at all."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from bootstrap import bootstrap
from projections.rebuild import rebuild
from settings import Settings
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from tests.history import history, record
from tests.integration.test_projections import TABLES, rows

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("crash")
    path = tmp / "ledger.sqlite"
    with bootstrap(Settings(sqlite_path=path)) as ledger:
        follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "scratch.duckdb"))
        for item in history(months=6):
            record(ledger, item, follower)
        reference = tmp / "reference.duckdb"
        rebuild(ledger.recorder, reference, page_size=500, progress=False)
    return {"store": path, "reference": reference, "tmp": tmp}


def run_until_killed(action: str, store: Path, db: Path, kill_after_pages: int, delay: float) -> bool:
    """Start the child; SIGKILL it `delay` seconds after its Nth page. True if it finished first."""
    child = subprocess.Popen(
        [sys.executable, "-m", "projections", action, "--store", str(store), "--db", str(db),
         "--page-size", "5", "--report-pages"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    pages = 0
    for line in child.stdout:
        if line.startswith("page"):
            pages += 1
            if pages == kill_after_pages:
                time.sleep(delay)
                child.send_signal(signal.SIGKILL)
                break
    child.wait()
    child.stdout.close()
    return child.returncode == 0


@pytest.mark.parametrize("action", ["catch-up", "rebuild"])
def test_a_killed_run_restarted_ends_identical_to_an_uninterrupted_one(store: dict, action: str) -> None:
    """Killed at several points (between and inside page transactions), then run to the end."""
    db = store["tmp"] / f"{action}.duckdb"
    rnd = random.Random(action)
    kills = 0
    while kills < 5:
        if run_until_killed(action, store["store"], db, rnd.randint(1, 12), rnd.choice([0, 0.001, 0.005, 0.02])):
            break
        kills += 1
    assert kills >= 3, "the child should have been killed several times before finishing"
    subprocess.run(
        [sys.executable, "-m", "projections", action, "--store", str(store["store"]), "--db", str(db),
         "--page-size", "5"],
        cwd=ROOT, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    with duckdb.connect(str(db)) as got, duckdb.connect(str(store["reference"])) as want:
        for table in TABLES:
            assert rows(got, table) == rows(want, table), table
