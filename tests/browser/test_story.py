"""One story across the four roles, in Debian's chromium: the coordinator invites a partner's
treasurer, who accepts, signs in, opens a closed month's statement, follows a line to its
events and contests it; the coordinator sees the dispute on the dashboard and accepts it with
a credit; the treasurer sees the credit on the next statement; the auditor finds the dispute
in the journal and its credit in the month's diff. On the way: another partner's page is
403, a form posted without its CSRF token is refused, a signed-out session is dead.

It writes for the Mission locale only (a person, a dispute, a credit), which no other browser
test reads; it runs after the auditor's tests, which count February's moved lines.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site
from tests.browser.support import assert_accessible, sign_in, snapshot

PARTNER = "mission-locale"
EMAIL = "lou.durand@mission-locale.example"
PASSWORD = "la mission locale partage ses locaux"
CLOSED = "2026-02"   # closed by the demo loader: a credit on its line goes onto the next open month
NEXT_OPEN = "mars 2026"
REASON = "heures du 12 février comptées deux fois"


def new_page(browser: Browser, site: Site) -> Page:
    context = browser.new_context(base_url=site.base_url, locale="fr-FR", timezone_id="Europe/Paris")
    return context.new_page()


def test_a_dispute_from_invitation_to_credit_across_the_four_roles(page: Page, browser: Browser, site: Site) -> None:
    # The coordinator invites the treasurer; the link is shown once, on the page after the form.
    sign_in(page, site.people["coordinator"])
    page.get_by_role("link", name="Personnes").click()
    page.get_by_label("Nom", exact=True).fill("Lou Durand")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Rôle", exact=True).select_option("partner")
    page.get_by_label(re.compile("^Partenaire")).select_option(PARTNER)
    page.get_by_role("button", name="Inviter").click()
    flash = page.get_by_role("status")
    expect(flash).to_contain_text("Invitation enregistrée pour Lou Durand")
    link = re.search(r"(/invitation/[0-9a-f]{32}\.[\w-]+)", flash.inner_text()).group(1)
    snapshot(page, "histoire-invitation")
    assert_accessible(page)

    # The treasurer accepts it, is signed in, and contests a line of February (closed).
    treasurer = new_page(browser, site)
    treasurer.goto(link)
    treasurer.locator("#password").fill(PASSWORD)
    treasurer.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    treasurer.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(treasurer.get_by_role("heading", level=1)).to_have_text("Mes relevés")
    treasurer.get_by_role("link", name="Février 2026").click()
    expect(treasurer.get_by_role("heading", level=1)).to_have_text("Relevé de février 2026")
    treasurer.get_by_role("link", name=re.compile("^Détail")).first.click()
    line_url = treasurer.url
    treasurer.get_by_role("link", name="Contester cette ligne").click()
    form_url = treasurer.url

    # A form posted without its CSRF token is refused, and records nothing.
    forged = treasurer.request.post(form_url, form={"reason": "sans jeton"})
    assert forged.status == 403 and "Ce formulaire a expiré" in forged.text()

    treasurer.get_by_label("Motif de la contestation").fill(REASON)
    treasurer.get_by_role("button", name="Envoyer la contestation").click()
    expect(treasurer.get_by_role("heading", level=1)).to_have_text("Mes contestations")
    mine = treasurer.locator("table tbody tr", has_text=REASON)
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("ouverte")
    assert "sans jeton" not in treasurer.content()
    snapshot(treasurer, "histoire-contestation")

    # Another partner's statement is not the treasurer's to read.
    other = treasurer.request.get(f"/releves/{CLOSED}?partenaire=france-services")
    assert other.status == 403

    # The coordinator sees the open dispute on the dashboard and accepts it with a credit.
    page.get_by_role("link", name="Tableau de bord").click()
    expect(page.locator(".checklist")).to_contain_text("Mission locale Vercors-Haut-Val")
    page.get_by_role("link", name="Contestations").first.click()
    dispute = page.locator("article.dispute", has_text=REASON)
    dispute.get_by_label("Montant de l'avoir").fill("7,50")
    dispute.get_by_label("Réponse au partenaire").fill("doublon confirmé sur la feuille d'heures")
    dispute.get_by_role("button", name=re.compile("^Accepter")).click()
    expect(page.locator(".flash")).to_contain_text("7,50 €")
    snapshot(page, "histoire-acceptation")
    assert_accessible(page)

    # The treasurer sees the answer, and the credit on the next open statement.
    treasurer.get_by_role("link", name="Mes contestations", exact=True).click()
    expect(treasurer.locator("table tbody tr", has_text=REASON)).to_contain_text("acceptée")
    treasurer.get_by_role("link", name="Mes relevés", exact=True).click()
    treasurer.get_by_role("link", name=NEXT_OPEN.capitalize()).click()
    expect(treasurer.locator("main")).to_contain_text("7,50")
    snapshot(treasurer, "histoire-avoir")
    assert_accessible(treasurer)

    # The auditor finds the dispute in the journal, and its credit in February's diff.
    auditor = new_page(browser, site)
    sign_in(auditor, site.people["auditor"])
    auditor.get_by_label("Partenaire").select_option(label="Mission locale Vercors-Haut-Val")
    auditor.get_by_label("Type d'événement").select_option(label="Contestation tranchée")
    auditor.get_by_role("button", name="Filtrer").click()
    expect(auditor.locator("table.timeline tbody tr").first).to_contain_text("acceptée")
    auditor.get_by_role("link", name="Mois clos").click()
    auditor.get_by_role("link", name="février 2026").click()
    credits = auditor.locator("table.diff tbody tr").filter(has_text="avoir sur contestation")
    expect(credits.filter(has_text="Mission locale Vercors-Haut-Val")).to_have_count(1)
    snapshot(auditor, "histoire-audit")

    # Signed out, the treasurer's session is dead, even with its cookie kept.
    cookies = treasurer.context.cookies()
    treasurer.get_by_role("button", name="Se déconnecter").click()
    expect(treasurer.get_by_role("heading", level=1)).to_have_text("Connexion")
    replay = new_page(browser, site)
    replay.context.add_cookies(cookies)
    replay.goto(line_url)
    expect(replay).to_have_url(re.compile(r"/connexion\?suite="))
    for other_page in (treasurer, auditor, replay):
        other_page.context.close()
