"""Statement documents over HTTP: the printable HTML and the CSV (TestClient, real SQLite and DuckDB)."""

from __future__ import annotations

import csv
import html as markup
import io
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pytest

from api.french import decimal_fr, month_fr, percent_fr
from tests.api_fixtures import Api, start

DOCUMENT = "/partners/{partner}/statements/{month}/document"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """January and February: a room cost of 500 € a month, booked 2 h by each of three partners."""
    api = start(tmp_path)
    coordinator = api.headers("coordinator")
    for month in ("2026-01", "2026-02"):
        assert api.client.post("/costs", headers=coordinator, json={
            "resource_id": "salle-vercors", "month": month, "amount_cents": 50_000,
            "category": "loyer", "document_ref": f"FAC-{month}"}).status_code == 201
        for partner, day in (("creche-a", "05"), ("club-b", "06"), ("mda", "07")):
            assert api.client.post("/bookings", headers=coordinator, json={
                "resource_id": "salle-vercors", "partner_id": partner,
                "starts_at": f"{month}-{day}T09:00:00+01:00",
                "ends_at": f"{month}-{day}T11:00:00+01:00"}).status_code == 201
    yield api
    api.client.__exit__(None, None, None)


def _close(api: Api, month: str) -> int:
    closed = api.client.post(f"/periods/{month}/close", headers=api.headers("coordinator"))
    assert closed.status_code == 201, closed.text
    return closed.json()["position"]


