"""Queries over HTTP: cost shares, statements, traces and the audit trail, now and as of a
past position or time, with read-your-writes and each role's rights (FastAPI's TestClient,
real SQLite and DuckDB files)."""

from __future__ import annotations

import random
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

import pyarrow.compute as pc
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from projections import as_of
from tests.api_fixtures import Api, api_settings, prepare, start
from tests.history import ACTOR, month_of_history

MONTH = "2026-03"
PARTNERS = ("creche-a", "club-b", "mda")


def post(api: Api, path: str, body: dict, who: str = "coordinator") -> int:
    response = api.client.post(path, json=body, headers=api.headers(who))
    assert response.status_code == 201, response.text
    return response.json()["position"]


def get(api: Api, path: str, who: str = "coordinator", **params) -> dict:
    response = api.client.get(path, params=params, headers=api.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


def cost(resource_id: str, amount_cents: int, ref: str) -> dict:
    return {"resource_id": resource_id, "month": MONTH, "amount_cents": amount_cents,
            "category": "test", "document_ref": ref}


def booking(partner_id: str, day: int, start: int, end: int) -> dict:
    return {"resource_id": "salle-vercors", "partner_id": partner_id,
            "starts_at": f"2026-03-{day:02d}T{start:02d}:00:00+01:00",
            "ends_at": f"2026-03-{day:02d}T{end:02d}:00:00+01:00"}


def fill(api: Api) -> int:
    """A month of a small pool, recorded through the API: costs under usage, fixed, mixed and
    tariff keys, and usage by partner tokens. Returns the last position."""
    post(api, "/costs", cost("loyer", 240_001, "FAC-LOYER"))
    post(api, "/costs", cost("salle-vercors", 50_000, "FAC-SALLE"))
    post(api, "/costs", cost("menage", 80_003, "FAC-MENAGE"))
    post(api, "/costs", cost("copieur", 9_000, "FAC-COPIEUR"))
    post(api, "/costs", cost("anne", 320_017, "PAIE-ANNE"))
    post(api, "/bookings", booking("creche-a", 2, 14, 16), who="creche")
    post(api, "/bookings", booking("club-b", 3, 9, 12), who="club")
    post(api, "/bookings", booking("mda", 4, 10, 11))
    post(api, "/staff-hours", {"employee_id": "anne", "partner_id": "creche-a", "work_date": "2026-03-02",
                               "hours": "3.5"}, who="creche")
    post(api, "/staff-hours", {"employee_id": "anne", "partner_id": "mda", "work_date": "2026-03-03",
                               "hours": "2"})
    post(api, "/equipment-uses", {"resource_id": "copieur", "partner_id": "creche-a", "used_on": "2026-03-02",
                                  "quantity": 120, "unit": "page"}, who="creche")
    return post(api, "/equipment-uses", {"resource_id": "copieur", "partner_id": "club-b",
                                         "used_on": "2026-03-05", "quantity": 300, "unit": "page"}, who="club")


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    api = start(tmp_path)
    yield api
    api.client.__exit__(None, None, None)


@pytest.fixture
def filled(api: Api) -> tuple[Api, int]:
    return api, fill(api)


def test_a_statement_s_total_is_the_sum_of_its_lines_and_of_its_cost_shares(filled: tuple[Api, int]) -> None:
    """For each partner: total = sum of the statement's lines = sum of its /cost-shares lines."""
    api, position = filled
    shares = get(api, "/cost-shares", month=MONTH, after=position)
    for partner_id in PARTNERS:
        statement = get(api, f"/partners/{partner_id}/statements/{MONTH}", after=position)
        assert statement["lines"], partner_id
        assert statement["total_cents"] == sum(line["amount_cents"] for line in statement["lines"])
        assert statement["total_cents"] == sum(
            line["amount_cents"] for line in shares["lines"] if line["partner_id"] == partner_id)
        assert statement["position"] >= position
        filtered = get(api, "/cost-shares", month=MONTH, partner_id=partner_id, after=position)
        assert {line["partner_id"] for line in filtered["lines"]} == {partner_id}
        assert sum(line["amount_cents"] for line in filtered["lines"]) == statement["total_cents"]
    # Every pool adds up to its cost, to the cent, with the unallocated and recovery lines.
    for pool in shares["pools"]:
        lines = [line for line in shares["lines"] if line["resource_id"] == pool["resource_id"]]
        assert sum(line["amount_cents"] for line in lines) == pool["pool_cents"]
    assert {p["resource_id"]: p["pool_cents"] for p in shares["pools"]} == {
        "loyer": 240_001, "salle-vercors": 50_000, "menage": 80_003, "copieur": 9_000, "anne": 320_017}


def test_a_statement_line_shows_its_key_and_amount_in_french(filled: tuple[Api, int]) -> None:
    """Lines carry the resource's name, method, key version, basis and a formatted amount."""
    api, position = filled
    statement = get(api, f"/partners/creche-a/statements/{MONTH}", after=position)
    salle = next(line for line in statement["lines"] if line["resource_id"] == "salle-vercors")
    assert salle["resource_name"] == "Salle Vercors" and salle["method"] == "usage"
    assert salle["key_version"] == 1 and salle["basis_kind"] == "usage"
    # 2 h of 6 booked hours: a third of 500,00 €; of the three remainders, .67 gets the leftover cent.
    assert salle["amount_cents"] == 16_667 and salle["amount"] == "166,67\u00a0€"
    menage = [line for line in statement["lines"] if line["resource_id"] == "menage"]
    assert [line["part"] for line in menage] == [0, 1]
    assert statement["partner_name"] == "Crèche Les Marmots"
    assert statement["total"].endswith("\u00a0€") and "\u202f" in statement["total"]


def test_a_partner_reads_only_its_own_statements_and_traces(filled: tuple[Api, int]) -> None:
    """club-b's token: its own statement and trace, 403 for creche-a's."""
    api, position = filled
    assert get(api, f"/partners/club-b/statements/{MONTH}", who="club", after=position)["lines"]
    for path in (f"/partners/creche-a/statements/{MONTH}",
                 f"/partners/creche-a/statements/{MONTH}/lines/salle-vercors/trace"):
        response = api.client.get(path, headers=api.headers("club"))
        assert response.status_code == 403, path
        assert response.headers["content-type"] == "application/problem+json"
        assert "club-b" in response.json()["detail"] and "creche-a" in response.json()["detail"]
    assert get(api, f"/partners/club-b/statements/{MONTH}/lines/salle-vercors/trace", who="club")["events"]


def test_a_partner_sees_other_partners_only_as_pool_totals(filled: tuple[Api, int]) -> None:
    """In /cost-shares a partner gets its own lines, and per pool only the total and the count."""
    api, position = filled
    body = get(api, "/cost-shares", who="creche", month=MONTH, after=position)
    assert body["lines"] and {line["partner_id"] for line in body["lines"]} == {"creche-a"}
    text = str(body)
    assert "club-b" not in text and "mda" not in text
    pools = {pool["resource_id"]: pool for pool in body["pools"]}
    assert pools["loyer"] == {"resource_id": "loyer", "resource_name": "Loyer", "pool_cents": 240_001,
                              "pool": "2\u202f400,01\u00a0€", "partner_count": 3}
    assert pools["salle-vercors"]["partner_count"] == 3 and pools["copieur"]["partner_count"] == 2
    # Asking for another partner's lines is refused; asking for its own is the same answer.
    response = api.client.get("/cost-shares", params={"month": MONTH, "partner_id": "club-b"},
                              headers=api.headers("creche"))
    assert response.status_code == 403
    assert get(api, "/cost-shares", who="creche", month=MONTH, partner_id="creche-a")["lines"] == body["lines"]


def test_an_auditor_reads_everything(filled: tuple[Api, int]) -> None:
    """Every partner's statement and trace, every line of every pool, and the audit trail."""
    api, position = filled
    shares = get(api, "/cost-shares", who="auditor", month=MONTH, after=position)
    assert {line["partner_id"] for line in shares["lines"]} == {*PARTNERS, None}  # recovery of the copier
    for partner_id in PARTNERS:
        assert get(api, f"/partners/{partner_id}/statements/{MONTH}", who="auditor")["lines"]
        assert get(api, f"/partners/{partner_id}/statements/{MONTH}/lines/loyer/trace", who="auditor")["events"]
    assert get(api, "/audit", who="auditor")["events"]


def test_an_analyst_reads_none_of_these(filled: tuple[Api, int]) -> None:
    """The analyst has the SQL endpoint only: 403 on every query route; 401 without a token."""
    api, _ = filled
    paths = [("/cost-shares", {"month": MONTH}), (f"/partners/mda/statements/{MONTH}", {}),
             (f"/partners/mda/statements/{MONTH}/lines/loyer/trace", {}), ("/audit", {})]
    for path, params in paths:
        response = api.client.get(path, params=params, headers=api.headers("analyst"))
        assert response.status_code == 403, path
        assert response.headers["content-type"] == "application/problem+json"
        assert api.client.get(path, params=params).status_code == 401
    for who in ("creche", "club"):
        assert api.client.get("/audit", headers=api.headers(who)).status_code == 403


def test_as_of_a_position_before_a_correction_shows_the_old_amount(filled: tuple[Api, int]) -> None:
    """The March statement as of the position before the correction, and as it stands now."""
    api, before = filled
    entry = "salle-vercors:2026-03:1"
    after = post(api, f"/entries/{entry}/corrections", {"amount_cents": 60_000, "reason": "second invoice"})
    path = f"/partners/club-b/statements/{MONTH}"
    old, new = get(api, path, as_of=before), get(api, path, as_of=after)
    now = get(api, path, after=after)
    salle = lambda s: next(line for line in s["lines"] if line["resource_id"] == "salle-vercors")  # noqa: E731
    assert salle(old)["amount_cents"] == 25_000 and salle(new)["amount_cents"] == 30_000
    assert old["position"] == before and old["as_of"] and new["position"] == after
    assert new["lines"] == now["lines"] and not now["as_of"]
    assert old["total_cents"] == new["total_cents"] - 5_000
    # The pools as of then and now, and the trace as of then lists no correction yet.
    assert {p["resource_id"]: p["pool_cents"] for p in get(api, "/cost-shares", month=MONTH, as_of=before)["pools"]}[
        "salle-vercors"] == 50_000
    trace = lambda **q: get(api, f"{path}/lines/salle-vercors/trace", **q)["events"]  # noqa: E731
    assert "EntryCorrected" not in [e["event_type"] for e in trace(as_of=before)]
    assert [e for e in trace() if e["event_type"] == "EntryCorrected"][0]["position"] == after
    assert trace(as_of=after) == trace()


def test_as_of_a_time_reads_what_was_recorded_by_then(filled: tuple[Api, int]) -> None:
    """A time between two writes gives the state after the first; times need a timezone."""
    api, before = filled
    time.sleep(0.02)
    moment = datetime.now(timezone.utc)
    time.sleep(0.02)
    after = post(api, "/entries/salle-vercors:2026-03:1/corrections", {"amount_cents": 60_000, "reason": "x"})
    path = f"/partners/mda/statements/{MONTH}"
    salle = lambda s: next(line for line in s["lines"] if line["resource_id"] == "salle-vercors")  # noqa: E731
    then = get(api, path, as_of=moment.isoformat())
    assert then["position"] == before and then["as_of"] and salle(then)["amount_cents"] == 8_333
    assert salle(get(api, path, after=after))["amount_cents"] == 10_000
    paris = moment.astimezone(ZoneInfo("Europe/Paris")).isoformat()
    assert get(api, path, as_of=paris)["position"] == before
    assert get(api, path, as_of=datetime.now(timezone.utc).isoformat())["position"] == after
    before_everything = get(api, path, as_of="2001-01-01T00:00:00Z")
    assert before_everything["position"] == 0 and before_everything["lines"] == []


def test_as_of_in_the_future_or_unreadable_is_a_422(filled: tuple[Api, int]) -> None:
    """A position past the end of the log, a time to come, a time without zone, a word."""
    api, position = filled
    for value in (str(position + 1_000), "2999-01-01T00:00:00Z", "2026-03-01T00:00:00", "yesterday", "-3"):
        response = api.client.get(f"/partners/mda/statements/{MONTH}", params={"as_of": value},
                                  headers=api.headers("coordinator"))
        assert response.status_code == 422, value
        assert response.json()["field"] == "as_of", value


def test_a_read_after_a_write_sees_it(api: Api) -> None:
    """after=<position a write returned>: the read includes that write."""
    position = post(api, "/costs", cost("loyer", 100_000, "FAC-1"))
    body = get(api, f"/partners/mda/statements/{MONTH}", after=position)
    assert body["position"] >= position and body["total_cents"] > 0
    position = post(api, "/costs", cost("loyer", 50_000, "FAC-2"))
    again = get(api, f"/partners/mda/statements/{MONTH}", who="auditor", after=position)
    assert again["total_cents"] > body["total_cents"]
    assert get(api, "/audit", who="auditor", after=position)["events"][-1]["position"] == position


def test_a_read_after_a_position_not_reached_is_a_503_with_retry_after(tmp_path: Path) -> None:
    """The wait is bounded by read_wait_s; then 503 and Retry-After: 1. (The projections are
    held back by stopping their follower; a position beyond the log is a 422 instead.)"""
    settings = api_settings(tmp_path).model_copy(update={"read_wait_s": 0.2})
    tokens = prepare(settings)
    with TestClient(create_app(settings)) as client:
        api = Api(client, settings, tokens)
        client.app.state.services.follower.stop()
        written = client.post("/bookings", headers=api.headers("coordinator"), json={
            "resource_id": "salle-vercors", "partner_id": "mda",
            "starts_at": f"{MONTH}-02T09:00:00+01:00", "ends_at": f"{MONTH}-02T10:00:00+01:00"}).json()
        position = written["position"]
        started = time.monotonic()
        response = client.get(f"/partners/mda/statements/{MONTH}", params={"after": position},
                              headers=api.headers("coordinator"))
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert response.headers["content-type"] == "application/problem+json"
        assert str(position) in response.json()["detail"]
        assert 0.2 <= time.monotonic() - started < 5
        for path, params in (("/cost-shares", {"month": MONTH}), ("/audit", {})):
            response = client.get(path, params={**params, "after": position}, headers=api.headers("auditor"))
            assert response.status_code == 503 and response.headers["retry-after"] == "1"
        beyond = client.get("/audit", params={"after": 10**9}, headers=api.headers("auditor"))
        assert beyond.status_code == 422 and beyond.json()["field"] == "after"


def test_a_trace_lists_the_cost_and_usage_events_with_who_and_when(filled: tuple[Api, int]) -> None:
    """The trace of creche-a's room line: the key, the pool's cost, its own booking only."""
    api, position = filled
    body = get(api, f"/partners/creche-a/statements/{MONTH}/lines/salle-vercors/trace", who="creche",
               after=position)
    assert body["key_version"] == 1 and body["resource_name"] == "Salle Vercors"
    assert [(line["line_kind"], line["amount_cents"]) for line in body["lines"]] == [("share", 16_667)]
    events = body["events"]
    assert [e["position"] for e in events] == sorted(e["position"] for e in events)
    by_source = {e["source"]: e for e in events}
    assert set(by_source) == {"key", "cost", "usage"}
    assert by_source["key"]["event_type"] == "AllocationKeySet" and by_source["key"]["actor"] == ACTOR
    assert by_source["cost"]["entry_id"] == "salle-vercors:2026-03:1"
    assert by_source["cost"]["actor"] == "coordinator/coord"
    assert by_source["cost"]["payload"]["document_ref"] == "FAC-SALLE"
    usage = [e for e in events if e["source"] == "usage"]
    assert [(e["entry_id"], e["event_type"], e["actor"]) for e in usage] == [
        ("salle-vercors:2026-03-02:1", "SlotBooked", "partner:creche-a/creche")]
    assert all(e["payload"]["partner_id"] == "creche-a" for e in usage)
    for e in events:
        assert datetime.fromisoformat(e["recorded_at"]).tzinfo is not None
    # A fixed key's line traces to the partner's membership; a mixed key's parts one by one.
    loyer = get(api, f"/partners/creche-a/statements/{MONTH}/lines/loyer/trace")
    assert {e["source"] for e in loyer["events"]} == {"key", "cost", "membership"}
    part = get(api, f"/partners/creche-a/statements/{MONTH}/lines/menage/trace", part=1)
    assert [line["part"] for line in part["lines"]] == [1]


def test_a_trace_of_a_line_that_does_not_exist_is_a_404(filled: tuple[Api, int]) -> None:
    """mda used no copier pages: no copier line, hence no trace; an unknown resource too."""
    api, position = filled
    for path, params in ((f"/partners/mda/statements/{MONTH}/lines/copieur/trace", {}),
                         (f"/partners/mda/statements/{MONTH}/lines/nothing-here/trace", {}),
                         (f"/partners/mda/statements/{MONTH}/lines/menage/trace", {"part": 7})):
        response = api.client.get(path, params={**params, "after": position}, headers=api.headers("coordinator"))
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"


def test_the_audit_trail_filters_by_type_actor_and_aggregate(filled: tuple[Api, int]) -> None:
    """Filters combine; pages follow next_after_position to the end."""
    api, position = filled
    costs = get(api, "/audit", who="auditor", event_type="CostRecorded", after=position)["events"]
    assert [e["payload"]["document_ref"] for e in costs] == [
        "FAC-LOYER", "FAC-SALLE", "FAC-MENAGE", "FAC-COPIEUR", "PAIE-ANNE"]
    assert {e["actor"] for e in costs} == {"coordinator/coord"}
    mine = get(api, "/audit", who="coordinator", actor="partner:club-b/club")["events"]
    assert [e["event_type"] for e in mine] == ["SlotBooked", "EquipmentUsed"]
    aggregate = costs[0]["aggregate_id"]
    one = get(api, "/audit", who="auditor", aggregate_id=aggregate)["events"]
    assert [e["position"] for e in one] == [costs[0]["position"]]
    assert get(api, "/audit", who="auditor", event_type="CostRecorded", actor="partner:club-b/club")["events"] == []
    # Time window: nothing before the first event, everything up to now.
    first = datetime.fromisoformat(costs[0]["recorded_at"])
    window = get(api, "/audit", who="auditor", event_type="CostRecorded", since=first.isoformat(),
                 until=datetime.now(timezone.utc).isoformat())["events"]
    assert window == costs
    # Paging: three at a time, in order, to the end.
    seen, after_position = [], 0
    while True:
        page = get(api, "/audit", who="auditor", limit=3, after_position=after_position)
        seen += [e["position"] for e in page["events"]]
        if page["next_after_position"] is None:
            break
        assert len(page["events"]) == 3
        after_position = page["next_after_position"]
    assert seen == sorted(seen) and seen[-1] == position and len(seen) == len(set(seen))
    assert get(api, "/audit", who="auditor", as_of=costs[1]["position"])["events"][-1]["position"] == costs[1]["position"]
    for params in ({"limit": 1001}, {"limit": 0}, {"since": "2026-03-01T00:00:00"}, {"aggregate_id": "x"},
                   {"since": "2026-04-01T00:00:00Z", "until": "2026-03-01T00:00:00Z"}):
        response = api.client.get("/audit", params=params, headers=api.headers("auditor"))
        assert response.status_code == 422, params


def test_bad_months_are_422_and_unknown_partners_404(filled: tuple[Api, int]) -> None:
    """A month written wrong never reaches a 500; an unknown partner is named in a 404."""
    api, _ = filled
    for month in ("2026-13", "2026-3", "march", "1999-12"):
        for path, params in ((f"/partners/mda/statements/{month}", {}), ("/cost-shares", {"month": month}),
                             (f"/partners/mda/statements/{month}/lines/loyer/trace", {})):
            response = api.client.get(path, params=params, headers=api.headers("coordinator"))
            assert response.status_code == 422, (path, params)
            assert response.json()["field"].endswith("month")
    assert api.client.get("/cost-shares", headers=api.headers("coordinator")).status_code == 422
    for path, params in ((f"/partners/nobody/statements/{MONTH}", {}),
                         (f"/partners/nobody/statements/{MONTH}/lines/loyer/trace", {}),
                         ("/cost-shares", {"month": MONTH, "partner_id": "nobody"}),
                         ("/cost-shares", {"month": MONTH, "resource_id": "nothing"})):
        response = api.client.get(path, params=params, headers=api.headers("auditor"))
        assert response.status_code == 404, path
        assert "'nobody'" in response.json()["detail"] or "'nothing'" in response.json()["detail"]
    # A known partner with nothing that month: an empty statement, not an error.
    empty = get(api, "/partners/mda/statements/2025-01")
    assert empty["lines"] == [] and empty["total_cents"] == 0 and empty["total"] == "0,00\u00a0€"


def test_as_of_statements_and_traces_equal_the_full_computation(api: Api) -> None:
    """On a longer history: statement_as_of is cost_shares_as_of filtered to the partner, at
    many positions; at the tracked position both equal cost_shares, and trace_as_of equals
    charge_trace."""
    services = api.client.app.state.services
    rnd = random.Random(3)
    for month in range(1, 5):  # the fixture recorded setup() already; no month is closed here
        for batch in month_of_history(month, rnd):
            services.ledger.execute_batch(batch, actor=ACTOR)
    last = services.ledger.recorder.max_notification_id()
    assert services.follower.wait_for(last, 30)
    conn = services.follower.cursor()
    try:
        positions = list(range(1, last + 1, max(1, last // 25))) + [last]
        for position in positions:
            for month in ("2026-02", "2026-03", "2026-04"):
                full = as_of.cost_shares_as_of(conn, position, month=month)
                for partner_id in PARTNERS:
                    expected = full.filter(pc.equal(full["partner_id"], partner_id))
                    assert as_of.statement_as_of(conn, partner_id, month, position).equals(expected), (
                        partner_id, month, position)
        for month in ("2026-02", "2026-03"):
            for partner_id in PARTNERS:
                api_now = get(api, f"/partners/{partner_id}/statements/{month}")
                api_then = get(api, f"/partners/{partner_id}/statements/{month}", as_of=last)
                assert api_now["lines"] == api_then["lines"] and api_now["lines"]
                for line in {line["resource_id"] for line in api_now["lines"]}:
                    path = f"/partners/{partner_id}/statements/{month}/lines/{line}/trace"
                    assert get(api, path)["events"] == get(api, path, as_of=last)["events"]
        now = get(api, "/cost-shares", month="2026-03")
        assert get(api, "/cost-shares", month="2026-03", as_of=last)["lines"] == now["lines"]
    finally:
        conn.close()
