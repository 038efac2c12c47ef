"""The hour-sheet pages on real stores: the coordinator's "Feuilles d'heures" (statuses in
French, submit one, submit all), the member's "Mes feuilles d'heures" (its entries, sign,
contest with a reason, a refusal in French when the sheet changed since it was opened), the
printable PDF, and another member kept out (403 page, nothing stored)."""

from __future__ import annotations

import html as markup
import io
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.app import create_app
from application.tokens import token_keys
from bootstrap import bootstrap
from domain.commands import LogStaffHours
from settings import Settings
from tests.history import ACTOR, setup
from tests.html_tables import tables
from tests.page_fixtures import add_person, csrf_of, sign_in

PEOPLE = {"coordinator": ("coordination@pool.example", None, "Camille Roux"),
          "partner": ("direction@creche.example", "creche-a", "Marie Dupont"),
          "club": ("bureau@club.example", "club-b", "Paul Girard")}
SHEET = "anne:creche-a:2026-04"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict]:
    settings = Settings(sqlite_path=tmp_path / "s.sqlite", projection_path=tmp_path / "p.duckdb",
                        snapshot_dir=tmp_path / "snapshots", snapshot_every_s=0)
    keys = token_keys(settings, create=True)
    with bootstrap(settings) as ledger:
        ledger.execute_batch(setup() + [
            LogStaffHours(employee_id="anne", partner_id=partner, work_date=day, hours=hours)
            for day, partner, hours in (("2026-04-01", "creche-a", "7.5"), ("2026-04-02", "creche-a", "6"),
                                        ("2026-04-03", "club-b", "4"))], actor=ACTOR)
        for role, (email, partner_id, name) in PEOPLE.items():
            add_person(ledger, keys, email, "partner" if partner_id else role, partner_id, name=name)
    with TestClient(create_app(settings), base_url="http://pool.example") as app:
        browsers = {}
        for role, (email, _, _) in PEOPLE.items():
            browsers[role] = TestClient(app.app, base_url="http://pool.example")
            sign_in(browsers[role], email)
        yield {"app": app, **browsers}
        for browser in browsers.values():
            browser.close()


def log_end(site: dict) -> int:
    return site["app"].app.state.services.ledger.recorder.max_notification_id() or 0


def coordinator_rows(site: dict) -> list[list[str]]:
    page = site["coordinator"].get("/coordination/feuilles-heures", params={"mois": "2026-04", "apres": log_end(site)})
    assert page.status_code == 200
    return tables(page.text)[0].rows


def submit(site: dict, sheet_id: str | None = None):
    page = site["coordinator"].get("/coordination/feuilles-heures", params={"mois": "2026-04"})
    data = {"csrf": csrf_of(page.text), "mois": "2026-04", **({"sheet_id": sheet_id} if sheet_id else {})}
    return site["coordinator"].post("/coordination/feuilles-heures/soumettre", data=data)


def member_page(site: dict, who: str = "partner") -> str:
    page = site[who].get("/feuilles-heures", params={"mois": "2026-04", "apres": log_end(site)})
    assert page.status_code == 200
    return markup.unescape(page.text)


def answer(site: dict, html: str, **fields):
    sha = html.split('name="entries_sha256" value="')[1].split('"')[0] if 'name="entries_sha256"' in html else ""
    data = {"csrf": csrf_of(html), "sheet_id": SHEET, "entries_sha256": sha, **fields}
    return site["partner"].post("/feuilles-heures/repondre", data=data)


