"""« Avoirs à rembourser » in Debian's chromium, on the year-end GE of
tests/regularisation_fixtures.py regularised before the server starts (FA-000005, 29,37 € to
the crèche; FA-000006, 7,31 € to the maison des associations): the coordinator records 10,00 €
refunded on FA-000005, 19,37 € left, the refund listed with its event. A screenshot, axe-core."""

from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from bench.server import Server, serve
from tests.browser.support import assert_accessible, sign_in, snapshot
from tests.browser.test_ge_pages import page as page  # noqa: F401  (the page on this module's server)
from tests.regularisation_fixtures import PEOPLE, year_end_store


@pytest.fixture(scope="module")
def ge_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser-refunds")
    settings = year_end_store(tmp, regularised=True)
    with serve(settings, log=tmp / "uvicorn.log") as server:
        yield server


def test_the_coordinator_records_a_part_refund(page: Page) -> None:
    sign_in(page, PEOPLE["coordinator"][0])
    page.goto("/coordination/ge/paiements")
    owed = page.get_by_role("table", name="Avoirs de régularisation restant à rembourser")
    expect(owed.get_by_role("row").filter(has_text="FA-00000")).to_have_count(2)
    form = page.locator("form[action='/coordination/ge/paiements/remboursements']")
    form.get_by_label("Avoir").select_option("5")
    form.get_by_label("Montant remboursé").fill("10")
    form.get_by_label("Moyen et référence du remboursement").fill("virement 0115")
    form.get_by_role("button", name="Enregistrer le remboursement").click()
    expect(page.locator(".flash")).to_contain_text("Remboursement de 10,00\u00a0€ enregistré sur l'avoir FA-000005")
    expect(owed.get_by_role("row").filter(has_text="FA-000005")).to_contain_text("19,37\u00a0€")
    refunds = page.get_by_role("table", name="Remboursements enregistrés")
    expect(refunds.get_by_role("row").filter(has_text="virement 0115")).to_have_count(1)
    snapshot(page, "ge-avoir-rembourse")
    assert_accessible(page)
