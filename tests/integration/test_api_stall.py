"""The API on a store holding an event the fold cannot handle (FastAPI's TestClient, real
SQLite and DuckDB files): it keeps answering with what was folded, says why it stopped in
GET /ready and in an immediate 503 to reads beyond it, and moves on once the fold is fixed."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api_fixtures import Api, api_settings, prepare
from tests.unfoldable import (AFTER_CENTS, BEFORE_CENTS, MONTH, RENAMED, RENAMED_CENTS, Stalled,
                              garbled, inject, register_renamed_topic, renamed_cost, write_around)

# Long enough that a 503 answered within a few seconds cannot be the end of a silent wait.
READ_WAIT_S = 20.0


# Each test starts with the renamed class's old topic unknown, and leaves it so.
pytestmark = pytest.mark.usefixtures("renamed_topic_unknown")


def serve(tmp: Path, topic: str | None = None, payload: bytes = b"") -> tuple[Api, Stalled | None]:
    """The API on the small pool, with (given a topic) costs around an event written straight
    into the store before it starts."""
    settings = api_settings(tmp).model_copy(update={"read_wait_s": READ_WAIT_S})
    tokens = prepare(settings)
    stalled = None if topic is None else write_around(settings, topic, payload)
    client = TestClient(create_app(settings))
    client.__enter__()
    return Api(client, settings, tokens), stalled


def loyer_and_forum(api: Api, **params: object) -> tuple[int | None, int | None]:
    response = api.client.get("/cost-shares", params={"month": MONTH, **params}, headers=api.headers("coordinator"))
    assert response.status_code == 200, response.text
    pools = {line["resource_id"]: line["pool_cents"] for line in response.json()["lines"]}
    return pools.get("loyer"), pools.get("forum")


def test_a_stalled_api_serves_what_it_folded_and_says_why_then_moves_on_once_fixed(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A cost stored under the topic of a renamed class with no alias: reads without `after`
    answer as of the event before it, reads beyond it and closing a month are a 503 at once,
    /ready is a 503 naming it, the log reports it once; once the old topic is registered, a
    write's nudge brings the follower past it and everything answers again."""
    with caplog.at_level(logging.WARNING, logger="projections.follower"):
        api, stalled = serve(tmp_path, RENAMED, renamed_cost())
        try:
            ready = api.client.get("/ready")
            assert ready.status_code == 503 and ready.headers["content-type"] == "application/json"
            body = ready.json()
            assert {k: body[k] for k in ("status", "projection_position", "log_position", "lag")} == {
                "status": "stalled", "projection_position": stalled.before, "log_position": stalled.end,
                "lag": stalled.end - stalled.before}
            assert (body["stall"]["position"], body["stall"]["event_type"]) == (stalled.bad, "CostBooked")
            assert "no event class answers to topic domain.events:CostBooked" in body["stall"]["error"]

            assert loyer_and_forum(api) == (BEFORE_CENTS, None)
            assert loyer_and_forum(api, after=stalled.before) == (BEFORE_CENTS, None)

            started = time.monotonic()
            for path in (f"/partners/mda/statements/{MONTH}", "/cost-shares", "/audit"):
                refused = api.client.get(path, params={"after": stalled.bad, "month": MONTH},
                                         headers=api.headers("auditor"))
                assert refused.status_code == 503, refused.text
                assert refused.headers["content-type"] == "application/problem+json"
                assert int(refused.headers["retry-after"]) >= 1
                problem = refused.json()
                assert problem["type"] == "https://encommun.fr/problems/projections-stalled"
                assert problem["detail"].startswith(
                    f"the projections are stalled at position {stalled.bad} on event CostBooked: "
                    "no event class answers to topic domain.events:CostBooked")
            assert time.monotonic() - started < READ_WAIT_S / 2

            log_end = api.client.app.state.services.ledger.recorder.max_notification_id()
            close = api.client.post(f"/periods/{MONTH}/close", headers=api.headers("coordinator"))
            assert close.status_code == 503 and close.json()["type"].endswith("/projections-stalled"), close.text
            assert api.client.app.state.services.ledger.recorder.max_notification_id() == log_end

            follower = api.client.app.state.services.follower
            _until(lambda: follower.status().stall.attempts >= 3)
            reports = [r for r in caplog.records if r.name == "projections.follower"]
            assert len(reports) == 1 and reports[0].levelno == logging.ERROR and not reports[0].exc_info
            assert f"stalled at position {stalled.bad} on event CostBooked" in reports[0].getMessage()

            register_renamed_topic()
            written = api.client.post("/costs", headers=api.headers("coordinator"), json={
                "resource_id": "menage", "month": MONTH, "amount_cents": 1_000, "category": "ménage",
                "document_ref": "FAC-3"})
            assert written.status_code == 201, written.text
            position = written.json()["position"]
            _until(lambda: api.client.get("/audit", params={"after": position},
                                          headers=api.headers("auditor")).status_code == 200)
            assert loyer_and_forum(api, after=position) == (BEFORE_CENTS + RENAMED_CENTS, AFTER_CENTS)
            again = api.client.get("/ready")
            assert again.status_code == 200
            assert again.json() == {"status": "caught_up", "projection_position": position,
                                    "log_position": position, "lag": 0, "stall": None, "set_aside": None}
            assert again.json().keys() == body.keys()
        finally:
            api.client.__exit__(None, None, None)
    messages = [r.getMessage() for r in caplog.records if r.name == "projections.follower"]
    assert len(messages) == 2 and "moving again" in messages[1]


