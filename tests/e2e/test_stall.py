"""End to end over real HTTP: a `uvicorn` process on a store holding an event the fold
cannot handle (a cost under the topic of a renamed class), then the same store served by a
release that registers the old topic."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.api_fixtures import api_settings, prepare
from bench.server import serve
from tests.unfoldable import MONTH, RENAMED, renamed_cost, write_around

READ_WAIT_S = 20.0


def test_a_stalled_server_says_so_at_once_and_a_fixed_release_catches_up(tmp_path: Path) -> None:
    """/ready is a 503 naming the event, a read beyond it a 503 with Retry-After well before
    the read wait is over, a read without `after` answers what was folded, the server log
    reports the stall once; restarted with the fix, /ready is a 200 with no lag and the
    read beyond it answers."""
    settings = api_settings(tmp_path).model_copy(update={"read_wait_s": READ_WAIT_S})
    tokens = prepare(settings)
    headers = {"Authorization": f"Bearer {tokens['coordinator']}"}
    stalled = write_around(settings, RENAMED, renamed_cost())
    statement = f"/partners/mda/statements/{MONTH}"
    log = tmp_path / "uvicorn.log"

    with serve(settings, log=log) as server, httpx.Client(base_url=server.base_url, timeout=30) as http:
        ready = http.get("/ready")
        assert ready.status_code == 503, ready.text
        body = ready.json()
        assert (body["status"], body["projection_position"], body["log_position"], body["lag"]) == (
            "stalled", stalled.before, stalled.end, stalled.end - stalled.before)
        assert (body["stall"]["position"], body["stall"]["event_type"]) == (stalled.bad, "CostBooked")

        started = time.monotonic()
        refused = http.get(statement, params={"after": stalled.bad}, headers=headers)
        assert time.monotonic() - started < READ_WAIT_S / 2
        assert refused.status_code == 503 and int(refused.headers["retry-after"]) >= 1
        assert refused.json()["detail"].startswith(
            f"the projections are stalled at position {stalled.bad} on event CostBooked: ")

        served = http.get(statement, headers=headers)
        assert served.status_code == 200 and served.json()["position"] == stalled.before

        deadline = time.monotonic() + 30
        while http.get("/ready").json()["stall"]["attempts"] < 3:
            assert time.monotonic() < deadline, "the follower did not try again"
            time.sleep(0.1)
    assert log.read_text().count("the projections are stalled at position") == 1, log.read_text()

    with (serve(settings, log=tmp_path / "fixed.log", factory="tests.unfoldable:fixed_app") as server,
          httpx.Client(base_url=server.base_url, timeout=30) as http):
        ready = http.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "caught_up", "projection_position": stalled.end,
                                "log_position": stalled.end, "lag": 0, "stall": None, "set_aside": None}
        answered = http.get(statement, params={"after": stalled.end}, headers=headers)
        assert answered.status_code == 200 and answered.json()["position"] == stalled.end
