"""The coordinator's pages in Debian's chromium: the dashboard and its checklist, the close
confirmation, partners, resources and a key with its preview, costs and a credit note, and a
dispute answered with a credit; a screenshot of each, and axe-core on each.

The served demo is shared by every browser test: nothing here changes what others read. The
month to close is shown but not closed (tests/integration/test_pages_coordination.py closes
one); what is written is a partner, a resource, its key and costs of this file's own.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.support import assert_accessible, snapshot

COORDINATOR = "coordination-navigateur@haut-val.example"
PASSWORD = "une phrase de passe assez longue"
PARTNER = "atelier-velo-nav"
RESOURCE = "local-velo-nav"
MONTH = "2026-04"  # the demo's last month, open (2026-03 is the month to close)


@pytest.fixture(scope="module")
def coordinator(site: Site) -> str:
    from application.tokens import token_keys
    from bootstrap import bootstrap
    from tests.page_fixtures import add_person

    with bootstrap(site.settings) as ledger:
        add_person(ledger, token_keys(site.settings), COORDINATOR, "coordinator", name="Camille Navigateur",
                   password=PASSWORD)
    return COORDINATOR


def signed_in(page: Page, email: str) -> Page:
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    return page


def test_the_dashboard_shows_the_months_and_the_checklist_of_the_month_to_close(page: Page, coordinator: str):
    """Months open and closed, the checklist of mars 2026, then its confirmation (not confirmed)."""
    signed_in(page, coordinator)
    months = page.get_by_role("table", name="Les mois")
    expect(months.get_by_role("row", name=re.compile("janvier 2026 clos"))).to_be_visible()
    expect(months.get_by_role("row", name=re.compile("mars 2026 ouvert"))).to_contain_text("prochain à clore")
    expect(page.get_by_role("heading", name="Avant de clore mars 2026")).to_be_visible()
    expect(page.locator(".checklist")).to_contain_text("Copieur multifonction")
    snapshot(page, "coordination-tableau-de-bord")
    assert_accessible(page)

    page.get_by_role("link", name="Clore mars 2026…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clore mars 2026")
    expect(page.get_by_role("table", name="Relevés de mars 2026 par partenaire")).to_contain_text(
        "Maison des associations du Haut-Val")
    expect(page.get_by_role("button", name="Clore et sceller mars 2026")).to_be_visible()
    snapshot(page, "coordination-cloture-confirmation")
    assert_accessible(page)
    page.get_by_role("link", name="Revenir au tableau de bord sans clore").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")


def test_partners_resources_and_a_key_previewed_then_recorded(page: Page, coordinator: str):
    """A partner and a resource registered, a key previewed on the Salle Vercors (nothing
    recorded), then this file's resource keyed between its partner and France Services."""
    signed_in(page, coordinator)
    page.goto("/coordination/partenaires")
    page.get_by_label("Nom du partenaire").fill("Atelier vélo (tests)")
    page.locator("#partner_id").fill(PARTNER)
    page.get_by_label("Type").fill("association")
    page.get_by_label("Membre à partir du").fill("2026-01-01")
    page.get_by_role("button", name="Enregistrer le partenaire").click()
    expect(page.locator(".flash")).to_contain_text("Atelier vélo (tests) est enregistré")
    page.get_by_label("Nom de la ressource").fill("Local vélo (tests)")
    page.locator("#resource_id").fill(RESOURCE)
    page.get_by_label("Nature").select_option("premises")
    page.get_by_label("Unité d'usage").select_option("m²")
    page.get_by_role("button", name="Enregistrer la ressource").click()
    expect(page.get_by_role("table", name="Ressources et clés de répartition")).to_contain_text("Local vélo (tests)")
    snapshot(page, "coordination-partenaires")
    assert_accessible(page)

    page.goto("/coordination/partenaires/cle?ressource=salle-vercors")
    page.get_by_label("S'applique à partir de").select_option("2026-05")
    page.get_by_label("Parts égales entre les partenaires cochés").check()
    page.get_by_label("France Services du Haut-Val : inclus").check()
    page.get_by_label("Maison des associations du Haut-Val : inclus").check()
    page.get_by_role("button", name="Prévisualiser").click()
    preview = page.get_by_role("table", name="Parts d'avril 2026 : clé en vigueur et nouvelle clé")
    expect(preview).to_be_visible()
    expect(page.get_by_text("Rien n'est enregistré")).to_be_visible()
    totals = preview.locator("tfoot td.num")
    expect(totals.nth(0)).to_have_text(totals.nth(1).inner_text())
    snapshot(page, "coordination-cle-apercu")
    assert_accessible(page)

    page.goto(f"/coordination/partenaires/cle?ressource={RESOURCE}")
    page.get_by_label("S'applique à partir de").select_option("2026-01")
    page.get_by_label("Clé fixe (poids : %, m², effectif, ETP…)").check()
    page.get_by_label("Poids d'Atelier vélo (tests)").fill("25")
    page.get_by_label("Poids de France Services du Haut-Val").fill("75")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Nouvelle clé")
    expect(page.get_by_role("row", name=re.compile("Local vélo"))).to_contain_text(
        "clé fixe : Atelier vélo (tests) 25 (25 %), France Services du Haut-Val 75 (75 %)")


