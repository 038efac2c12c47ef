"""The auditor's and the analyst's pages in Debian's chromium, with the keyboard's labels: a
screenshot of each (var/screenshots/) and axe-core on each (no critical or serious violation)."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.support import assert_accessible, sign_in, snapshot

# The demo's last closed month (4 months, 2 closed): the landlord's late credit note and the
# accepted dispute's 25 € credit come after its close.
LATE = "2026-02"


def test_the_auditor_filters_the_timeline_and_finds_the_dispute(page: Page, site: Site) -> None:
    """The journal, newest first; filtered by partner, then by 'Contestation tranchée': the
    accepted dispute, in French, with who and when."""
    sign_in(page, site.people["auditor"])
    expect(page).to_have_url(re.compile(r"/controle$"))
    expect(page.get_by_role("heading", name="Journal des événements")).to_be_visible()
    snapshot(page, "controle-journal")
    assert_accessible(page)

    page.get_by_label("Partenaire").select_option(label="France Services du Haut-Val")
    page.get_by_label("Type d'événement").select_option(label="Contestation tranchée")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("table.timeline tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("acceptée")
    expect(page.get_by_role("status")).to_contain_text("1 événement correspond")
    snapshot(page, "controle-journal-filtre")
    assert_accessible(page)

    # The browser's own date fields keep a month or a day well formed: what is left to refuse
    # is an end before the start.
    page.get_by_label("Enregistré du").fill("2026-03-05")
    page.get_by_label("au", exact=True).fill("2026-03-01")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("alert")).to_contain_text("« au » : la date de fin précède la date de début.")
    expect(page.get_by_label("au", exact=True)).to_have_attribute("aria-invalid", "true")
    snapshot(page, "controle-journal-erreur")
    assert_accessible(page)


def test_the_auditor_reads_a_closed_month_as_issued_and_as_now(page: Page, site: Site) -> None:
    """The closed months, then the last one: the rent lines the late credit note moved and the
    dispute's credit, each with its events, and the seal."""
    sign_in(page, site.people["auditor"])
    page.get_by_role("link", name="Mois clos").click()
    expect(page.get_by_role("heading", name="Mois clos")).to_be_visible()
    snapshot(page, "controle-mois")
    assert_accessible(page)

    page.get_by_role("link", name="février 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Février 2026 : tel qu'émis, tel qu'aujourd'hui")
    diff = page.locator("table.diff tbody tr")
    expect(diff.filter(has_text="avoir sur contestation")).to_have_count(1)
    expect(diff.filter(has_text="Loyer du bâtiment France Services").first).to_contain_text("ajustement")
    expect(page.get_by_text("Empreinte des relevés (SHA-256 des lignes)")).to_be_visible()
    snapshot(page, "controle-mois-emis-aujourdhui")
    assert_accessible(page)


def test_the_auditor_notes_the_anchor_and_verifies_now(page: Page, site: Site) -> None:
    """The anchor to note equals GET /audit/anchor's; 'Vérifier maintenant' proves the log up to
    the last seal and says what it could not prove."""
    sign_in(page, site.people["auditor"])
    page.get_by_role("link", name="Ancre et vérification").click()
    # Signing in records an event the page may have been read just before: ask the API at the
    # page's position.
    shown = page.locator("code.anchor").inner_text().strip()
    anchor = page.request.get(site.url("/audit/anchor"), params={"as_of": shown.split(":")[0]},
                              headers=site.headers("auditor")).json()["anchor"]
    assert shown == anchor
    snapshot(page, "controle-ancre")
    assert_accessible(page)

    page.get_by_role("button", name="Vérifier maintenant").click()
    expect(page.locator(".flash")).to_contain_text("Vérification")
    deadline = time.monotonic() + 90
    while "Vérification en cours" in page.locator(".verdict").inner_text() and time.monotonic() < deadline:
        time.sleep(1)
        page.get_by_role("link", name="Rafraîchir le résultat").click()
    expect(page.locator(".verdict")).to_contain_text("Aucune réécriture détectée.")
    expect(page.locator(".verdict")).to_contain_text("Prouvé : les positions 1 à")
    snapshot(page, "controle-verification")
    assert_accessible(page)


def test_the_analyst_runs_an_example_sees_its_bars_and_downloads_it(page: Page, site: Site) -> None:
    """An example query from the list: its result, its bars with their figures, the schema beside;
    the CSV link downloads the result; a forbidden query is refused in French."""
    sign_in(page, site.people["analyst"])
    expect(page.get_by_role("heading", name="Requêtes SQL")).to_be_visible()
    snapshot(page, "analyse")
    assert_accessible(page)

    page.get_by_role("link", name="Nombre d'événements du journal par type").click()
    expect(page.get_by_role("heading", name="Résultat")).to_be_visible()
    expect(page.locator("figure.chart svg rect").first).to_be_visible()
    expect(page.get_by_label("Requête SQL")).to_have_value(re.compile(r"^SELECT event_type"))
    page.locator("details#table-events summary").click()
    expect(page.locator("details#table-events")).to_contain_text("recorded_at")
    snapshot(page, "analyse-resultat")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()
    assert lines[0] == "event_type,events" and len(lines) > 5

    page.get_by_label("Requête SQL").fill("SELECT * FROM read_csv('/etc/passwd')")
    page.get_by_role("button", name="Exécuter").click()
    expect(page.get_by_role("alert")).to_contain_text("« Requête SQL » : la requête a été refusée")
    snapshot(page, "analyse-refus")
    assert_accessible(page)
