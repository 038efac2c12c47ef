"""A member's regularisation trace in Debian's chromium, on the small GE at year end
(tests/regularisation_fixtures.py, served by its own uvicorn): the coordinator opens the
crèche's line from « Régularisation de l'année » and reads its costs, its invoice lines, the
split of Anne's cost with the crèche's remainder cent and its hours; a screenshot, axe-core."""

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
    tmp = tmp_path_factory.mktemp("browser-regularisation-trace")
    with serve(year_end_store(tmp), log=tmp / "uvicorn.log") as server:
        yield server


def test_the_coordinator_traces_a_members_regularisation_line(page: Page) -> None:
    """« Régularisation de l'année » → « Association Les Marmots »: 400,00 € of costs, 315,81 €
    billed, Anne's 192,1875 € floored to 192,18 € plus the remainder's cent, a credit note of 29,37 €."""
    sign_in(page, PEOPLE["coordinator"][0])
    page.goto("/coordination/ge/regularisation?annee=2026")
    page.get_by_role("link", name="Association Les Marmots").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Régularisation 2026 — Association Les Marmots")
    expect(page.locator("#total-couts")).to_have_text("400,00 €")
    expect(page.locator("#total-facture")).to_have_text("315,81 €")
    expect(page.locator("tr.this-member").first).to_contain_text("192,1875 €")
    expect(page.locator("tr.this-member").first).to_contain_text("+ 0,01 €")
    expect(page.locator("#ecart-membre")).to_have_text("-29,37 €")
    snapshot(page, "ge-regularisation-trace")
    assert_accessible(page)
