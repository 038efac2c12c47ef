"""The auditor's pages on the demo pool (real stores): the timeline and its filters against
GET /audit, a closed month as issued and as now against GET /periods/{month}/issued-vs-now,
the anchor against GET /audit/anchor, the verification, and who may open them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.french import euros
from application.tokens import issue_token, token_keys
from bootstrap import bootstrap
from settings import Settings
from tests.html_tables import table, text_of
from tests.page_fixtures import DEMO_PEOPLE, csrf_of, demo_client, demo_store, sign_in

PARTNER = "france-services"
CLOSED = "2026-01"


@dataclass
class Site:
    client: TestClient
    settings: Settings
    token: str

    def api(self, path: str, **params: object) -> dict | list:
        response = self.client.get(path, params={k: v for k, v in params.items() if v is not None},
                                   headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code == 200, response.text
        return response.json()

    def audit(self, **filters: object) -> list[dict]:
        """Every event of GET /audit with these filters, paging through."""
        events, after = [], 0
        while True:
            page = self.api("/audit", after_position=after, limit=1000, **filters)
            events += page["events"]
            if page["next_after_position"] is None:
                return events
            after = page["next_after_position"]

    def caught_up(self) -> None:
        services = self.client.app.state.services
        assert services.follower.wait_for(services.ledger.recorder.max_notification_id() or 0, 10)

    def as_person(self, role: str) -> None:
        self.client.cookies.clear()
        # Signed in: redirected to the role's home (the partners' may be built elsewhere).
        assert sign_in(self.client, DEMO_PEOPLE[role][0]).history[0].status_code == 303
        self.caught_up()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    settings = demo_store(Path(tmp_path_factory.mktemp("audit-pages")))
    with bootstrap(settings) as ledger:
        token = issue_token(ledger, "auditor", label="pages d'audit", keys=token_keys(settings))
    with demo_client(settings) as client:
        site = Site(client, settings, token)
        site.as_person("auditor")
        yield site


def timeline(site: Site, **params: object) -> tuple[int, list[list[str]], str]:
    """The count the timeline announces, its rows, its HTML."""
    response = site.client.get("/controle", params=params)
    assert response.status_code == 200, text_of(response.text)[:2000]
    found = re.search(r"(\d[\d ]*) événements? (correspond|dans)", text_of(response.text))
    assert found, "the timeline announces no count"
    return int(found.group(1).replace(" ", "")), table(response.text, "Événements").rows, response.text


def all_positions(site: Site, **params: object) -> list[int]:
    """The positions of every page of the timeline, following its 'older' link."""
    positions, query = [], dict(params)
    while True:
        _, rows, html = timeline(site, **query)
        positions += [int(row[0]) for row in rows if row[0].isdigit()]
        older = re.search(r'href="/controle\?([^"]*avant=(\d+)[^"]*)"', html)
        if not older:
            return positions
        query = dict(params, avant=older.group(2))


def concerns(event: dict, partner_id: str, entries: set[str]) -> bool:
    """The payload's own definition of a partner's event: naming it, or acting on one of its
    entries or disputes."""
    payload = event["payload"]
    return (payload.get("partner_id") == partner_id
            or payload.get("dispute_id", "").split(":")[0] == partner_id
            or payload.get("entry_id") in entries)


def test_the_timeline_filtered_by_a_partner_shows_only_its_events_as_many_as_the_api(site: Site):
    """?partenaire= lists exactly GET /audit?partner_id='s events, newest first, each one its own."""
    site.caught_up()
    count, rows, _ = timeline(site, partenaire=PARTNER)
    api = site.audit(partner_id=PARTNER)
    assert count == len(api) > 40  # more than a page
    assert [int(row[0]) for row in rows] == [e["position"] for e in reversed(api)][:40]
    assert all_positions(site, partenaire=PARTNER) == [e["position"] for e in reversed(api)]
    # Each is the partner's by its payload, and no other event of the log is.
    everything = [e for e in site.audit() if e["event_type"] not in ("PersonInvited", "TokenIssued")]
    entries = {e["payload"]["entry_id"] for e in everything
               if e["payload"].get("partner_id") == PARTNER and "entry_id" in e["payload"]}
    assert [e["position"] for e in everything if concerns(e, PARTNER, entries)] == [e["position"] for e in api]
    assert any(row[2] == "Avoir accordé" and "25,00 €" in row[3] for row in rows)


