"""The GE's pages in Debian's chromium, on a small GE of their own (tests/ge_fixtures.py,
served by its own uvicorn: the shared demo is left as the other browser tests read it): the
coordinator fills the profile, a member's file, a contract and a rate card, then reads the
month's provisional rates and the register; a screenshot of each page, axe-core on each."""

from __future__ import annotations

import os
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from playwright.sync_api import Request as PlaywrightRequest

from bench.server import Server, serve
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.support import assert_accessible, sign_in, snapshot
from tests.ge_fixtures import PEOPLE, ge_store


@pytest.fixture(scope="module")
def ge_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser-ge")
    with serve(ge_store(tmp), log=tmp / "uvicorn.log") as server:
        yield server


@pytest.fixture
def page(browser: Browser, ge_server: Server) -> Iterator[Page]:
    """As tests/browser/conftest.py's page, on this module's server."""
    context = browser.new_context(base_url=ge_server.base_url, locale="fr-FR", timezone_id="Europe/Paris",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    offsite: list[str] = []

    def guard(route: Route, request: PlaywrightRequest) -> None:
        if request.url.startswith(ge_server.base_url + "/"):
            route.continue_()
        else:
            offsite.append(request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    yield context.new_page()
    context.close()
    assert not offsite, f"the page tried to load from outside the site: {offsite}"


def test_the_coordinator_sets_the_terms_and_reads_the_rates_and_the_register(page: Page):
    """Hub (all missing) → profile → the crèche's file → Anne's contract → a rate card →
    January's rates → the hub again → the register of 15 January."""
    sign_in(page, PEOPLE["coordinator"])
    page.get_by_role("link", name="Groupement d'employeurs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Groupement d'employeurs")
    page.get_by_label("Mois").fill("2026-01")
    page.get_by_role("button", name="Voir ce mois").click()
    expect(page.locator(".checklist")).to_contain_text("Le profil du groupement n'est pas renseigné")
    expect(page.locator(".checklist")).to_contain_text("2 salariés sans contrat en vigueur en janvier 2026")
    snapshot(page, "ge-hub-rien-de-renseigne")
    assert_accessible(page)

    page.get_by_role("link", name="Renseigner le profil").click()
    profile = page.locator("form[action='/coordination/ge/profil#profil']")
    profile.get_by_label("Raison sociale").fill("Groupement d'employeurs du Haut-Val")
    profile.get_by_label("Adresse").fill("2 place de la Mairie, 38000 Haut-Val")
    profile.get_by_label("SIREN").fill("732 829 320")
    profile.get_by_label("Exonéré").check()
    profile.get_by_label("Délai de paiement").fill("30")
    profile.get_by_label("Taux des pénalités de retard").fill("12,5")
    profile.get_by_role("button", name="Enregistrer le profil").click()
    expect(page.locator(".flash")).to_contain_text("Le profil du groupement est enregistré")

    member = page.locator("form[action='/coordination/ge/adherents#fiche']")
    member.get_by_label("Partenaire").select_option("creche-a")
    member.get_by_label("Raison sociale").fill("Association Les Marmots")
    member.get_by_label("Adresse du siège").fill("1 rue des Écoles, 38000 Haut-Val")
    member.get_by_label("Établissements").fill("Crèche, 3 chemin des Prés, 38000 Haut-Val")
    member.get_by_label("Activité").fill("accueil de jeunes enfants")
    member.get_by_label("Effectif").fill("12")
    member.get_by_label("SIREN").fill("443061841")
    member.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.locator(".flash")).to_contain_text("La fiche d'adhérent d'Association Les Marmots est enregistrée")

    contract = page.locator("form[action='/coordination/ge/contrats#contrat']")
    contract.get_by_label("Salarié").select_option("anne")
    contract.get_by_label("À partir du mois").fill("2026-01")
    contract.get_by_label("Type de contrat").select_option("cdi")
    contract.get_by_label("Temps partiel").check()
    contract.get_by_label("Heures par semaine").fill("35")
    contract.get_by_label("Salaire brut horaire").fill("12,00")
    contract.get_by_label("Intitulé du poste").fill("Assistante administrative")
    contract.get_by_role("button", name="Enregistrer le contrat").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("« Temps de travail » : 35 h par semaine, c'est un temps plein")
    # The refusal is shown where the form is (its action's fragment), not at the top of a long page.
    expect(alert).to_be_in_viewport()
    snapshot(page, "ge-conditions-contrat-refuse")
    assert_accessible(page)
    page.locator("form[action='/coordination/ge/contrats#contrat']").get_by_label("Temps plein").check()
    page.get_by_role("button", name="Enregistrer le contrat").click()
    expect(page.locator(".flash")).to_contain_text("Le contrat d'Anne Martin est enregistré")

    card = page.locator("form[action='/coordination/ge/grille#grille']")
    card.get_by_label("À partir du mois").fill("2026-01")
    card.get_by_label("Coefficient par défaut").fill("1,87")
    card.get_by_label("CDD", exact=True).fill("1,95")
    card.get_by_label("Coefficient de Club de foot").fill("1,6")
    card.get_by_label("Forfait horaire de Maison des associations").fill("23")
    card.get_by_role("button", name="Enregistrer la grille").click()
    expect(page.locator(".flash")).to_contain_text("La grille de coefficients est enregistrée")
    expect(page.locator(".card-words")).to_contain_text("Maison des associations : forfait de 23,00")

    rates = page.get_by_role("table", name="Heures du mois et taux horaire HT, par salarié et par adhérent")
    expect(rates.get_by_role("row", name="Anne Martin Crèche Les Marmots")).to_contain_text("22,44")
    expect(rates.get_by_role("row", name="Anne Martin Club de foot")).to_contain_text("19,20")
    expect(rates.get_by_role("row", name="Bruno Petit")).to_contain_text("contrat manquant")
    snapshot(page, "ge-conditions-renseignees")
    assert_accessible(page)

    page.goto("/coordination/ge?mois=2026-01")
    expect(page.locator(".checklist")).to_contain_text("1 salarié sans contrat en vigueur en janvier 2026")
    expect(page.locator(".checklist")).to_contain_text("en retard de notification")
    snapshot(page, "ge-hub-renseigne")
    assert_accessible(page)

    page.get_by_role("link", name="Voir et notifier").click()
    page.get_by_label("Registre au").fill("2026-01-15")
    page.get_by_role("button", name="Afficher").click()
    members = page.get_by_role("table", name="Membres du groupement au 15 janvier 2026 (1)")
    expect(members).to_contain_text("Association Les Marmots")
    expect(page.get_by_role("table", name="Changements du registre et leur notification à l'inspection du travail")
           ).to_contain_text("EN RETARD")
    snapshot(page, "ge-registre")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le registre au 15 janvier 2026").click()
    path = download.value.path()
    assert path and open(path, "rb").read(4) == b"%PDF" and os.path.getsize(path) > 1000


def test_the_coordinator_records_a_debt_and_reads_each_members_share(page: Page):
    """« Dettes et solidarité »: a refused debt (months in the wrong order), then 1 000,00 € of
    January wages split by January's hours (crèche 11 h, club 3,5 h, maison des associations
    2,25 h: 656,72 €, 208,95 €, 134,33 €), overdue on the hub; « Réglée » takes it out; the
    local authorities' time and the fees and deposits pages, read."""
    sign_in(page, PEOPLE["coordinator"])
    page.goto("/coordination/ge")
    page.get_by_role("link", name="Dettes et solidarité").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dettes et solidarité")
    debt = page.locator("form[action='/coordination/ge/solidarite/dettes#enregistrer']")
    debt.get_by_label("envers les salariés").check()
    debt.get_by_label("Créancier").fill("Salariés")
    debt.get_by_label("Montant de la dette, en euros").fill("1 000,00")
    debt.get_by_label("Premier mois concerné").fill("2026-02")
    debt.get_by_label("Dernier mois concerné").fill("2026-01")
    debt.get_by_label("Échéance").fill("2026-02-05")
    debt.get_by_label("Référence de la dette").fill("paie de janvier")
    debt.get_by_role("button", name="Enregistrer la dette").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("« Dernier mois concerné » : la dette court de 2026-02 à un mois qui suit")
    expect(alert).to_be_in_viewport()
    expect(page.get_by_label("Dernier mois concerné")).to_have_attribute("aria-invalid", "true")
    snapshot(page, "ge-solidarite-dette-refusee")
    assert_accessible(page)

    page.locator("form[action='/coordination/ge/solidarite/dettes#enregistrer']").get_by_label(
        "Premier mois concerné").fill("2026-01")
    page.get_by_role("button", name="Enregistrer la dette").click()
    expect(page.locator(".flash")).to_contain_text("Dette enregistrée : 1 000,00")
    debts = page.get_by_role("table", name="Dettes du groupement envers ses salariés et les organismes sociaux, "
                                           "non réglées")
    expect(debts.get_by_role("row", name="d1")).to_contain_text("ÉCHUE")
    shares = page.get_by_role("table", name="Part de chaque adhérent dans les dettes en cours, et son exposition "
                                            "totale")
    expect(shares).to_contain_text("656,72")
    expect(shares).to_contain_text("208,95")
    expect(shares).to_contain_text("134,33")
    expect(shares.locator("tfoot")).to_contain_text("1 000,00")
    snapshot(page, "ge-solidarite-parts")
    assert_accessible(page)

    page.goto("/coordination/ge")
    expect(page.locator(".checklist")).to_contain_text("1 dette échue non réglée")
    page.get_by_role("link", name="Voir les dettes et les marquer réglées").click()
    page.get_by_label("Référence du paiement (dette d1)").fill("virement 0206")
    page.get_by_role("button", name="Réglée (dette d1)").click()
    expect(page.locator(".flash")).to_contain_text("La dette d1 est réglée")
    expect(page.get_by_text("Aucune dette envers les salariés ou les organismes sociaux n'est en cours.")).to_be_visible()

    page.goto("/coordination/ge/collectivites?annee=2026")
    expect(page.get_by_role("table", name="Temps de chaque salarié pour les collectivités adhérentes en 2026, et le "
                                          "plafond")).to_contain_text("Bruno Petit")
    snapshot(page, "ge-collectivites")
    assert_accessible(page)
    page.goto("/coordination/ge/cotisations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cotisations et dépôts")
    snapshot(page, "ge-cotisations")
    assert_accessible(page)
