"""Employees' own accounts, on real stores: the coordinator invites an employee (« Salarié »,
the staff resource chosen; an unknown or non-staff resource refused in French, nothing
stored), the employee accepts, signs in, reads « Mes feuilles d'heures » (its sheets per
member from the recorded time, each with its lines), submits one to the member, who
countersigns it; a contested sheet is submitted again. Another employee's sheet is refused
(403 page, nothing stored), and every other page and every API read is refused to an
employee's session."""

from __future__ import annotations

import html as markup
import re
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.pages import ROUTERS
from application.tokens import issue_token, token_keys
from bootstrap import bootstrap
from domain.commands import LogStaffHours, RegisterResource
from settings import Settings
from tests.history import ACTOR, setup
from tests.html_tables import tables
from tests.page_fixtures import PASSWORD, add_person, csrf_of, sign_in

PEOPLE = {"coordinator": ("coordination@pool.example", "coordinator", None, "Camille Roux"),
          "partner": ("direction@creche.example", "partner", "creche-a", "Marie Dupont"),
          "bruno": ("bruno@pool.example", "employee", "bruno", "Bruno Petit")}
ANNE = "anne@pool.example"
SHEET = "anne:creche-a:2026-04"
URL = "/salarie/feuilles-heures"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict]:
    settings = Settings(sqlite_path=tmp_path / "s.sqlite", projection_path=tmp_path / "p.duckdb",
                        snapshot_dir=tmp_path / "snapshots", snapshot_every_s=0)
    keys = token_keys(settings, create=True)
    with bootstrap(settings) as ledger:
        ledger.execute_batch(setup() + [
            RegisterResource(resource_id="bruno", name="Bruno Petit", kind="staff", unit="hour")] + [
            LogStaffHours(employee_id=employee, partner_id=partner, work_date=day, hours=hours)
            for employee, day, partner, hours in (
                ("anne", "2026-04-01", "creche-a", "7.5"), ("anne", "2026-04-02", "creche-a", "6"),
                ("anne", "2026-04-03", "club-b", "4"), ("bruno", "2026-04-01", "creche-a", "3"))], actor=ACTOR)
        for email, role, bound, name in PEOPLE.values():
            add_person(ledger, keys, email, role, bound if role == "partner" else None, name=name,
                       **({"employee_id": bound} if role == "employee" else {}))
    with TestClient(create_app(settings), base_url="http://pool.example") as app:
        browsers = {}
        for key, (email, *_) in PEOPLE.items():
            browsers[key] = TestClient(app.app, base_url="http://pool.example")
            sign_in(browsers[key], email)
        browsers["anne"] = TestClient(app.app, base_url="http://pool.example")
        yield {"app": app, **browsers}
        for browser in browsers.values():
            browser.close()


def log_end(site: dict) -> int:
    return site["app"].app.state.services.ledger.recorder.max_notification_id() or 0


def invite_anne(site: dict, **fields: str):
    coordinator = site["coordinator"]
    form = coordinator.get("/coordination/personnes")
    return coordinator.post("/coordination/personnes", data={
        "csrf": csrf_of(form.text), "name": "Anne Martin", "email": ANNE, "role": "employee", "partner_id": "",
        "employee_id": "anne", **fields})


def anne_signs_in(site: dict) -> None:
    """Anne is invited as the employee « anne », chooses her password from the link, and is signed in."""
    sent = invite_anne(site)
    link = re.search(r"http://pool\.example(/invitation/[0-9a-f]{32}\.[\w-]+)", sent.text).group(1)
    anne = site["anne"]
    form = anne.get(link)
    accepted = anne.post(link, data={"csrf": csrf_of(form.text), "password": PASSWORD, "password_again": PASSWORD})
    assert accepted.history[0].headers["location"] == URL


def employee_page(site: dict, who: str = "anne") -> str:
    page = site[who].get(URL, params={"mois": "2026-04", "apres": log_end(site)})
    assert page.status_code == 200
    return markup.unescape(page.text)


def submit(site: dict, sheet_id: str = SHEET, who: str = "anne"):
    return site[who].post(URL + "/soumettre", data={"csrf": csrf_of(employee_page(site, who)), "sheet_id": sheet_id})


