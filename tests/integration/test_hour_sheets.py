"""Hour sheets over HTTP on real stores: submitted by the coordinator, countersigned or contested
by their member only, corrected and submitted again, read as they stood; every refusal
stores nothing (events counted before and after)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pytest

from tests.api_fixtures import Api, start

SHEET = "anne:creche-a:2026-04"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    api = start(tmp_path)
    for day, partner, hours in (("2026-04-01", "creche-a", "7.5"), ("2026-04-02", "creche-a", "7.5"),
                                ("2026-04-03", "club-b", "4"), ("2026-05-04", "creche-a", "3")):
        response = api.client.post("/staff-hours", json={"employee_id": "anne", "partner_id": partner,
                                                         "work_date": day, "hours": hours},
                                   headers=api.headers("coordinator"))
        assert response.status_code == 201, response.text
    yield api
    api.client.__exit__(None, None, None)


def events(api: Api) -> int:
    """How many events the store holds (the log, not the projections)."""
    return api.client.app.state.services.ledger.recorder.max_notification_id() or 0


def sheets(api: Api, who: str = "coordinator", **params) -> dict[str, dict]:
    """The month's sheets by id (read once the projections hold the whole log, unless as of a position)."""
    if "as_of" not in params:
        params.setdefault("after", events(api))
    response = api.client.get("/hour-sheets", params={"month": "2026-04", **params}, headers=api.headers(who))
    assert response.status_code == 200, response.text
    return {row["sheet_id"]: row for row in response.json()}


def post(api: Api, who: str, path: str, body: dict | None = None, **params):
    return api.client.post(f"/hour-sheets{path}", json=body or {}, params=params, headers=api.headers(who))


def submitted(api: Api, sheet_id: str = SHEET) -> dict:
    response = post(api, "coordinator", f"/{sheet_id}/submit")
    assert response.status_code == 201, response.text
    return sheets(api, after=response.json()["position"])[sheet_id]


def test_every_employee_and_member_with_hours_has_a_sheet_to_submit(api: Api) -> None:
    """April: Anne for the crèche (15 h) and for the club (4 h), none submitted; May is another month."""
    rows = sheets(api)
    assert sorted(rows) == ["anne:club-b:2026-04", SHEET]
    assert [(r["hours"], r["status"], r["stale"]) for r in rows.values()] == [
        ("4.000", "not_submitted", False), ("15.000", "not_submitted", False)]


def test_the_coordinator_submits_and_the_member_countersigns_what_was_submitted(api: Api) -> None:
    """Submitted with its digest; the crèche signs it with that digest: countersigned, by its name."""
    row = submitted(api)
    assert (row["status"], row["version"], row["submitted_hours"], row["stale"]) == ("submitted", 1, "15.000", False)
    detail = api.client.get(f"/hour-sheets/{SHEET}", headers=api.headers("creche")).json()
    assert [(e["happened_on"], e["hours"]) for e in detail["entries"]] == [("2026-04-01", "7.500"),
                                                                        ("2026-04-02", "7.500")]
    signed = post(api, "creche", f"/{SHEET}/countersign",
                  {"signed_by": "Marie Dupont", "entries_sha256": detail["entries_sha256"]})
    assert signed.status_code == 201, signed.text
    row = sheets(api, after=signed.json()["position"])[SHEET]
    assert (row["status"], row["signed_by"], row["signed_position"]) == (
        "countersigned", "Marie Dupont", signed.json()["position"])


def test_countersigning_with_a_stale_digest_is_refused_and_stores_nothing(api: Api) -> None:
    """The crèche opened version 1; the hours were corrected and version 2 submitted: 409 naming
    the digest, the same number of events before and after."""
    first = submitted(api)
    correction = api.client.post("/entries/anne:2026-W14:1/corrections", json={"quantity": "7", "reason": "oubli"},
                                 headers=api.headers("coordinator"))
    assert correction.status_code == 201
    assert sheets(api, after=correction.json()["position"])[SHEET]["stale"] is True
    second = submitted(api)
    assert (second["version"], second["submitted_hours"]) == (2, "14.500")
    before = events(api)
    refused = post(api, "creche", f"/{SHEET}/countersign",
                   {"signed_by": "Marie Dupont", "entries_sha256": first["submitted_sha256"]})
    assert refused.status_code == 409
    assert refused.json()["field"] == "entries_sha256" and "changed since you opened it" in refused.json()["detail"]
    assert events(api) == before