@pytest.mark.parametrize("page_filter, api_filter", [
    ({"ressource": "salle-vercors"}, {"resource_id": "salle-vercors"}),
    ({"type": "EntryCorrected"}, {"event_type": "EntryCorrected"}),
    ({"auteur": "coordinator@haut-val"}, {"actor": "coordinator@haut-val"}),
    ({"ressource": "salle-vercors", "partenaire": PARTNER}, {"resource_id": "salle-vercors", "partner_id": PARTNER}),
    ({"type": "SlotBooked", "auteur": "partner:maison-des-associations"},
     {"event_type": "SlotBooked", "actor": "partner:maison-des-associations"}),
])
def test_each_filter_of_the_timeline_counts_what_the_api_counts(site: Site, page_filter: dict, api_filter: dict):
    """Type, resource, author, and together: the same events as GET /audit with the same filter."""
    site.caught_up()
    count, rows, _ = timeline(site, **page_filter)
    api = site.audit(**api_filter)
    assert count == len(api) > 0
    assert [int(row[0]) for row in rows] == [e["position"] for e in reversed(api)][:40]


def test_the_period_filter_is_the_recording_time_in_paris(site: Site):
    """A month of recording (the demo was recorded today) and the same days: the same events as
    GET /audit?since&until at Paris midnight; a month without events shows none."""
    site.caught_up()
    first = site.api("/audit", limit=1)["events"][0]["recorded_at"]
    from datetime import datetime, timedelta
    from domain.periods import LOCAL_TZ
    day = datetime.fromisoformat(first).astimezone(LOCAL_TZ).date()
    month = f"{day.year:04d}-{day.month:02d}"
    since = datetime(day.year, day.month, 1, tzinfo=LOCAL_TZ)
    until = (since + timedelta(days=32)).replace(day=1)
    api = site.audit(event_type="CostRecorded", since=since.isoformat(), until=until.isoformat())
    assert timeline(site, type="CostRecorded", mois=month)[0] == len(api) > 0
    assert timeline(site, type="CostRecorded", du=day.isoformat(), au=day.isoformat())[0] == len(
        site.audit(event_type="CostRecorded", since=datetime.combine(day, datetime.min.time(), LOCAL_TZ).isoformat(),
                   until=datetime.combine(day + timedelta(days=1), datetime.min.time(), LOCAL_TZ).isoformat()))
    assert timeline(site, mois="2001-01")[0] == 0


def test_the_timeline_says_who_recorded_what_in_french_local_time(site: Site):
    """Each row: its position, a French day and time, the event in words, who — and the
    people's events read 'Invitation', 'Connexion', never a digest or a MAC."""
    site.caught_up()
    _, rows, html = timeline(site, type="SessionOpened")
    assert rows and all(row[2] == "Connexion" for row in rows)
    assert any(row[3] == f"{DEMO_PEOPLE['auditor'][2]} se connecte." for row in rows)
    assert all(re.fullmatch(r"(1er|\d{1,2}) \w+ \d{4} à \d{1,2} h \d{2}", row[1]) for row in rows)
    _, invitations, invited_html = timeline(site, type="PersonInvited")
    assert any(row[2] == "Invitation" and DEMO_PEOPLE["partner"][0] in row[3] for row in invitations)
    secrets = {value for kind in ("SessionOpened", "PersonInvited", "InvitationAccepted")
               for event in site.audit(event_type=kind) for key, value in event["payload"].items()
               if key in ("session_sha256", "invitation_sha256", "mac", "password_hash")}
    assert secrets
    for page_html in (html, invited_html, timeline(site, type="InvitationAccepted")[2]):
        assert not any(secret in page_html for secret in secrets)