def test_the_coordinator_sees_each_sheet_to_submit_then_submits_one_then_all(site: dict) -> None:
    """Two sheets « à soumettre » in the menu's page; one submitted, then « Soumettre toutes » takes the other."""
    assert 'href="/coordination/feuilles-heures"' in site["coordinator"].get("/coordination").text
    assert [row[:4] for row in coordinator_rows(site)] == [
        ["Anne Martin", "Club de foot", "4 h", "à soumettre"], ["Anne Martin", "Crèche Les Marmots", "13,5 h", "à soumettre"]]
    done = submit(site, SHEET)
    assert done.status_code == 200 and "Feuille d'heures soumise" in markup.unescape(done.text)
    assert [row[3] for row in coordinator_rows(site)] == ["à soumettre", "soumise"]
    assert "Soumettre toutes" in markup.unescape(site["coordinator"].get("/coordination/feuilles-heures").text)
    assert "1 feuille d'heures d'avril 2026 soumise aux partenaires" in markup.unescape(submit(site).text)
    assert [row[3] for row in coordinator_rows(site)] == ["soumise", "soumise"]


def test_the_member_reads_its_entries_and_signs_its_sheet(site: dict) -> None:
    """Its sheet with each day and its hours; « Signer » records the signature by its person's name."""
    submit(site, SHEET)
    html = member_page(site)
    assert "<h1>Mes feuilles d'heures</h1>" in html and "Club de foot" not in html
    entries = next(t for t in tables(html) if "Heures de Anne Martin" in t.caption)
    assert entries.rows[:2] == [["1er avril 2026", "7,5 h", "—"], ["2 avril 2026", "6 h", "—"]]
    signed = answer(site, html, decision="signer")
    assert signed.status_code == 200 and "Feuille d'heures signée" in markup.unescape(signed.text)
    assert "signée par Marie Dupont" in coordinator_rows(site)[1][3]


def test_a_sheet_changed_since_it_was_opened_is_refused_in_french_and_nothing_is_stored(site: dict) -> None:
    """Opened at version 1; the hours corrected and submitted again; signing the old page: refused, in French."""
    submit(site, SHEET)
    old = member_page(site)
    with bootstrap(Settings(sqlite_path=site["app"].app.state.services.settings.sqlite_path)) as ledger:
        ledger.execute(LogStaffHours(employee_id="anne", partner_id="creche-a", work_date="2026-04-07", hours="2"),
                       actor=ACTOR)
    submit(site, SHEET)
    before = log_end(site)
    refused = answer(site, old, decision="signer")
    assert refused.status_code == 409
    assert "a changé depuis que vous l'avez ouverte" in markup.unescape(refused.text)
    assert log_end(site) == before
    assert "15,5 h" in markup.unescape(refused.text)  # the page shown again is the new version


def test_the_member_contests_with_a_reason_and_an_empty_reason_is_refused(site: dict) -> None:
    """No reason: 422 naming « Motif »; a reason: contested, and the coordinator reads it."""
    submit(site, SHEET)
    html = member_page(site)
    before = log_end(site)
    empty = answer(site, html, decision="contester", contest_reason="")
    assert empty.status_code == 422 and "« Motif »" in markup.unescape(empty.text) and log_end(site) == before
    contested = answer(site, html, decision="contester", contest_reason="le 3 avril manque")
    assert contested.status_code == 200 and "Feuille d'heures contestée" in markup.unescape(contested.text)
    assert coordinator_rows(site)[1][3] == "contestée (motif : le 3 avril manque)"


def test_another_member_cannot_sign_the_sheet_and_the_pdf_prints_it(site: dict) -> None:
    """The club posting the crèche's sheet: a 403 page, nothing stored; the crèche's PDF names the hours."""
    submit(site, SHEET)
    html = member_page(site)
    before = log_end(site)
    sha = html.split('name="entries_sha256" value="')[1].split('"')[0]
    club = site["club"].post("/feuilles-heures/repondre", data={
        "csrf": csrf_of(member_page(site, "club")), "sheet_id": SHEET, "decision": "signer", "entries_sha256": sha})
    assert club.status_code == 403 and "autre partenaire" in markup.unescape(club.text)
    assert log_end(site) == before
    assert site["club"].get(f"/feuilles-heures/{SHEET}/feuille.pdf").status_code == 403
    pdf = site["partner"].get(f"/feuilles-heures/{SHEET}/feuille.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Feuille d'heures mensuelle" in text.replace("’", "'") and "13,5 h" in text and "Anne Martin" in text