def test_a_contested_sheet_is_corrected_and_submitted_again_then_signed(api: Api) -> None:
    """Contested with a reason; the missing hours logged; submitted again (version 2), signed."""
    submitted(api)
    contested = post(api, "creche", f"/{SHEET}/contest", {"reason": "le 3 avril manque"})
    assert contested.status_code == 201, contested.text
    row = sheets(api, after=contested.json()["position"])[SHEET]
    assert (row["status"], row["contest_reason"]) == ("contested", "le 3 avril manque")
    logged = api.client.post("/staff-hours", json={"employee_id": "anne", "partner_id": "creche-a",
                                                   "work_date": "2026-04-03", "hours": "3"},
                             headers=api.headers("coordinator"))
    assert logged.status_code == 201
    again = submitted(api)
    assert (again["status"], again["version"], again["submitted_hours"], again["contest_reason"]) == (
        "submitted", 2, "18.000", None)
    signed = post(api, "creche", f"/{SHEET}/countersign",
                  {"signed_by": "Marie Dupont", "entries_sha256": again["submitted_sha256"]})
    assert signed.status_code == 201, signed.text


def test_resubmitting_a_signed_sheet_whose_hours_changed_voids_the_signature(api: Api) -> None:
    """Signed, then an entry voided: submitted again, unsigned, and the event names the voided signature."""
    row = submitted(api)
    post(api, "creche", f"/{SHEET}/countersign", {"signed_by": "Marie Dupont", "entries_sha256": row["submitted_sha256"]})
    api.client.post("/entries/anne:2026-W14:2/void", json={"reason": "doublon"}, headers=api.headers("coordinator"))
    response = post(api, "coordinator", "/months/2026-04/submit")
    assert response.status_code == 201, response.text
    # The club's sheet (never submitted) and the crèche's (changed since signed), in one batch.
    assert len(response.json()["events"]) == 2
    row = sheets(api, after=response.json()["position"])[SHEET]
    assert (row["status"], row["version"], row["signed_by"], row["submitted_hours"]) == ("submitted", 2, None, "7.500")
    conn = api.client.app.state.services.follower.cursor()
    try:
        voided = conn.execute("SELECT payload->>'voids_signature_of' FROM events WHERE position = ?",
                              [row["submitted_position"]]).fetchall()
    finally:
        conn.close()
    assert voided == [("Marie Dupont",)]


def test_nothing_to_submit_and_the_same_hours_again_are_refused_and_store_nothing(api: Api) -> None:
    """A month, member and employee without hours has no sheet (404); the same hours twice: 409; submitting
    the month when nothing awaits: 409. No event in between."""
    submitted(api)
    submitted(api, "anne:club-b:2026-04")
    before = events(api)
    assert post(api, "coordinator", "/anne:mda:2026-04/submit").status_code == 404
    again = post(api, "coordinator", f"/{SHEET}/submit")
    assert again.status_code == 409 and "already submitted with these hours" in again.json()["detail"]
    assert post(api, "coordinator", "/months/2026-04/submit").status_code == 409
    assert post(api, "creche", f"/{SHEET}/contest", {"reason": ""}).status_code == 422
    assert events(api) == before


def test_a_member_cannot_sign_contest_submit_or_read_another_members_sheet(api: Api) -> None:
    """The club's token on the crèche's sheet: 403 everywhere, nothing stored; its list holds its own sheet only."""
    row = submitted(api)
    before = events(api)
    body = {"signed_by": "Intrus", "entries_sha256": row["submitted_sha256"]}
    assert post(api, "club", f"/{SHEET}/countersign", body).status_code == 403
    assert post(api, "club", f"/{SHEET}/contest", {"reason": "non"}).status_code == 403
    assert post(api, "creche", f"/{SHEET}/submit").status_code == 403
    assert post(api, "coordinator", f"/{SHEET}/countersign", body).status_code == 403
    assert api.client.get(f"/hour-sheets/{SHEET}", headers=api.headers("club")).status_code == 403
    assert events(api) == before
    assert sorted(sheets(api, "club")) == ["anne:club-b:2026-04"]


def test_a_sheet_reads_as_it_stood_at_a_past_position(api: Api) -> None:
    """As of the submission: submitted, not stale; as of the signature: signed; after a correction,
    now stale, but as of the signature still not."""
    row = submitted(api)
    at_submission = row["submitted_position"]
    signed = post(api, "creche", f"/{SHEET}/countersign",
                  {"signed_by": "Marie Dupont", "entries_sha256": row["submitted_sha256"]}).json()["position"]
    corrected = api.client.post("/entries/anne:2026-W14:1/corrections", json={"quantity": "6", "reason": "erreur"},
                                headers=api.headers("coordinator")).json()["position"]
    now = sheets(api, after=corrected)[SHEET]
    assert (now["status"], now["stale"], now["hours"]) == ("countersigned", True, "13.500")
    then = sheets(api, as_of=str(signed))[SHEET]
    assert (then["status"], then["stale"], then["hours"]) == ("countersigned", False, "15.000")
    assert sheets(api, as_of=str(at_submission))[SHEET]["status"] == "submitted"
    assert sheets(api, as_of=str(at_submission - 1))[SHEET]["status"] == "not_submitted"
    detail = api.client.get(f"/hour-sheets/{SHEET}", params={"as_of": str(signed)}, headers=api.headers("auditor"))
    assert detail.json()["signed_by"] == "Marie Dupont"
    assert Decimal(detail.json()["hours"]) == Decimal("15")