def _html(api: Api, partner: str, month: str, who: str, after: int | None = None) -> str:
    response = api.client.get(DOCUMENT.format(partner=partner, month=month), headers=api.headers(who),
                              params={"after": after} if after is not None else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


def _csv_rows(api: Api, partner: str, month: str, who: str, after: int | None = None) -> list[list[str]]:
    response = api.client.get(DOCUMENT.format(partner=partner, month=month) + ".csv", headers=api.headers(who),
                              params={"after": after} if after is not None else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_a_closed_month_s_document_carries_its_seal_and_never_changes(api: Api) -> None:
    """January closed: its document shows its number, the digest and chain hash of GET /periods;
    a late correction of January leaves it byte for byte as issued and shows up in February's
    (provisional) document as an adjustment."""
    closed_at = _close(api, "2026-01")
    before = api.client.get(DOCUMENT.format(partner="creche-a", month="2026-01"), headers=api.headers("creche"),
                            params={"after": closed_at})
    assert before.status_code == 200 and before.headers["content-type"] == "text/html; charset=utf-8"
    html = before.text
    [period] = api.client.get("/periods", headers=api.headers("auditor")).json()
    assert "Relevé de charges mutualisées" in html and "Relevé n° " in html
    assert "Période : janvier 2026" in html and "Crèche Les Marmots" in html
    assert (f"Mois clos — empreinte des relevés (SHA-256) : {period['statements_sha256']} — "
            f"chaîne à la position {period['as_of_position']} : {period['chain_hash']}") in html
    assert "encommun verify" in html and "Provisoire" not in html
    assert "au prorata de l'usage" in markup.unescape(html) and "33,33\u202f%" in html and "2 / 6" in html
    assert "@media print" in html and "size: A4" in html

    fix = api.client.post("/entries/salle-vercors:2026-01:1/corrections", headers=api.headers("coordinator"),
                          json={"amount_cents": 47_000, "reason": "avoir tardif"})
    assert fix.status_code == 201, fix.text
    after = api.client.get(DOCUMENT.format(partner="creche-a", month="2026-01"), headers=api.headers("creche"),
                           params={"after": fix.json()["position"]})
    assert after.content == before.content

    february = _html(api, "creche-a", "2026-02", "creche", after=fix.json()["position"])
    assert "Provisoire — mois non clos" in february and "Mois clos" not in february
    assert "Régularisation de janvier 2026" in february and "-10,00\u00a0€" in february
    json_total = api.client.get("/partners/creche-a/statements/2026-02", headers=api.headers("creche")).json()
    assert json_total["total"] in february


def test_disputed_lines_are_marked_and_a_credit_reaches_the_next_month(api: Api) -> None:
    """creche-a's January room line is marked while disputed, then as accepted, and the credit is
    a line of February's document; club-b's rejected dispute is marked as rejected."""
    _close(api, "2026-01")
    opened = api.client.post("/disputes", headers=api.headers("creche"), json={
        "partner_id": "creche-a", "month": "2026-01", "resource_id": "salle-vercors",
        "reason": "la réunion du 5 a été annulée"})
    assert opened.status_code == 201, opened.text
    dispute_id = opened.json()["events"][0]["dispute_id"]
    january = _html(api, "creche-a", "2026-01", "creche", after=opened.json()["position"])
    assert "contestée" in january and "la réunion du 5 a été annulée" in january

    resolved = api.client.post(f"/disputes/{dispute_id}/resolve", headers=api.headers("coordinator"), json={
        "outcome": "accepted", "reason": "réunion annulée", "credit_cents": 1_000})
    assert resolved.status_code == 201, resolved.text
    january = _html(api, "creche-a", "2026-01", "creche", after=resolved.json()["position"])
    assert "contestation acceptée" in january
    february = _html(api, "creche-a", "2026-02", "creche", after=resolved.json()["position"])
    assert f"Avoir (contestation {dispute_id})" in february and "-10,00\u00a0€" in february
    rows = _csv_rows(api, "creche-a", "2026-02", "creche")
    assert [(r[0], r[9], r[12]) for r in rows if r[0] == "avoir"] == [("avoir", "-1000", dispute_id)]

    club = api.client.post("/disputes", headers=api.headers("club"), json={
        "partner_id": "club-b", "month": "2026-01", "resource_id": "salle-vercors", "reason": "trop cher"})
    rejected = api.client.post(f"/disputes/{club.json()['events'][0]['dispute_id']}/resolve",
                               headers=api.headers("coordinator"),
                               json={"outcome": "rejected", "reason": "réservation confirmée"})
    assert rejected.status_code == 201, rejected.text
    club_january = _html(api, "club-b", "2026-01", "club", after=rejected.json()["position"])
    assert "contestation rejetée" in club_january and "réservation confirmée" in club_january
    assert "contestation acceptée" not in club_january  # creche-a's dispute is not club-b's business


def test_the_csv_adds_up_to_the_json_statement_and_ends_with_the_seal(api: Api) -> None:
    """A closed and an open month: `;`, French header, cents and euros, total = the JSON total."""
    _close(api, "2026-01")
    fix = api.client.post("/entries/salle-vercors:2026-01:1/corrections", headers=api.headers("coordinator"),
                          json={"amount_cents": 47_000, "reason": "avoir tardif"}).json()
    [period] = api.client.get("/periods", headers=api.headers("auditor"), params={"after": fix["position"]}).json()
    for month in ("2026-01", "2026-02"):
        rows = _csv_rows(api, "mda", month, "auditor", after=fix["position"])
        statement = api.client.get(f"/partners/mda/statements/{month}", headers=api.headers("auditor")).json()
        header = rows[0]
        assert header[:5] == ["type", "mois", "partenaire", "ressource", "libellé"]
        assert "montant (centimes)" in header and "version de clé" in header and "ratio" in header
        cents = header.index("montant (centimes)")
        lines = [r for r in rows[1:] if r[0] in ("charge", "régularisation", "avoir")]
        [total] = [r for r in rows if r[0] == "total"]
        assert int(total[cents]) == statement["total_cents"] == sum(int(r[cents]) for r in lines)
        assert total[cents + 1] == statement["total"]
        assert len(lines) == len(statement["lines"])
        if month == "2026-01":
            assert rows[-3:] == [["relevé n°", str(statement["number"])],
                                 ["empreinte des relevés (SHA-256)", period["statements_sha256"]],
                                 [f"chaîne à la position {period['as_of_position']}", period["chain_hash"]]]
            [share] = lines
            assert share[5:9] == ["1", "2", "6", "0,3333333333"] and share[cents] == "16666"
        else:
            assert rows[-1] == ["provisoire", "mois non clos"]
            assert [(r[4], r[11]) for r in lines if r[0] == "régularisation"] == [
                ("Régularisation de janvier 2026", "2026-01")]


def test_who_may_read_a_document(api: Api) -> None:
    """The partner itself, the coordinator and auditors; 403 for another partner or an analyst,
    404 for an unknown partner, 422 for a malformed month."""
    for suffix in ("", ".csv"):
        url = DOCUMENT.format(partner="creche-a", month="2026-01") + suffix
        assert api.client.get(url, headers=api.headers("club")).status_code == 403
        assert api.client.get(url, headers=api.headers("analyst")).status_code == 403
        assert api.client.get(url).status_code == 401
        for who in ("creche", "coordinator", "auditor"):
            assert api.client.get(url, headers=api.headers(who)).status_code == 200
        assert api.client.get(DOCUMENT.format(partner="nobody", month="2026-01") + suffix,
                              headers=api.headers("auditor")).status_code == 404
        assert api.client.get(DOCUMENT.format(partner="creche-a", month="2026-13") + suffix,
                              headers=api.headers("auditor")).status_code == 422


def test_the_document_escapes_what_users_typed(api: Api) -> None:
    """Names are escaped (autoescape): a partner's name cannot inject markup into the page."""
    joined = api.client.post("/partners", headers=api.headers("coordinator"), json={
        "partner_id": "atelier", "name": "Atelier <script>alert(1)</script> & Cie", "joined_on": "2026-01-01"})
    assert joined.status_code == 201, joined.text
    html = _html(api, "atelier", "2026-01", "coordinator", after=joined.json()["position"])
    assert "<script>" not in html and "Atelier &lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in html
    assert "Aucune charge pour ce mois." in html

    closed_at = _close(api, "2026-01")  # no line, hence no number: the document says so rather than "None"
    closed = _html(api, "atelier", "2026-01", "coordinator", after=closed_at)
    assert "Relevé sans numéro" in closed and "None" not in closed and "Mois clos" in closed


def test_the_routes_are_documented_in_openapi(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    html = paths["/partners/{partner_id}/statements/{month}/document"]["get"]
    assert html["summary"] and "text/html" in html["responses"]["200"]["content"]
    csv_route = paths["/partners/{partner_id}/statements/{month}/document.csv"]["get"]
    assert csv_route["summary"] and "text/csv" in csv_route["responses"]["200"]["content"]


def test_french_formatting_does_not_depend_on_the_locale() -> None:
    assert [month_fr(f"2026-{m:02d}") for m in range(1, 13)] == [
        "janvier 2026", "février 2026", "mars 2026", "avril 2026", "mai 2026", "juin 2026", "juillet 2026",
        "août 2026", "septembre 2026", "octobre 2026", "novembre 2026", "décembre 2026"]
    assert decimal_fr(Decimal("245.500000")) == "245,5"
    assert decimal_fr(Decimal("1234.000000")) == "1\u202f234"
    assert decimal_fr(Decimal("211.693548"), max_places=3) == "211,694"
    assert decimal_fr(Decimal("1234.5"), group=False) == "1234,5"
    assert percent_fr(Decimal("0.4352331606")) == "43,52\u202f%"
