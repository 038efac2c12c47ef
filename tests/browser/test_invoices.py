"""The GE's invoices in Debian's chromium, on the served demo (every month invoiced; April,
the last, has a contested sheet and an unsigned one, so two of its invoices carry the mark):
the coordinator's « Factures », an invoice's page and its printable document, and a
member's « Mes factures »; a screenshot of each, and axe-core on each. Nothing is written
but the two people who sign in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.support import assert_accessible, sign_in, snapshot

COORDINATOR = "factures-navigateur@haut-val.example"
MEMBER = "direction-navigateur@les-marmottes.example"


@pytest.fixture(scope="module")
def people(site: Site) -> dict[str, str]:
    from application.tokens import token_keys
    from bootstrap import bootstrap
    from tests.page_fixtures import add_person

    with bootstrap(site.settings) as ledger:
        keys = token_keys(site.settings)
        add_person(ledger, keys, COORDINATOR, "coordinator", name="Camille Factures")
        add_person(ledger, keys, MEMBER, "partner", "creche-les-marmottes", name="Léna Marmotte")
    return {"coordinator": COORDINATOR, "member": MEMBER}


def test_the_coordinator_reads_a_month_s_invoices_and_opens_one(page: Page, people: dict[str, str]) -> None:
    """April: the drafts (all invoiced), the register with the mark on two invoices, then the
    first marked one and its printable invoice with the mark and the 261 B exemption."""
    sign_in(page, people["coordinator"])
    page.get_by_role("link", name="Groupement d'employeurs", exact=True).click()
    page.get_by_role("link", name="Factures", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Factures")
    page.get_by_label("Mois facturé").select_option("2026-04")
    page.get_by_role("button", name="Afficher").click()
    register = page.get_by_role("table", name="Factures et avoirs d'avril 2026")
    marked = register.get_by_role("row").filter(has_text="feuilles non contresignées")
    expect(marked).to_have_count(2)
    reference = marked.first.get_by_role("link").inner_text()
    snapshot(page, "ge-factures-avril")
    assert_accessible(page)

    marked.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Facture n° {reference}")
    expect(page.get_by_role("heading", name="Émettre un avoir")).to_be_visible()
    snapshot(page, "ge-facture-marquee")
    assert_accessible(page)

    page.get_by_role("link", name="voir la facture").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Facture n° {reference}")
    expect(page.get_by_role("note")).to_contain_text("Feuilles d'heures non toutes contresignées")
    expect(page.locator("body")).to_contain_text("TVA non applicable — exonération, article 261 B du CGI")
    snapshot(page, "ge-facture-marquee-document")
    assert_accessible(page)


def test_a_member_reads_its_own_invoices(page: Page, people: dict[str, str]) -> None:
    """Les Marmottes: an invoice a month, April's marked, each with its documents, and the
    year's regularisation (a credit note); nothing else."""
    sign_in(page, people["member"])
    page.get_by_role("link", name="Mes factures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes factures")
    table = page.get_by_role("table", name="Factures et avoirs")
    expect(table.get_by_role("row").filter(has_text="janvier 2026")).to_have_count(1)
    expect(table.get_by_role("row").filter(has_text="avril 2026")).to_contain_text("feuilles non contresignées")
    expect(table.get_by_role("row").filter(has_text="avoir de régularisation 2026")).to_have_count(1)
    expect(table.get_by_role("row")).to_have_count(7)  # header, four invoices, the regularisation, total
    snapshot(page, "ge-mes-factures")
    assert_accessible(page)
