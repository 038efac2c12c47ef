"""End to end over real HTTP: httpx against a `uvicorn` process on loopback (tests/e2e/conftest.py).

Every test of this file shares one server and one store, so each writes in a month of its
own (March: read-your-writes, April: idempotency, June: batches, January and February: the
dispute) and no test depends on another having run.
"""

from __future__ import annotations

import importlib
import pkgutil
import signal
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import httpx
import pytest
from fastapi.routing import APIRoute

from api import routers
from api.app import create_app
from tests.api_fixtures import api_settings, prepare
from tests.e2e.conftest import Live
from bench.server import Server, serve

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture
def http(live: Live) -> Iterator[httpx.Client]:
    with live.client() as client:
        yield client


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def audit_all(http: httpx.Client, live: Live, *, after: int | None = None, **filters: Any) -> list[dict]:
    """Every event of the audit trail (with `filters`), page by page, once the projections
    include `after`."""
    events: list[dict] = []
    after_position = 0
    while True:
        params = {**filters, "after_position": after_position, "limit": 1000}
        if after is not None:
            params["after"] = after
        page = ok(http.get("/audit", params=params, headers=live.headers("auditor")))
        events += page["events"]
        if page["next_after_position"] is None:
            return events
        after_position = page["next_after_position"]


# start, append, query, stop ---------------------------------------------------------------


def stopped_cleanly(server: Server) -> bool:
    """uvicorn, on SIGTERM, shuts down gracefully (the lifespan's exit included), then
    re-raises the signal: the exit status is -SIGTERM (or 0 on older uvicorns)."""
    return (server.process.returncode in (0, -signal.SIGTERM)
            and "Application shutdown complete" in server.log.read_text(errors="replace"))


def test_a_server_starts_records_answers_stops_and_restarts_on_the_same_store(tmp_path: Path) -> None:
    """A uvicorn of its own: a booking, read back over HTTP; SIGTERM stops it cleanly (graceful,
    the lifespan closing the ledger and projections); restarted on the same files it still
    answers the booking, and refuses it a second time."""
    settings = api_settings(tmp_path)
    tokens = prepare(settings)
    headers = {"Authorization": f"Bearer {tokens['creche']}"}
    booking = {"resource_id": "salle-vercors", "partner_id": "creche-a",
               "starts_at": "2026-05-04T09:00:00+02:00", "ends_at": "2026-05-04T12:00:00+02:00"}
    with serve(settings, log=tmp_path / "first.log", log_level="info") as server:
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            position = created(http.post("/bookings", json=booking, headers=headers))["position"]
            usage = ok(http.get("/audit", params={"after": position, "event_type": "SlotBooked"},
                                headers={"Authorization": f"Bearer {tokens['auditor']}"}))
            assert [e["payload"]["entry_id"] for e in usage["events"]] == ["salle-vercors:2026-05-04:1"]
    assert stopped_cleanly(server), server.log_tail()
    with serve(settings, log=tmp_path / "second.log", log_level="info") as again:
        with httpx.Client(base_url=again.base_url, timeout=30) as http:
            page = ok(http.get("/audit", params={"event_type": "SlotBooked"},
                               headers={"Authorization": f"Bearer {tokens['auditor']}"}))
            assert page["position"] >= position
            assert [e["position"] for e in page["events"]] == [position]
            again_booked = http.post("/bookings", json=booking, headers=headers)
            assert again_booked.status_code == 409, again_booked.text  # the agenda came back from the store
    assert stopped_cleanly(again), again.log_tail()


# read-your-writes -------------------------------------------------------------------------


def test_a_read_with_after_sees_the_write_that_returned_that_position(live: Live, http: httpx.Client) -> None:
    """A cost and a booking for March, then the statement and the trace with `after`: both
    include the writes, and report a position at least as far."""
    cost = created(http.post("/costs", headers=live.headers("coordinator"), json={
        "resource_id": "salle-vercors", "month": "2026-03", "amount_cents": 31_415,
        "category": "loyer", "document_ref": "FAC-E2E-RYW"}))
    booked = created(http.post("/bookings", headers=live.headers("club"), json={
        "resource_id": "salle-vercors", "partner_id": "club-b",
        "starts_at": "2026-03-10T09:00:00+01:00", "ends_at": "2026-03-10T11:00:00+01:00"}))
    position = booked["position"]
    assert position > cost["position"]

    statement = ok(http.get("/partners/club-b/statements/2026-03", params={"after": position},
                            headers=live.headers("club")))
    assert statement["position"] >= position
    salle = [line for line in statement["lines"] if line["resource_id"] == "salle-vercors"]
    assert [(line["line_kind"], line["amount_cents"]) for line in salle] == [("share", 31_415)]

    trace = ok(http.get("/partners/club-b/statements/2026-03/lines/salle-vercors/trace",
                        params={"after": position}, headers=live.headers("club")))
    by_position = {e["position"]: e for e in trace["events"]}
    assert by_position[cost["position"]]["payload"]["document_ref"] == "FAC-E2E-RYW"
    assert by_position[position]["event_type"] == "SlotBooked"
    assert by_position[position]["actor"] == "partner:club-b/club"

    audit = ok(http.get("/audit", params={"after": position, "after_position": cost["position"] - 1},
                        headers=live.headers("auditor")))
    assert [e["position"] for e in audit["events"]] == [cost["position"], position]


