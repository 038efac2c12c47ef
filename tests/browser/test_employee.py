"""An employee's account in Debian's chromium: the coordinator invites Emma Roux as « salarié »
of the GE, she chooses her password and lands on « Mes feuilles d'heures »: her sheets of the
demo's last month, one per member, the one her member contested showing its reason; she
submits it again. Screenshots and axe-core checks (no critical or serious violation)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser import support
from tests.browser.conftest import Site
from tests.page_fixtures import PASSWORD

# The demo's last month leaves this employee's sheet for the communauté de communes contested
# (demo/hour_sheets.py); no other browser test reads it.
EMPLOYEE = "charge-communication"
EMAIL = "emma.roux@ge-haut-val.example"
CONTESTED = "Communauté de communes du Haut-Val"


def test_an_employee_invited_by_the_coordinator_submits_her_contested_sheet_again(
        page: Page, browser: Browser, site: Site) -> None:
    """Invited from « Personnes » with her staff resource; her page lists only her sheets, their
    lines and no amount; « Soumettre à nouveau au membre » makes the contested sheet « Soumise »."""
    support.sign_in(page, site.people["coordinator"])
    page.get_by_role("link", name="Personnes").click()
    page.get_by_label("Nom", exact=True).fill("Emma Roux")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Rôle", exact=True).select_option("employee")
    page.get_by_label(re.compile("^Salarié")).select_option(EMPLOYEE)
    support.snapshot(page, "salarie-invitation-formulaire")
    page.get_by_role("button", name="Inviter").click()
    flash = page.get_by_role("status")
    expect(flash).to_contain_text("Invitation enregistrée pour Emma Roux")
    link = re.search(r"(/invitation/[0-9a-f]{32}\.[\w-]+)", flash.inner_text()).group(1)

    context = browser.new_context(base_url=site.base_url, locale="fr-FR", timezone_id="Europe/Paris")
    emma = context.new_page()
    emma.goto(link)
    expect(emma.get_by_text("Votre rôle : salarié")).to_be_visible()
    emma.locator("#password").fill(PASSWORD)
    emma.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    emma.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(emma.get_by_role("heading", level=1)).to_have_text("Mes feuilles d'heures")
    expect(emma.get_by_role("navigation").get_by_role("link")).to_have_count(1)
    sheet = emma.locator("article.hour-sheet").filter(has=emma.get_by_role("heading", name=re.compile(CONTESTED)))
    expect(sheet).to_contain_text("Contestée (motif : il manque la réunion du 12)")
    expect(sheet.get_by_role("table")).to_contain_text("Total")
    expect(emma.locator("main")).not_to_contain_text("€")
    support.snapshot(emma, "salarie-feuilles-heures")
    support.assert_accessible(emma)

    sheet.get_by_role("button", name=re.compile("^Soumettre à nouveau au membre")).click()
    expect(emma.locator(".flash")).to_contain_text("Feuille d'heures soumise au membre")
    sheet = emma.locator("article.hour-sheet").filter(has=emma.get_by_role("heading", name=re.compile(CONTESTED)))
    expect(sheet).to_contain_text("Soumise")
    expect(sheet.get_by_role("button")).to_have_count(0)
    support.snapshot(emma, "salarie-feuille-soumise")
    support.assert_accessible(emma)
    context.close()
