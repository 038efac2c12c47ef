"""The partner's pages in Debian's chromium: from the invitation to a contested line in four
clicks, every page screenshotted and checked by axe-core (no critical or serious violation)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from application import people
from application.permissions import Operator
from application.tokens import token_keys
from bootstrap import bootstrap
from tests.browser import support
from tests.page_fixtures import PASSWORD, add_person

# The partner these tests write for (a dispute, a booking), one no other browser test reads:
# the site is shared by the session. The booking is of the shared reception, whose fixed key
# takes no account of usage, so it moves no one's figures.
PARTNER = "us-haut-val"
EMAIL = "tresorerie@us-haut-val.example"


@pytest.fixture(scope="module")
def treasurer(site) -> str:
    """A person of the mission locale who can sign in (added beside the running server)."""
    with bootstrap(site.settings) as ledger:
        add_person(ledger, token_keys(site.settings), EMAIL, "partner", PARTNER, name="Hugo Trésorier")
    return EMAIL


def signed_in(page: Page, email: str) -> Page:
    support.sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes relevés")
    return page


def look(page: Page, name: str) -> None:
    support.snapshot(page, name)
    support.assert_accessible(page)


def test_from_the_invitation_to_a_contested_line_in_four_clicks(page: Page, site) -> None:
    """Invitation -> Mes relevés -> a month -> a line's events -> Contester: the dispute is on
    Mes contestations at once."""
    with bootstrap(site.settings) as ledger:
        secret = people.invite_person(ledger, Operator("tests"), email="nouvelle@us-haut-val.example",
                                      name="Nina Nouvelle", role="partner", partner_id=PARTNER,
                                      keys=token_keys(site.settings))
    page.goto(f"/invitation/{secret}")
    page.locator("#password").fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()  # 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes relevés")
    look(page, "partner-releves")

    page.get_by_role("link", name="Mars 2026").click()  # 2
    expect(page.get_by_role("heading", level=1)).to_have_text("Relevé de mars 2026")
    look(page, "partner-releve-ouvert")

    page.get_by_role("link", name=re.compile("Détail de la ligne Salle Vercors")).click()  # 3
    expect(page.get_by_role("heading", level=1)).to_have_text("Salle Vercors — mars 2026")
    expect(page.get_by_role("rowheader", name="Réservation").first).to_be_visible()
    look(page, "partner-ligne-evenements")

    page.get_by_role("link", name="Contester cette ligne").click()  # 4
    expect(page.get_by_role("heading", level=1)).to_have_text("Contester une ligne")
    page.get_by_role("button", name="Envoyer la contestation").click()  # the browser itself refuses an empty reason
    expect(page).to_have_url(re.compile(r"/contester"))
    page.get_by_label("Motif de la contestation").fill("  ")
    page.get_by_role("button", name="Envoyer la contestation").click()
    expect(page.get_by_role("alert")).to_contain_text("« Motif de la contestation » : dites en quelques mots")
    look(page, "partner-contestation-refusee")
    page.get_by_label("Motif de la contestation").fill("réunion du 12 annulée, comptée quand même")
    page.get_by_role("button", name="Envoyer la contestation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes contestations")
    expect(page.get_by_role("status")).to_contain_text("est enregistrée")
    row = page.get_by_role("row").filter(has_text="réunion du 12 annulée")
    expect(row).to_contain_text("ouverte")
    look(page, "partner-contestations")
    row.get_by_role("link", name="Salle Vercors").click()
    expect(page.get_by_role("rowheader", name="Contestation ouverte")).to_be_visible()
    look(page, "partner-contestation")


def test_a_closed_month_its_trace_and_the_downloads(page: Page, site, treasurer: str) -> None:
    """January, issued with its number and seal; the room's trace, its cost as issued; the PDF
    and the CSV come with the session."""
    signed_in(page, treasurer)
    page.get_by_role("link", name="Janvier 2026").click()
    expect(page.get_by_role("note")).to_contain_text("Relevé émis — n° 1")
    look(page, "partner-releve-clos")
    pdf = page.request.get("/releves/2026-01/releve.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    assert page.request.get("/releves/2026-01/releve.csv").text().startswith("\ufefftype;mois;")
    page.get_by_role("link", name=re.compile("Détail de la ligne Salle Vercors")).click()
    expect(page.get_by_text("tel qu'émis")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Coût enregistré").first).to_be_visible()
    look(page, "partner-ligne-close")


def test_the_chart_and_its_table_and_another_partners_page(page: Page, site, treasurer: str) -> None:
    """The chart is an image with its title; another partner's statement is a 403 page."""
    signed_in(page, treasurer)
    chart = page.get_by_role("img", name="Vos charges par mois et par ressource")
    expect(chart).to_be_visible()
    expect(page.get_by_role("table", name="Charges par ressource et par mois")).to_be_visible()
    response = page.goto("/releves/2026-01?partenaire=france-services")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
    look(page, "partner-autre-partenaire")


def test_booking_a_slot_and_a_refusal_in_french(page: Page, site, treasurer: str) -> None:
    """The room's week; an overlapping slot is refused naming « Heure de début »; a free slot
    (of the shared reception) is booked and shown on its week at once."""
    signed_in(page, treasurer)
    page.get_by_role("link", name="Réserver").click()
    page.get_by_label("Ressource", exact=True).first.select_option(label="Salle Vercors")
    page.get_by_label("Semaine du").fill("2026-01-05")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "Salle Vercors : semaine du 5 janvier 2026 au 11 janvier 2026")
    look(page, "partner-reservations")
    form = page.locator("form[method=post][action='/reservations']")
    form.get_by_label("Jour").fill("2026-01-05")
    form.get_by_label("Heure de début").fill("09:00")
    form.get_by_label("Heure de fin").fill("10:00")
    form.get_by_role("button", name="Réserver").click()
    expect(page.get_by_role("alert")).to_contain_text("« Heure de début » : ce créneau chevauche")
    expect(page.get_by_label("Heure de début")).to_have_attribute("aria-invalid", "true")
    look(page, "partner-reservation-refusee")
    form = page.locator("form[method=post][action='/reservations']")
    form.get_by_label("Ressource").select_option(label="Accueil mutualisé")
    form.get_by_label("Jour").fill("2026-04-11")
    form.get_by_label("Heure de début").fill("14:00")
    form.get_by_label("Heure de fin").fill("15:30")
    form.get_by_role("button", name="Réserver").click()
    expect(page.get_by_role("status")).to_contain_text("Réservation enregistrée : samedi 11 avril 2026")
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Accueil mutualisé : semaine du 6 avril 2026")
    expect(page.get_by_text("14 h 00 – 15 h 30 (vous)")).to_be_visible()