# idempotency ------------------------------------------------------------------------------


def test_the_same_key_twice_records_once_and_answers_the_same(live: Live, http: httpx.Client) -> None:
    """Same Idempotency-Key and body: one event, the same answer (marked replayed); the same
    key with another body: 422, nothing recorded."""
    use = {"resource_id": "copieur", "partner_id": "creche-a", "used_on": "2026-04-07",
           "quantity": 42, "unit": "page"}
    first = created(http.post("/equipment-uses", json=use, headers=live.headers("creche", "e2e-key-1")))
    again = created(http.post("/equipment-uses", json=use, headers=live.headers("creche", "e2e-key-1")))
    assert again["events"] == first["events"] and again["position"] == first["position"]
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert first["events"][0]["entry_id"] == "copieur:2026-04-07:1"

    other = http.post("/equipment-uses", json={**use, "quantity": 43},
                      headers=live.headers("creche", "e2e-key-1"))
    assert other.status_code == 422, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert "already used" in other.json()["detail"]

    # A write after the refusal, read with `after`, proves the refusal's turn has passed.
    marker = created(http.post("/equipment-uses", json={**use, "used_on": "2026-04-08"},
                               headers=live.headers("creche")))
    uses = audit_all(http, live, after=marker["position"], event_type="EquipmentUsed",
                     aggregate_id=first["events"][0]["aggregate_id"])
    assert [(e["payload"]["entry_id"], e["payload"]["quantity"]) for e in uses] == [("copieur:2026-04-07:1", "42")]
    # Another token's same key is another key: it records anew.
    coordinator = created(http.post("/equipment-uses", json=use, headers=live.headers("coordinator", "e2e-key-1")))
    assert not coordinator["replayed"] and coordinator["events"][0]["entry_id"] == "copieur:2026-04-07:2"


# batch all-or-nothing ---------------------------------------------------------------------


def test_a_refused_batch_names_its_first_refused_command_and_records_nothing(
        live: Live, http: httpx.Client) -> None:
    """Four commands, the third overlapping the first booking: 409 naming index 2, and the
    log (read through /audit once a later write is projected) holds none of the four."""
    booking = {"command": "book_slot", "resource_id": "salle-vercors", "partner_id": "mda",
               "starts_at": "2026-06-01T14:00:00+02:00", "ends_at": "2026-06-01T16:00:00+02:00"}
    commands = [
        booking,
        {"command": "log_staff_hours", "employee_id": "anne", "partner_id": "mda",
         "work_date": "2026-06-01", "hours": "3"},
        {**booking, "starts_at": "2026-06-01T15:00:00+02:00", "ends_at": "2026-06-01T17:00:00+02:00"},
        {"command": "record_equipment_use", "resource_id": "copieur", "partner_id": "mda",
         "used_on": "2026-06-01", "quantity": 5, "unit": "page"},
    ]
    start = created(http.post("/costs", headers=live.headers("coordinator"), json={
        "resource_id": "copieur", "month": "2026-06", "amount_cents": 1_000, "category": "x",
        "document_ref": "FAC-E2E-BATCH"}))["position"]
    before = audit_all(http, live, after=start)

    refused = http.post("/batch", json={"commands": commands}, headers=live.headers("coordinator"))
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["index"] == 2 and problem["type"].endswith("/booking-overlap")
    assert "salle-vercors:2026-06-01:1" in problem["detail"]  # the batch's own first booking

    marker = created(http.post("/costs", headers=live.headers("coordinator"), json={
        "resource_id": "anne", "month": "2026-06", "amount_cents": 2_000, "category": "x",
        "document_ref": "FAC-E2E-MARKER"}))
    after = audit_all(http, live, after=marker["position"])
    assert len(after) == len(before) + len(marker["events"])
    assert [e["position"] for e in after[len(before):]] == [e["position"] for e in marker["events"]]

    # Without the refused command, the same batch is recorded whole, in order.
    accepted = created(http.post("/batch", json={"commands": commands[:2] + commands[3:]},
                                 headers=live.headers("coordinator")))
    assert [e["entry_id"] for e in accepted["events"]] == [
        "salle-vercors:2026-06-01:1", "anne:2026-W23:1", "copieur:2026-06-01:1"]
    positions = [e["position"] for e in accepted["events"]]
    assert positions == sorted(positions) and accepted["position"] == positions[-1]