def test_the_coordinator_invites_an_employee_who_signs_in_to_her_hour_sheets(site: dict) -> None:
    """« Salarié » offered with the staff to choose; the person listed with her employee; her
    home is « Mes feuilles d'heures », her only menu entry."""
    form = markup.unescape(site["coordinator"].get("/coordination/personnes").text)
    assert '<option value="employee">salarié</option>' in form
    assert '<option value="anne">Anne Martin</option>' in form and '<option value="bruno">Bruno Petit</option>' in form
    assert '<option value="salle-vercors">' not in form  # only staff resources are employees
    anne_signs_in(site)
    listed = next(t for t in tables(site["coordinator"].get("/coordination/personnes").text)
                  if t.caption == "Personnes invitées")
    assert ["Anne Martin", ANNE, "salarié", "Anne Martin", "actif"] == next(r for r in listed.rows if r[1] == ANNE)[:5]
    html = employee_page(site)
    assert "<h1>Mes feuilles d'heures</h1>" in html
    assert re.findall(r'<nav[^>]*>.*?</nav>', html, re.S)[0].count("<a ") <= 2  # her page (and the skip link)
    assert 'href="/salarie/feuilles-heures"' in html and 'href="/coordination' not in html
    services = site["app"].app.state.services
    token = issue_token(services.ledger, "coordinator", label="tests", keys=token_keys(services.settings))
    listed = site["app"].get("/people", headers={"Authorization": f"Bearer {token}"}).json()
    assert [(p["role"], p["employee_id"]) for p in listed if p["email"] == ANNE] == [("employee", "anne")]


def test_an_invitation_naming_an_unknown_or_non_staff_resource_is_refused_in_french(site: dict) -> None:
    """No employee, a resource that does not exist, a room: 422 naming « Salarié », nothing stored."""
    before = log_end(site)
    for employee_id, said in (("", "une personne salariée est rattachée à un salarié"),
                              ("personne", "ce salarié n'est pas enregistré"),
                              ("salle-vercors", "cette ressource n'est pas un salarié")):
        refused = invite_anne(site, employee_id=employee_id)
        text = markup.unescape(refused.text)
        assert refused.status_code == 422 and f"« Salarié » : {said}" in text, employee_id
        assert 'id="employee_id" name="employee_id" aria-invalid="true"' in refused.text
    assert log_end(site) == before


def test_the_employee_reads_her_sheets_per_member_with_their_lines_and_nothing_else(site: dict) -> None:
    """Anne's two sheets of April (the club's, the crèche's), each line's date and hours and
    the total; not Bruno's hours, nor any amount in euros."""
    anne_signs_in(site)
    html = employee_page(site)
    crèche = next(t for t in tables(html) if t.caption.startswith("Mes heures pour Crèche Les Marmots"))
    assert crèche.rows == [["1er avril 2026", "—", "7,5 h"], ["2 avril 2026", "—", "6 h"], ["Total", "", "13,5 h"]]
    club = next(t for t in tables(html) if t.caption.startswith("Mes heures pour Club de foot"))
    assert club.rows == [["3 avril 2026", "—", "4 h"], ["Total", "", "4 h"]]
    assert html.count("À soumettre") == 2 and html.count("Soumettre au membre") == 2
    assert "Bruno" not in html and "3 h" not in html and "€" not in html


def test_the_employee_submits_her_sheet_and_the_member_countersigns_it(site: dict) -> None:
    """« Soumettre au membre »: soumise; the crèche's person signs it on « Mes feuilles d'heures »;
    Anne then reads « Signée par Marie Dupont »; the submission names Anne as who recorded it."""
    anne_signs_in(site)
    done = submit(site)
    assert done.status_code == 200 and "Feuille d'heures soumise au membre" in markup.unescape(done.text)
    html = employee_page(site)
    assert html.count("Soumettre au membre") == 1 and "Soumise" in html
    member = markup.unescape(site["partner"].get("/feuilles-heures", params={"mois": "2026-04",
                                                                           "apres": log_end(site)}).text)
    sha = member.split('name="entries_sha256" value="')[1].split('"')[0]
    signed = site["partner"].post("/feuilles-heures/repondre", data={
        "csrf": csrf_of(member), "sheet_id": SHEET, "decision": "signer", "entries_sha256": sha})
    assert signed.status_code == 200 and "Feuille d'heures signée" in markup.unescape(signed.text)
    assert "Signée par Marie Dupont" in employee_page(site)
    recorder = site["app"].app.state.services.ledger.recorder
    submitted = [n for n in recorder.select_notifications(1, 10_000) if n.topic.endswith("HourSheetSubmitted")]
    assert len(submitted) == 1 and b'"employee:anne/anne@pool.example"' in submitted[0].state


