"""The GE's « Régularisation de l'année » in Debian's chromium, on its own small GE at year end
(tests/regularisation_fixtures.py, served by its own uvicorn): the coordinator opens the page
from the hub, reads each member's difference, issues the regularisation and sees the three
documents, then opens one; a screenshot of each step, axe-core on each."""

from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.server import Server, serve
from tests.browser.support import assert_accessible, sign_in, snapshot
from tests.browser.test_ge_pages import page as page  # noqa: F401  (the page on this module's server)
from tests.regularisation_fixtures import PEOPLE, year_end_store


@pytest.fixture(scope="module")
def ge_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser-regularisation")
    with serve(year_end_store(tmp), log=tmp / "uvicorn.log") as server:
        yield server


def test_the_coordinator_issues_the_years_regularisation_and_sees_the_documents(page: Page) -> None:
    """Hub → « Régularisation de l'année » (credit notes of 29,37 € and 7,31 €, a complementary
    invoice of 1,92 €, a result of 0,00 €) → « Émettre la régularisation » → FA-000004 to
    FA-000006 listed, every difference « rien » → the club's complementary invoice."""
    sign_in(page, PEOPLE["coordinator"][0])
    page.goto("/coordination/ge")
    page.get_by_role("link", name="Régularisation de l'année").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Régularisation de l'année 2026")
    members = page.get_by_role("table", name="Coût réel, facturé et écart de chaque adhérent en 2026, et ce que la "
                                             "régularisation émet")
    expect(members.get_by_role("row", name="Association Les Marmots")).to_contain_text("avoir de 29,37 €")
    expect(members.get_by_role("row", name="Football club du Haut-Val")).to_contain_text(
        "facture complémentaire de 1,92 €")
    expect(page.locator("#resultat")).to_contain_text("le résultat du groupement pour 2026 est de 0,00 €")
    snapshot(page, "ge-regularisation-a-emettre")
    assert_accessible(page)

    page.get_by_role("button", name="Émettre la régularisation").click()
    expect(page.locator(".flash")).to_contain_text("Régularisation de l'année 2026 émise : 1 facture complémentaire "
                                                   "et 2 avoirs.")
    documents = page.get_by_role("table", name="Factures complémentaires et avoirs de régularisation de l'année 2026")
    expect(documents.get_by_role("row")).to_have_count(4)
    expect(documents.get_by_role("row", name="FA-000005")).to_contain_text("Avoir de régularisation 2026")
    expect(members.get_by_role("row", name="Football club du Haut-Val")).to_contain_text("0,00 € rien")
    expect(page.get_by_text("Aucun écart : il n'y a rien à régulariser pour 2026.")).to_be_visible()
    snapshot(page, "ge-regularisation-emise")
    assert_accessible(page)

    documents.get_by_role("link", name="FA-000004").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Facture de régularisation 2026 n° FA-000004")
    snapshot(page, "ge-regularisation-facture")
    assert_accessible(page)