# a dispute, from opening to accepted resolution ---------------------------------------------


def test_an_accepted_dispute_credits_the_next_statement_and_shows_in_the_trace(
        live: Live, http: httpx.Client) -> None:
    """January and February recorded; January closed; creche-a disputes its January room
    line, comments, the coordinator accepts with a 25 € credit: a credit line on creche-a's
    February statement, and the January line's trace shows the dispute, the resolution and
    the credit."""
    coordinator = live.headers("coordinator")
    for month in ("2026-01", "2026-02"):
        created(http.post("/costs", headers=coordinator, json={
            "resource_id": "salle-vercors", "month": month, "amount_cents": 60_000,
            "category": "loyer", "document_ref": f"FAC-E2E-{month}"}))
        for partner, day in (("creche-a", "05"), ("club-b", "06"), ("mda", "07")):
            created(http.post("/bookings", headers=coordinator, json={
                "resource_id": "salle-vercors", "partner_id": partner,
                "starts_at": f"{month}-{day}T09:00:00+01:00", "ends_at": f"{month}-{day}T11:00:00+01:00"}))

    closed = created(http.post("/periods/2026-01/close", headers=coordinator))
    assert closed["events"][0]["type"] == "PeriodClosed"
    january = ok(http.get("/partners/creche-a/statements/2026-01", params={"after": closed["position"]},
                          headers=live.headers("creche")))
    assert january["closed"] and january["number"] == 1

    opened = created(http.post("/disputes", headers=live.headers("creche"), json={
        "partner_id": "creche-a", "month": "2026-01", "resource_id": "salle-vercors",
        "reason": "la réunion du 5 janvier a été annulée", "attachment_ref": "mail-2026-01-04.pdf"}))
    dispute_id = opened["events"][0]["dispute_id"]
    assert dispute_id == "creche-a:2026-01:d1"
    created(http.post(f"/disputes/{dispute_id}/comments", headers=live.headers("creche"),
                      json={"comment": "voir le mail du 4 janvier"}))
    forbidden = http.post(f"/disputes/{dispute_id}/resolve", headers=live.headers("creche"),
                          json={"outcome": "accepted", "reason": "moi-même", "credit_cents": 100})
    assert forbidden.status_code == 403 and forbidden.headers["content-type"] == "application/problem+json"
    resolved = created(http.post(f"/disputes/{dispute_id}/resolve", headers=coordinator, json={
        "outcome": "accepted", "reason": "réunion annulée", "credit_cents": 2_500}))
    position = resolved["position"]

    listed = ok(http.get("/disputes", params={"after": position, "partner_id": "creche-a"},
                         headers=live.headers("creche")))
    assert [(d["dispute_id"], d["status"]) for d in listed] == [(dispute_id, "accepted")]

    february = ok(http.get("/partners/creche-a/statements/2026-02", params={"after": position},
                           headers=live.headers("creche")))
    credits = [line for line in february["lines"] if line["line_kind"] == "credit"]
    assert [(c["resource_id"], c["amount_cents"], c["dispute_id"]) for c in credits] == [
        ("salle-vercors", -2_500, dispute_id)]
    assert february["total_cents"] == sum(line["amount_cents"] for line in february["lines"])

    trace = ok(http.get("/partners/creche-a/statements/2026-01/lines/salle-vercors/trace",
                        params={"after": position}, headers=live.headers("creche")))
    disputed = [e for e in trace["events"] if e["source"] == "dispute"]
    assert [e["event_type"] for e in disputed] == [
        "DisputeOpened", "DisputeCommented", "DisputeResolved", "CreditGranted"]
    assert [e["actor"] for e in disputed] == [
        "partner:creche-a/creche", "partner:creche-a/creche", "coordinator/coord", "coordinator/coord"]
    assert disputed[0]["position"] == opened["position"] and disputed[-1]["position"] <= position
    # The closed January statement is served as issued: the credit did not change it.
    assert ok(http.get("/partners/creche-a/statements/2026-01", headers=live.headers("creche")))["lines"] == [
        {**line, "dispute_status": "accepted"} for line in january["lines"]]