def test_a_refused_filter_names_its_field_in_french(site: Site):
    """A month that is not one, dates the wrong way round, an unknown partner: 422, the label named."""
    for params, label, field in (({"mois": "2026-13"}, "« Mois d'enregistrement »", "mois"),
                                 ({"du": "2026-03-05", "au": "2026-03-01"}, "« au »", "au"),
                                 ({"partenaire": "personne"}, "« Partenaire »", "partenaire")):
        response = site.client.get("/controle", params=params)
        assert response.status_code == 422
        assert label in text_of(response.text)
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)


def _diff_rows(html: str) -> list[list[str]]:
    return [row for row in table(html, "Lignes qui ont bougé").rows if row[0] != "Écart total"]


def test_a_closed_month_shows_only_the_lines_that_moved_after_the_close_and_their_events(site: Site):
    """January, closed, then the landlord's late credit note and an accepted dispute's credit:
    exactly the rent lines the note moved (as GET /periods/2026-01/issued-vs-now has them) and
    the 25 € credit, each with its events, and nothing else."""
    site.caught_up()
    response = site.client.get(f"/controle/mois/{CLOSED}")
    assert response.status_code == 200
    rows = _diff_rows(response.text)
    moved = [r for r in site.api(f"/periods/{CLOSED}/issued-vs-now") if r["difference_cents"]]
    assert moved and {r["resource_id"] for r in moved} == {"loyer-batiment"}
    note = [e for e in site.audit(event_type="EntryCorrected") if e["payload"]["entry_id"] == f"loyer-batiment:{CLOSED}:1"]
    assert [r["caused_by"] for r in moved] == [[note[0]["position"]]] * len(moved)
    shares = [row for row in rows if row[2] == "part du coût"]
    assert sorted((row[3], row[4], row[5]) for row in shares) == sorted(
        (euros(r["issued_cents"]).replace("\u202f", " ").replace("\u00a0", " "),
         euros(r["now_cents"]).replace("\u202f", " ").replace("\u00a0", " "),
         euros(r["difference_cents"]).replace("\u202f", " ").replace("\u00a0", " ")) for r in moved)
    assert all(row[1] == "Loyer du bâtiment France Services" and f"n° {note[0]['position']}" in row[7]
               and row[6] == "relevé de février 2026 (ajustement)" for row in shares)
    credits = [row for row in rows if row[2].startswith("avoir sur contestation")]
    dispute = [e["position"] for e in site.audit(partner_id=PARTNER)
               if e["payload"].get("dispute_id") == f"{PARTNER}:{CLOSED}:d1"]
    assert len(credits) == 1 and len(rows) == len(moved) + 1
    assert credits[0][:2] == ["France Services du Haut-Val", "Salle Vercors"]
    assert credits[0][3:7] == ["—", "-25,00 €", "-25,00 €", "relevé de février 2026 (avoir)"]
    assert re.findall(r"n° (\d+)", credits[0][7]) == [str(p) for p in dispute] and len(dispute) == 4
    events = table(response.text, "Événements qui ont fait bouger")
    assert [int(row[0]) for row in events.rows] == sorted([note[0]["position"], *dispute])
    assert "avoir du bailleur" in events.rows[0][3]


def test_a_closed_month_shows_its_seal(site: Site):
    """The statements' digest and the chain hash at the position the month was sealed at, as GET /periods has them."""
    seal = next(p for p in site.api("/periods") if p["month"] == CLOSED)
    text = text_of(site.client.get(f"/controle/mois/{CLOSED}").text)
    assert seal["statements_sha256"] in text and f"{seal['as_of_position']}:{seal['chain_hash']}" in text