def test_a_contested_sheet_shows_the_members_reason_and_is_submitted_again(site: dict) -> None:
    """The member contests with a reason; Anne reads it and « Soumettre à nouveau au membre »: version 2."""
    anne_signs_in(site)
    submit(site)
    member = site["partner"].get("/feuilles-heures", params={"mois": "2026-04", "apres": log_end(site)}).text
    site["partner"].post("/feuilles-heures/repondre", data={
        "csrf": csrf_of(member), "sheet_id": SHEET, "decision": "contester", "contest_reason": "le 2 avril : 5 h"})
    html = employee_page(site)
    assert "Contestée (motif : le 2 avril : 5 h)" in html and "Soumettre à nouveau au membre" in html
    again = submit(site)
    assert again.status_code == 200
    assert "version 2" in employee_page(site)


def test_submitting_another_employees_sheet_is_refused_and_nothing_is_stored(site: dict) -> None:
    """Bruno posting Anne's sheet: a 403 page in French, no event; the same sheet twice: 409 in French."""
    before = log_end(site)
    refused = submit(site, SHEET, who="bruno")
    assert refused.status_code == 403 and "celle d'un autre salarié" in markup.unescape(refused.text)
    assert log_end(site) == before
    assert submit(site, "bruno:creche-a:2026-04", who="bruno").status_code == 200
    twice = submit(site, "bruno:creche-a:2026-04", who="bruno")
    assert twice.status_code == 409 and "déjà soumise avec ces heures" in markup.unescape(twice.text)


def _sample(path: str) -> str:
    """A route's path with a plausible value in each parameter."""
    values = {"month": "2026-04", "resource_id": "anne", "partner_id": "creche-a", "sheet_id": SHEET,
              "dispute_id": "creche-a:2026-04:d1", "reference": "FA-000001", "year": "2026", "number": "1",
              "entry_id": "anne:2026-W14:1", "digest": "0" * 64, "position": "1"}
    return re.sub(r"\{(\w+)(?::path)?\}", lambda m: values.get(m.group(1), "x"), path)


# What an employee's session may open: its page, signing in and out, the invitation pages.
OPEN_TO_EMPLOYEES = {"/", "/connexion", "/deconnexion", "/invitation/{secret}", URL, URL + "/soumettre"}


def test_every_other_page_and_every_api_read_is_refused_to_an_employee(site: dict) -> None:
    """Each coordinator's, member's, auditor's and analyst's page: 403 (a form posted: 403, nothing
    stored); each API route: 401 (a session is no token); Bruno's own page names only Bruno."""
    bruno = site["bruno"]
    csrf = csrf_of(employee_page(site, "bruno"))
    before = log_end(site)
    pages, reads = [], []
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or route.path in OPEN_TO_EMPLOYEES:
                continue
            for method in route.methods:
                answer = bruno.request(method, _sample(route.path), data={"csrf": csrf} if method == "POST" else None,
                                       follow_redirects=False)
                pages.append((method, route.path, answer.status_code))
    for path, operations in site["app"].app.openapi()["paths"].items():
        if "get" in operations and operations["get"].get("security"):
            reads.append((path, bruno.get(_sample(path)).status_code))
    assert len(pages) > 60 and len(reads) > 25
    assert [p for p in pages if p[2] != 403] == [], [p for p in pages if p[2] != 403]
    assert [r for r in reads if r[1] != 401] == []
    assert log_end(site) == before