# documentation ----------------------------------------------------------------------------


def test_the_docs_page_renders_swagger_ui(live: Live, http: httpx.Client) -> None:
    """From the app's own assets, never a CDN (tests/browser/test_docs.py renders it)."""
    response = http.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "swagger" in response.text.lower() and "/openapi.json" in response.text
    assert "http" not in response.text.replace("/openapi.json", "")  # every asset is on this server
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        assert asset in response.text
        served = http.get(asset)
        assert served.status_code == 200 and len(served.content) > 100_000


def test_the_openapi_document_declares_the_bearer_scheme_where_a_token_is_needed(live: Live,
                                                                                 http: httpx.Client) -> None:
    """Swagger UI's Authorize button sends it: every operation but GET /ready asks for it."""
    document = http.get("/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    security = {(method.upper(), path): operation.get("security")
                for path, operations in document["paths"].items() for method, operation in operations.items()}
    assert security.pop(("GET", "/ready")) is None
    assert set(map(str, security.values())) == {str([{"bearer": []}])}


def _router_modules() -> list[ModuleType]:
    """Every module of api/routers/ that defines a `router`."""
    modules = [importlib.import_module(f"api.routers.{info.name}") for info in pkgutil.iter_modules(routers.__path__)]
    return [module for module in modules if hasattr(module, "router")]


def _resolve(document: dict, node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _has_example(document: dict, node: Any, depth: int = 0) -> bool:
    """An example on the schema (beside its $ref, or on what it refers to), or (for arrays,
    unions, allOf) on what it is made of."""
    if not isinstance(node, dict) or depth > 8:
        return False
    if node.get("example") is not None or node.get("examples"):
        return True
    node = _resolve(document, node)
    if not isinstance(node, dict):
        return False
    if node.get("example") is not None or node.get("examples"):
        return True
    if node.get("type") == "array" and "items" in node:
        return _has_example(document, node["items"], depth + 1)
    return any(_has_example(document, sub, depth + 1)
               for key in ("anyOf", "oneOf", "allOf") for sub in node.get(key, []))


def _media_has_example(document: dict, media: dict) -> bool:
    return bool(media.get("example") is not None or media.get("examples")
                or _has_example(document, media.get("schema")))


def test_the_openapi_document_lists_every_route_with_examples(live: Live, http: httpx.Client) -> None:
    """Every route of the application is in /openapi.json; every operation has a request
    example (its JSON body's, or else its parameters'), an example for each path parameter,
    and an example of each JSON body it answers with on success."""
    document = ok(http.get("/openapi.json"))
    documented = {(method.upper(), path) for path, item in document["paths"].items()
                  for method in item if method in HTTP_METHODS}
    # The routes of every router module, and any the application declares itself.
    routes = {(method, route.path) for module in _router_modules() for route in module.router.routes
              if isinstance(route, APIRoute) and route.include_in_schema for method in route.methods}
    routes |= {(method, route.path) for route in create_app(live.settings).routes
               if isinstance(route, APIRoute) and route.include_in_schema for method in route.methods}
    assert routes and routes <= documented, sorted(routes - documented)

    missing: list[str] = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            name = f"{method.upper()} {path}"
            parameters = [_resolve(document, p) for p in operation.get("parameters", [])]

            def parameter_has_example(p: dict) -> bool:
                return bool(p.get("example") is not None or p.get("examples") or _has_example(document, p.get("schema")))

            for p in parameters:
                if p["in"] == "path" and not parameter_has_example(p):
                    missing.append(f"{name}: path parameter {p['name']}")
            body = _resolve(document, operation.get("requestBody"))
            if body:
                for media_type, media in body["content"].items():
                    if "json" in media_type and not _media_has_example(document, media):
                        missing.append(f"{name}: request body {media_type}")
            elif parameters and not any(parameter_has_example(p) for p in parameters):
                missing.append(f"{name}: no parameter has an example")
            successes = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
            if not successes:
                missing.append(f"{name}: no success response")
            for code, response in successes.items():
                for media_type, media in _resolve(document, response).get("content", {}).items():
                    if "json" in media_type and not _media_has_example(document, media):
                        missing.append(f"{name}: response {code} {media_type}")
    assert not missing, "\n".join(missing)
