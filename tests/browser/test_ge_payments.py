"""« Paiements et impayés » in Debian's chromium, on its own small GE (tests/regularisation_fixtures.py:
January invoiced, FA-000001 to FA-000003, issued the day the test runs and due 30 days later;
served by its own uvicorn): the coordinator opens the page from the hub, has a payment above
what is left refused, records a part payment, reads the payments received, then the list on a
day 45 days on, every invoice late; the crèche reads « Mes factures » with its invoice partly
paid. A screenshot of each step, axe-core on each."""

from __future__ import annotations

from datetime import timedelta
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from api.pages.ge_hub import today
from bench.server import Server, serve
from tests.browser.support import assert_accessible, sign_in, snapshot
from tests.browser.test_ge_pages import page as page  # noqa: F401  (the page on this module's server)
from tests.regularisation_fixtures import PEOPLE, year_end_store


@pytest.fixture(scope="module")
def ge_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser-payments")
    with serve(year_end_store(tmp), log=tmp / "uvicorn.log") as server:
        yield server


def test_the_coordinator_records_a_part_payment_and_reads_what_is_late(page: Page) -> None:
    """Hub → « Paiements et impayés » (three invoices, 434,76 € to pay) → 400,00 € on FA-000002
    refused (315,81 € left) → 200,00 € recorded, 115,81 € left, the payment listed with its
    event → 45 days on, the three invoices 15 days late."""
    sign_in(page, PEOPLE["coordinator"][0])
    page.get_by_role("link", name="Groupement d'employeurs", exact=True).click()
    page.get_by_role("link", name="Paiements et impayés").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paiements et impayés")
    unpaid = page.get_by_role("table", name="Factures restant à payer")
    expect(unpaid.get_by_role("row").filter(has_text="FA-00000")).to_have_count(3)
    expect(page.locator("#telles-qu-au")).to_contain_text("3 factures à payer, 434,76\u00a0€ en tout")
    snapshot(page, "ge-paiements")
    assert_accessible(page)

    form = page.locator("form[action='/coordination/ge/paiements#enregistrer']")
    form.get_by_label("Facture").select_option("2")
    form.get_by_label("Montant reçu").fill("400")
    form.get_by_label("Moyen et référence du paiement").fill("virement 0220")
    form.get_by_role("button", name="Enregistrer le paiement").click()
    expect(page.get_by_role("alert")).to_contain_text("« Montant reçu » : il reste 315,81\u00a0€ à payer sur FA-000002")
    snapshot(page, "ge-paiement-refuse")
    assert_accessible(page)

    form.get_by_label("Montant reçu").fill("200,00")
    form.get_by_role("button", name="Enregistrer le paiement").click()
    expect(page.locator(".flash")).to_contain_text("Paiement de 200,00\u00a0€ enregistré sur FA-000002")
    expect(unpaid.get_by_role("row").filter(has_text="FA-000002")).to_contain_text("115,81\u00a0€")
    received = page.get_by_role("table", name="Paiements enregistrés")
    expect(received.get_by_role("row").filter(has_text="virement 0220")).to_have_count(1)
    snapshot(page, "ge-paiement-enregistre")
    assert_accessible(page)

    page.get_by_label("Impayés au").fill((today() + timedelta(days=45)).isoformat())
    page.get_by_role("button", name="Afficher").click()
    expect(unpaid.get_by_role("row").filter(has_text="15 jours")).to_have_count(3)
    snapshot(page, "ge-impayes-a-45-jours")
    assert_accessible(page)

    received.get_by_role("link", name="événement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal des événements")
    expect(page.locator("tbody tr").first).to_contain_text("Paiement d'une facture")


def test_the_member_reads_its_invoice_partly_paid(page: Page) -> None:
    """The crèche's « Mes factures »: FA-000002 partly paid, 115,81 € left, and its due day."""
    sign_in(page, PEOPLE["creche"][0])
    page.get_by_role("link", name="Mes factures").click()
    invoices = page.get_by_role("table", name="Factures et avoirs")
    expect(invoices.get_by_role("row").filter(has_text="FA-000002")).to_contain_text(
        "partiellement payée (reste 115,81\u00a0€), à payer au plus tard le")
    expect(invoices).to_contain_text("reste à payer : 115,81\u00a0€")
    snapshot(page, "ge-mes-factures-paiement")
    assert_accessible(page)