def test_a_cost_in_euros_a_refusal_in_place_and_a_credit_note(page: Page, coordinator: str):
    """'12,345' is refused naming « Montant », what was typed kept; '1 234,56' is recorded;
    an avoir of 34,56 € brings it to 1 200,00 €."""
    signed_in(page, coordinator)
    page.goto(f"/coordination/couts?mois={MONTH}")
    page.get_by_label("Ressource").select_option(RESOURCE)
    page.get_by_label("Mois", exact=True).select_option(MONTH)
    page.get_by_label("Montant (en euros").fill("12,345")
    page.get_by_label("Catégorie").fill("loyer")
    page.get_by_label("Référence de la pièce").fill("FAC-NAV-1")
    page.get_by_role("button", name="Enregistrer le coût").click()
    expect(page.get_by_role("alert")).to_contain_text("« Montant » : au plus 2 chiffres après la virgule")
    expect(page.get_by_label("Montant (en euros")).to_have_value("12,345")
    expect(page.get_by_label("Montant (en euros")).to_have_attribute("aria-invalid", "true")
    snapshot(page, "coordination-couts-refus")
    assert_accessible(page)

    page.get_by_label("Montant (en euros").fill("1 234,56")
    page.get_by_role("button", name="Enregistrer le coût").click()
    expect(page.locator(".flash")).to_contain_text("Coût enregistré : 1 234,56 € pour avril 2026")
    row = page.get_by_role("row", name=re.compile("FAC-NAV-1"))
    expect(row).to_contain_text("1 234,56 €")

    page.locator("#entry_id").select_option(f"{RESOURCE}:{MONTH}:1")
    page.get_by_label("Montant de l'avoir").fill("34,56")
    page.get_by_label("Référence de l'avoir").fill("AV-NAV-1")
    page.get_by_role("button", name="Enregistrer l'avoir").click()
    expect(page.locator(".flash")).to_contain_text("le coût passe de 1 234,56 € à 1 200,00 €")
    expect(page.get_by_role("row", name=re.compile("FAC-NAV-1"))).to_contain_text("corrigé par avoir")
    snapshot(page, "coordination-couts")
    assert_accessible(page)


def test_a_dispute_accepted_with_a_credit(page: Page, coordinator: str, site: Site):
    """This file's partner disputes its share of the Local vélo; the coordinator accepts it
    with 10,00 € and the answered list shows the credit on the April statement."""
    from application.tokens import issue_token, token_keys
    from bootstrap import bootstrap

    with bootstrap(site.settings) as ledger:
        token = issue_token(ledger, "partner", partner_id=PARTNER, label="nav", keys=token_keys(site.settings))
    opened = page.request.post("/disputes", headers={"Authorization": f"Bearer {token}"}, data={
        "partner_id": PARTNER, "month": MONTH, "resource_id": RESOURCE, "reason": "nous n'occupons que 20 %"})
    assert opened.status == 201, opened.text()

    signed_in(page, coordinator)
    page.goto("/coordination/contestations")
    dispute = page.locator("article.dispute", has_text="nous n'occupons que 20 %")
    expect(dispute).to_contain_text("Atelier vélo (tests) — Local vélo (tests), avril 2026")
    snapshot(page, "coordination-contestations")
    assert_accessible(page)
    dispute.get_by_label("Montant de l'avoir").fill("10,00")
    dispute.get_by_label("Réponse au partenaire").fill("part ramenée à 20 % à partir de mai")
    dispute.get_by_role("button", name=re.compile("^Accepter")).click()
    expect(page.locator(".flash")).to_contain_text("un avoir de 10,00 € est porté sur le prochain relevé")
    answered = page.get_by_role("table", name=re.compile("Contestations traitées"))
    expect(answered.get_by_role("row", name=re.compile("Atelier vélo"))).to_contain_text("10,00 €")
    statement = page.request.get(f"/partners/{PARTNER}/statements/{MONTH}", headers={"Authorization": f"Bearer {token}"})
    assert [line["amount_cents"] for line in statement.json()["lines"] if line["line_kind"] == "credit"] == [-1000]
