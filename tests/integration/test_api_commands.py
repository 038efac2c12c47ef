"""Commands over HTTP (FastAPI's TestClient, real SQLite and DuckDB files)."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID
from typing import Iterator

import pytest

from tests.api_fixtures import Api, start

BOOKING = {"resource_id": "salle-vercors", "partner_id": "creche-a",
           "starts_at": "2026-03-02T14:00:00+01:00", "ends_at": "2026-03-02T16:00:00+01:00"}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    api = start(tmp_path)
    yield api
    api.client.__exit__(None, None, None)


def test_a_booking_returns_its_position_and_entry_id(api: Api) -> None:
    """201 with the log position and the entry id the ledger gave."""
    response = api.client.post("/bookings", json=BOOKING, headers=api.headers("coordinator"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["events"][0]["entry_id"] == "salle-vercors:2026-03-02:1"
    assert body["position"] == body["events"][0]["position"] > 0


def test_an_overlap_is_a_409_problem_naming_the_rule_and_field(api: Api) -> None:
    """The domain's refusal comes back as application/problem+json."""
    api.client.post("/bookings", json=BOOKING, headers=api.headers("coordinator"))
    response = api.client.post("/bookings", json=BOOKING, headers=api.headers("coordinator"))
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/booking-overlap") and problem["field"] == "starts_at"
    assert "overlaps booking salle-vercors:2026-03-02:1" in problem["detail"]


def test_a_malformed_body_is_a_422_naming_the_field(api: Api) -> None:
    """A month written 2026-3 is refused before anything is recorded."""
    response = api.client.post("/costs", headers=api.headers("coordinator"), json={
        "resource_id": "copieur", "month": "2026-3", "amount_cents": 100, "category": "x", "document_ref": "y"})
    assert response.status_code == 422
    assert response.json()["field"] == "month"


def test_the_same_key_twice_records_once_and_answers_the_same(api: Api) -> None:
    """Idempotency-Key: same body, same answer; another body, 422."""
    first = api.client.post("/bookings", json=BOOKING, headers=api.headers("coordinator", "k-1"))
    again = api.client.post("/bookings", json=BOOKING, headers=api.headers("coordinator", "k-1"))
    assert first.json()["events"] == again.json()["events"] and again.json()["replayed"]
    other = api.client.post("/bookings", headers=api.headers("coordinator", "k-1"),
                            json={**BOOKING, "starts_at": "2026-03-02T10:00:00+01:00"})
    assert other.status_code == 422 and "already used" in other.json()["detail"]


def test_a_batch_is_all_or_nothing_and_names_the_refused_index(api: Api) -> None:
    """The third command overlaps the first: 409 with index 2, nothing recorded."""
    commands = [
        {"command": "book_slot", **BOOKING},
        {"command": "log_staff_hours", "employee_id": "anne", "partner_id": "creche-a",
         "work_date": "2026-03-02", "hours": "3"},
        {"command": "book_slot", **BOOKING},
    ]
    response = api.client.post("/batch", json={"commands": commands}, headers=api.headers("coordinator"))
    assert response.status_code == 409 and response.json()["index"] == 2
    ok = api.client.post("/batch", json={"commands": commands[:2]}, headers=api.headers("coordinator"))
    assert ok.status_code == 201 and [e["entry_id"] for e in ok.json()["events"]] == [
        "salle-vercors:2026-03-02:1", "anne:2026-W10:1"]


def test_a_partner_records_for_itself_only(api: Api) -> None:
    """A partner token books for its partner, not for another, and sets no costs."""
    assert api.client.post("/bookings", json=BOOKING, headers=api.headers("creche")).status_code == 201
    other = {**BOOKING, "partner_id": "club-b", "starts_at": "2026-03-03T10:00:00+01:00",
             "ends_at": "2026-03-03T11:00:00+01:00"}
    assert api.client.post("/bookings", json=other, headers=api.headers("creche")).status_code == 403
    cost = {"resource_id": "copieur", "month": "2026-03", "amount_cents": 100, "category": "x", "document_ref": "y"}
    assert api.client.post("/costs", json=cost, headers=api.headers("creche")).status_code == 403


def test_a_partner_cannot_cancel_another_partner_s_booking(api: Api) -> None:
    """club-b's token cannot cancel creche-a's booking; creche-a's can."""
    api.client.post("/bookings", json=BOOKING, headers=api.headers("creche"))
    url = "/bookings/salle-vercors:2026-03-02:1/cancel"
    assert api.client.post(url, json={}, headers=api.headers("club")).status_code == 404
    assert api.client.post(url, json={}, headers=api.headers("creche")).status_code == 201


def test_another_partner_s_booking_is_refused_as_if_it_did_not_exist(api: Api) -> None:
    """Walking entry ids tells a partner nothing: cancelling another partner's booking and
    a booking that does not exist get the same status and the same words, naming no owner."""
    api.client.post("/bookings", json=BOOKING, headers=api.headers("creche"))
    theirs = api.client.post("/bookings/salle-vercors:2026-03-02:1/cancel", json={}, headers=api.headers("club"))
    nobody = api.client.post("/bookings/salle-vercors:2026-03-02:9/cancel", json={}, headers=api.headers("club"))
    assert theirs.status_code == nobody.status_code == 404
    assert theirs.json()["detail"].replace(":1", ":9") == nobody.json()["detail"]
    assert "creche" not in theirs.text
    assert theirs.json()["field"] == "entry_id"


def test_auditors_and_analysts_write_nothing(api: Api) -> None:
    """403 for every write by a read-only role; 401 without a token."""
    for who in ("auditor", "analyst"):
        assert api.client.post("/bookings", json=BOOKING, headers=api.headers(who)).status_code == 403
    assert api.client.post("/bookings", json=BOOKING).status_code == 401


def test_the_actor_of_each_event_is_the_token_that_sent_it(api: Api) -> None:
    """Events name the role, partner and label of the token."""
    body = api.client.post("/bookings", json=BOOKING, headers=api.headers("creche")).json()
    ledger = api.client.app.state.services.ledger
    event = list(ledger.events.get(UUID(body["events"][0]["aggregate_id"])))[-1]
    assert event.actor == "partner:creche-a/creche"


def test_a_command_that_breaks_its_own_rule_is_a_422_not_a_500(api: Api) -> None:
    """A correction with neither quantity nor amount is refused as malformed."""
    response = api.client.post("/entries/copieur:2026-03:1/corrections", headers=api.headers("coordinator"),
                               json={"amount_cents": None, "reason": "x"})
    assert response.status_code == 422
    assert "either a new quantity or a new amount_cents" in response.json()["detail"]
