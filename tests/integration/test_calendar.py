"""One calendar for both sides: what the write side refuses beyond it, and how the read side
copes with a store written before it was enforced."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from bootstrap import bootstrap
from domain.events import EquipmentUsed, SlotBooked, StaffHoursLogged
from domain.ids import agenda_aggregate_id, timesheet_aggregate_id
from projections.rebuild import rebuild
from projections.verify import verify
from tests.api_fixtures import Api, api_settings, prepare, start
from tests.ledger_fixtures import event_count

LEGACY_ACTOR = "partner:creche-a/creche"


def legacy_events() -> list:
    """What a partner could record before the calendar was enforced: a use in 2101, hours on
    the last day of year 9999 and a booking at its last hour."""
    stamp = {"originator_version": 1, "timestamp": datetime(2026, 3, 1, tzinfo=timezone.utc),
             "actor": LEGACY_ACTOR}
    return [
        EquipmentUsed(originator_id=agenda_aggregate_id("copieur", "2101-01-01"), **stamp,
                      entry_id="copieur:2101-01-01:1", resource_id="copieur", partner_id="creche-a",
                      used_on=date(2101, 1, 1), quantity=10, unit="page"),
        StaffHoursLogged(originator_id=timesheet_aggregate_id("anne", "9999-W52"), **stamp,
                         entry_id="anne:9999-W52:1", employee_id="anne", partner_id="creche-a",
                         work_date=date(9999, 12, 31), hours=2),
        SlotBooked(originator_id=agenda_aggregate_id("salle-vercors", "9999-12-31"), **stamp,
                   entry_id="salle-vercors:9999-12-31:1", resource_id="salle-vercors",
                   partner_id="creche-a", starts_at=datetime(9999, 12, 31, 21, tzinfo=timezone.utc),
                   ends_at=datetime(9999, 12, 31, 22, tzinfo=timezone.utc)),
    ]


def january(client, headers: dict) -> None:
    client.post("/costs", headers=headers, json={
        "resource_id": "copieur", "month": "2026-01", "amount_cents": 10_000,
        "category": "location", "document_ref": "FAC-1"})
    client.post("/equipment-uses", headers=headers, json={
        "resource_id": "copieur", "partner_id": "creche-a", "used_on": "2026-01-12",
        "quantity": 100, "unit": "page"})


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    api = start(tmp_path)
    yield api
    api.client.__exit__(None, None, None)


@pytest.fixture
def legacy_api(tmp_path: Path) -> Iterator[Api]:
    """The API on a store that already holds events beyond the calendar."""
    settings = api_settings(tmp_path)
    tokens = prepare(settings)
    with bootstrap(settings) as ledger:
        ledger.store.save(*legacy_events())
    with TestClient(create_app(settings)) as client:
        yield Api(client, settings, tokens)


@pytest.mark.parametrize("path, body, field", [
    ("/equipment-uses", {"resource_id": "copieur", "partner_id": "creche-a", "used_on": "2101-01-01",
                         "quantity": 1, "unit": "page"}, "used_on"),
    ("/equipment-uses", {"resource_id": "copieur", "partner_id": "creche-a", "used_on": "9999-12-31",
                         "quantity": 1, "unit": "page"}, "used_on"),
    ("/staff-hours", {"employee_id": "anne", "partner_id": "creche-a", "work_date": "2101-01-01",
                      "hours": 1}, "work_date"),
    ("/bookings", {"resource_id": "salle-vercors", "partner_id": "creche-a",
                   "starts_at": "2101-01-01T09:00:00+01:00", "ends_at": "2101-01-01T10:00:00+01:00"},
     "starts_at"),
    ("/bookings", {"resource_id": "salle-vercors", "partner_id": "creche-a",
                   "starts_at": "0001-01-01T00:00:00+14:00", "ends_at": "2026-01-01T10:00:00+01:00"},
     "starts_at"),
    ("/bookings", {"resource_id": "salle-vercors", "partner_id": "creche-a",
                   "starts_at": "2026-01-01T09:00:00+01:00", "ends_at": "9999-12-31T23:59:59-14:00"},
     "ends_at"),
])
def test_a_partner_write_beyond_the_calendar_is_refused_naming_the_field(
        api: Api, path: str, body: dict, field: str) -> None:
    """Dates and instants past 2100 (or before 2000) are a 422 naming the field and the range;
    nothing is recorded."""
    with bootstrap(api.settings) as ledger:
        before = event_count(ledger)
    answer = api.client.post(path, headers=api.headers("creche"), json=body)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["field"] == field
    assert "2000-01-01 to 2100-12-31" in problem["detail"]
    with bootstrap(api.settings) as ledger:
        assert event_count(ledger) == before


@pytest.mark.parametrize("path, params, field", [
    ("/audit", {"since": "9999-12-31T23:30:00Z"}, "since"),
    ("/audit", {"until": "0001-01-01T00:00:00+14:00"}, "until"),
    ("/partners/creche-a/statements/2026-01", {"as_of": "9999-12-31T23:59:59-14:00"}, "as_of"),
    ("/partners/creche-a/statements/2101-01", {}, "month"),
    ("/disputes", {"month": "2101-01"}, "month"),
])
def test_a_query_beyond_the_calendar_is_a_422_naming_the_parameter(
        api: Api, path: str, params: dict, field: str) -> None:
    """Query parameters follow the same calendar as commands: never an OverflowError."""
    answer = api.client.get(path, headers=api.headers("coordinator"), params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"].split(".")[-1] == field
    assert "2000-01-01 to 2100-12-31" in answer.json()["detail"] or "2101-01" in answer.json()["detail"]


def test_the_last_month_of_the_calendar_cannot_be_closed(api: Api) -> None:
    """2100-12 stays open: late events and credits always have a month to go to."""
    answer = api.client.post("/periods/2100-12/close", headers=api.headers("coordinator"))
    assert answer.status_code in (409, 422), answer.text
    assert answer.json()["field"] == "month"


def test_a_store_holding_events_beyond_the_calendar_still_projects_closes_and_rebuilds(
        legacy_api: Api, tmp_path: Path) -> None:
    """The follower folds the log past the legacy events, sets their pools aside (and /ready
    says so), a month closes, and a rebuild and a verify of the store succeed and agree with
    the follower."""
    coordinator = legacy_api.headers("coordinator")
    january(legacy_api.client, coordinator)
    shares = legacy_api.client.get("/cost-shares", headers=coordinator, params={"month": "2026-01"})
    assert shares.status_code == 200, shares.text
    closed = legacy_api.client.post("/periods/2026-01/close", headers=coordinator)
    assert closed.status_code == 201, closed.text
    statement = legacy_api.client.get("/partners/creche-a/statements/2026-01", headers=coordinator,
                                      params={"after": closed.json()["position"]})
    assert statement.status_code == 200, statement.text
    assert [(line["resource_id"], line["amount_cents"]) for line in statement.json()["lines"]] == [
        ("copieur", 400)]  # 100 pages at 0,04 €

    ready = legacy_api.client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "caught_up"
    assert ready.json()["set_aside"]["entries"] == 3
    with bootstrap(legacy_api.settings) as ledger:
        rebuilt = tmp_path / "rebuilt.duckdb"
        assert rebuild(ledger.recorder, rebuilt) == event_count(ledger)
        assert verify(ledger.recorder).ok
    conn = duckdb.connect(str(rebuilt), read_only=True)
    try:
        assert conn.execute("SELECT count(*) FROM usage_versions WHERE month >= '2101'").fetchone()[0] == 3
        assert conn.execute("SELECT count(*) FROM cost_shares WHERE month >= '2101'").fetchone()[0] == 0
        rebuilt_shares = conn.execute("SELECT * FROM cost_shares ORDER BY ALL").fetchall()
    finally:
        conn.close()
    with legacy_api.client.app.state.services.follower.cursor() as live:
        assert live.execute("SELECT * FROM cost_shares ORDER BY ALL").fetchall() == rebuilt_shares