def test_the_closed_months_list_counts_what_moved_after_each_close(site: Site):
    """January: 4 lines adjusted, one credit of 25 €, a link to its comparison; an open month is not comparable."""
    response = site.client.get("/controle/mois")
    rows = table(response.text, "Mois clos").rows
    assert rows == [["janvier 2026", rows[0][1], rows[0][2], rows[0][3], "4", "-210,00 €", "1 (25,00 €)"]]
    assert 'href="/controle/mois/2026-01"' in response.text
    open_month = site.client.get("/controle/mois/2026-02")
    assert open_month.status_code == 404 and "n'est pas clos" in text_of(open_month.text)
    assert site.client.get("/controle/mois/mars").status_code == 404


def test_the_anchor_is_the_one_of_get_audit_anchor(site: Site):
    """The page's anchor to note equals GET /audit/anchor's at the same position."""
    site.caught_up()
    html = site.client.get("/controle/ancre").text
    anchor = site.api("/audit/anchor")
    assert f'<code class="hash anchor">{anchor["anchor"]}</code>' in html


def test_verify_now_runs_the_verification_and_shows_its_result(site: Site):
    """'Vérifier maintenant' proves the log up to January's seal and says what it cannot prove;
    given a wrong anchor it reports the rewrite; a malformed anchor is refused in French; the
    form needs its CSRF token."""
    page = site.client.get("/controle/ancre")
    started = site.client.post("/controle/verification", data={"csrf": csrf_of(page.text), "ancre": ""})
    assert started.status_code == 200 and "Vérification lancée" in text_of(started.text)
    report = site.client.app.state.verifications.wait(120)
    assert report.status == "ok", report
    seal = next(p for p in site.api("/periods") if p["month"] == CLOSED)
    text = text_of(site.client.get("/controle/ancre").text)
    assert "Aucune réécriture détectée." in text
    assert f"Prouvé : les positions 1 à {seal['as_of_position']} (sceau de janvier 2026)." in text
    assert "Non prouvé" in text

    wrong = f"{seal['as_of_position']}:{'0' * 64}"
    site.client.post("/controle/verification", data={"csrf": csrf_of(page.text), "ancre": wrong})
    assert site.client.app.state.verifications.wait(120).status == "failed"
    assert "Réécriture détectée à la position" in text_of(site.client.get("/controle/ancre").text)

    malformed = site.client.post("/controle/verification", data={"csrf": csrf_of(page.text), "ancre": "12:abc"})
    assert malformed.status_code == 422 and "« Ancre notée »" in text_of(malformed.text)
    assert re.search(r'id="ancre"[^>]*aria-invalid="true"', malformed.text)
    assert site.client.post("/controle/verification", data={"ancre": ""}).status_code == 403


@pytest.mark.parametrize("role", ["partner", "analyst"])
def test_a_partner_or_an_analyst_gets_403_on_the_auditors_pages(site: Site, role: str):
    """The timeline, the months, a month, the anchor and its verification answer 403 in French."""
    site.as_person(role)
    try:
        for path in ("/controle", "/controle/mois", f"/controle/mois/{CLOSED}", "/controle/ancre"):
            response = site.client.get(path)
            assert response.status_code == 403, path
            assert "Cette page n'est pas accessible avec votre rôle." in text_of(response.text)
        form = csrf_of(site.client.get("/").text) if role == "analyst" else None
        if form:
            assert site.client.post("/controle/verification", data={"csrf": form}).status_code == 403
    finally:
        site.as_person("auditor")


def test_a_visitor_is_sent_to_sign_in(site: Site):
    """Not signed in: the timeline redirects to the sign-in page, coming back afterwards."""
    site.client.cookies.clear()
    try:
        response = site.client.get("/controle?type=SlotBooked", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/connexion?suite=/controle")
    finally:
        site.as_person("auditor")
