"""Closing, disputes and issued-versus-now over HTTP (TestClient, real SQLite and DuckDB)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.api_fixtures import Api, start


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    api = start(tmp_path)
    coordinator = api.headers("coordinator")
    for month in ("2026-01", "2026-02"):
        api.client.post("/costs", headers=coordinator, json={
            "resource_id": "salle-vercors", "month": month, "amount_cents": 50_000,
            "category": "loyer", "document_ref": f"FAC-{month}"})
        for partner, day in (("creche-a", "05"), ("club-b", "06"), ("mda", "07")):
            api.client.post("/bookings", headers=coordinator, json={
                "resource_id": "salle-vercors", "partner_id": partner,
                "starts_at": f"{month}-{day}T09:00:00+01:00", "ends_at": f"{month}-{day}T11:00:00+01:00"})
    yield api
    api.client.__exit__(None, None, None)


def test_a_dispute_accepted_with_a_credit_reaches_the_next_statement_and_the_trace(api: Api) -> None:
    """Close January; creche-a disputes its room line; the coordinator grants 10 €: the credit
    is on creche-a's February statement, and the January line's trace shows the whole exchange."""
    closed = api.client.post("/periods/2026-01/close", headers=api.headers("coordinator"))
    assert closed.status_code == 201, closed.text
    opened = api.client.post("/disputes", headers=api.headers("creche"), json={
        "partner_id": "creche-a", "month": "2026-01", "resource_id": "salle-vercors",
        "reason": "la réunion du 5 a été annulée"})
    assert opened.status_code == 201, opened.text
    dispute_id = opened.json()["events"][0]["dispute_id"]
    assert dispute_id == "creche-a:2026-01:d1"
    assert api.client.post(f"/disputes/{dispute_id}/comments", headers=api.headers("creche"),
                           json={"comment": "voir le mail du 4"}).status_code == 201
    assert api.client.post(f"/disputes/{dispute_id}/resolve", headers=api.headers("creche"),
                           json={"outcome": "accepted", "reason": "x"}).status_code == 403
    resolved = api.client.post(f"/disputes/{dispute_id}/resolve", headers=api.headers("coordinator"), json={
        "outcome": "accepted", "reason": "réunion annulée", "credit_cents": 1_000})
    assert resolved.status_code == 201
    after = resolved.json()["position"]

    statement = api.client.get("/partners/creche-a/statements/2026-02", headers=api.headers("creche"),
                               params={"after": after}).json()
    credits = [line for line in statement["lines"] if line["line_kind"] == "credit"]
    assert [c["amount_cents"] for c in credits] == [-1_000]

    trace = api.client.get("/partners/creche-a/statements/2026-01/lines/salle-vercors/trace",
                           headers=api.headers("creche"), params={"after": after}).json()
    types = [e["event_type"] for e in trace["events"] if e["source"] == "dispute"]
    assert types == ["DisputeOpened", "DisputeCommented", "DisputeResolved", "CreditGranted"]


def test_a_partner_cannot_dispute_another_partner_s_line(api: Api) -> None:
    """club-b's token cannot open a dispute for creche-a."""
    response = api.client.post("/disputes", headers=api.headers("club"), json={
        "partner_id": "creche-a", "month": "2026-01", "resource_id": "salle-vercors", "reason": "x"})
    assert response.status_code == 403


def test_a_dispute_on_a_line_that_does_not_exist_is_a_404(api: Api) -> None:
    """No copier line for creche-a in January."""
    response = api.client.post("/disputes", headers=api.headers("creche"), json={
        "partner_id": "creche-a", "month": "2026-01", "resource_id": "copieur", "reason": "x"})
    assert response.status_code == 404


def test_issued_versus_now_after_a_late_correction(api: Api) -> None:
    """January closed, then its cost corrected: the difference, its cause, and a CSV of both."""
    api.client.post("/periods/2026-01/close", headers=api.headers("coordinator"))
    fix = api.client.post("/entries/salle-vercors:2026-01:1/corrections", headers=api.headers("coordinator"),
                          json={"amount_cents": 47_000, "reason": "avoir"}).json()
    rows = api.client.get("/periods/2026-01/issued-vs-now", headers=api.headers("auditor"),
                          params={"after": fix["position"]}).json()
    changed = [r for r in rows if r["difference_cents"]]
    assert sum(r["difference_cents"] for r in changed) == -3_000
    assert all(r["caused_by"] == [fix["position"]] for r in changed)
    mine = api.client.get("/periods/2026-01/issued-vs-now", headers=api.headers("creche")).json()
    assert {r["partner_id"] for r in mine} == {"creche-a"}
    csv = api.client.get("/periods/2026-01/issued-vs-now", headers={**api.headers("auditor"), "Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv") and "issued_cents" in csv.text.splitlines()[0]
    assert api.client.get("/periods/2026-02/issued-vs-now", headers=api.headers("auditor")).status_code == 404


def test_only_the_coordinator_closes_a_month(api: Api) -> None:
    """Partners and auditors get 403; closing twice is a 409."""
    assert api.client.post("/periods/2026-01/close", headers=api.headers("auditor")).status_code == 403
    assert api.client.post("/periods/2026-01/close", headers=api.headers("coordinator")).status_code == 201
    again = api.client.post("/periods/2026-01/close", headers=api.headers("coordinator"))
    assert again.status_code == 409 and "already closed" in again.json()["detail"]
    listed = api.client.get("/periods", headers=api.headers("auditor")).json()
    assert [p["month"] for p in listed] == ["2026-01"]
