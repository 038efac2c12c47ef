"""« Régularisation des tarifs » in Debian's chromium, on its own copier at year end
(tests/settlement_fixtures.py, served by its own uvicorn): the coordinator goes from
« Partenaires et ressources » to the page, reads the yearly statement of uses (the crèche
1,36 €, the club 0,64 € with the remainder's cent), settles on December; the crèche's
treasurer then reads the line on its December statement and opens its trace. A screenshot
of each step, axe-core on each."""

from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from bench.server import Server, serve
from tests.browser.support import assert_accessible, sign_in, snapshot
from tests.browser.test_ge_pages import page as page  # noqa: F401  (the page on this module's server)
from tests.settlement_fixtures import PEOPLE, copier_store


@pytest.fixture(scope="module")
def ge_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser-tariffs")
    with serve(copier_store(tmp), log=tmp / "uvicorn.log") as server:
        yield server


def test_the_coordinator_settles_the_copier_and_the_partner_reads_its_line(page: Page) -> None:
    """Partners and resources → « Régularisation des tarifs » 2026 → the état annuel → settled on
    décembre 2026 → nothing left; then the crèche: December's line of 1,36 € → its trace."""
    sign_in(page, PEOPLE["coordinator"][0])
    page.goto("/coordination/partenaires")
    page.get_by_role("link", name="Régularisation des tarifs").click()
    page.get_by_label("Année").fill("2026")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Régularisation des tarifs 2026")
    uses = page.get_by_role("table", name="État annuel des recours au service Copieur en 2026")
    expect(uses.get_by_role("row", name="Crèche Les Marmots")).to_contain_text("1,36 €")
    expect(uses.get_by_role("row", name="Club de foot")).to_contain_text("28,63 € + 0,01 € de reste")
    snapshot(page, "tarifs-a-regulariser")
    assert_accessible(page)

    page.get_by_label("Mois de la régularisation").select_option("2026-12")
    page.get_by_role("button", name="Régulariser le tarif Copieur au coût réel").click()
    expect(page.locator(".flash")).to_contain_text("Régularisation du tarif Copieur pour 2026 portée aux relevés "
                                                   "de décembre 2026.")
    expect(page.get_by_text("Rien à régulariser")).to_be_visible()
    snapshot(page, "tarifs-regularises")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, PEOPLE["creche"][0])
    page.goto("/releves/2026-12")
    settlements = page.get_by_role("table", name="Régularisations annuelles des tarifs")
    expect(settlements.get_by_role("row", name="Copieur")).to_contain_text("vous facture 1,36 € de plus")
    snapshot(page, "releve-regularisation-tarif")
    assert_accessible(page)

    settlements.get_by_role("link", name="Détail de la régularisation du tarif Copieur 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Copieur — régularisation annuelle du tarif 2026")
    expect(page.locator("#part-exacte")).to_have_text("61,36363636 €")
    snapshot(page, "trace-regularisation-tarif")
    assert_accessible(page)