def test_an_event_that_stalls_a_running_api_answers_the_reader_waiting_for_it_at_once(tmp_path: Path) -> None:
    """The API is caught up when the bad event lands in its store; a write after it nudges
    the follower, and the read waiting for that write gets the 503 as soon as the fold
    fails, not at the end of its wait."""
    api, _ = serve(tmp_path)
    try:
        assert api.client.get("/ready").json()["status"] == "caught_up"
        bad = inject(api.settings.sqlite_path, "domain.events:CostRecorded", garbled())
        written = api.client.post("/costs", headers=api.headers("coordinator"), json={
            "resource_id": "menage", "month": MONTH, "amount_cents": 1_000, "category": "ménage",
            "document_ref": "FAC-3"})
        assert written.status_code == 201, written.text
        started = time.monotonic()
        refused = api.client.get("/audit", params={"after": written.json()["position"]},
                                 headers=api.headers("auditor"))
        assert time.monotonic() - started < READ_WAIT_S / 2
        assert refused.status_code == 503, refused.text
        assert f"stalled at position {bad} on event CostRecorded" in refused.json()["detail"]
        assert api.client.get("/ready").json()["stall"]["position"] == bad
    finally:
        api.client.__exit__(None, None, None)


def test_what_a_stall_shows_over_http_holds_no_payload_data(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """DuckDB quotes the piece of a garbled payload it choked on: the log keeps it for the
    operator; /ready (no token) and a partner's 503 show the position, the event type and
    the kind of error only."""
    with caplog.at_level(logging.WARNING, logger="projections.follower"):
        api, stalled = serve(tmp_path, "domain.events:CostRecorded", garbled())
        try:
            ready = api.client.get("/ready")
            refused = api.client.get(f"/partners/creche-a/statements/{MONTH}", params={"after": stalled.end},
                                     headers=api.headers("creche"))
        finally:
            api.client.__exit__(None, None, None)
    assert ready.status_code == 503 and refused.status_code == 503
    stall = ready.json()["stall"]
    assert (stall["position"], stall["event_type"]) == (stalled.bad, "CostRecorded")
    assert "Malformed JSON" in stall["error"]
    assert f"at position {stalled.bad} on event CostRecorded: " in refused.json()["detail"]
    assert "Malformed JSON" in refused.json()["detail"]
    report = next(r.getMessage() for r in caplog.records if r.name == "projections.follower")
    assert '"originator_id"' in report  # the payload's beginning, as DuckDB quoted it
    for shown in (ready.text, refused.text):
        assert "originator_id" not in shown


def _until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")
