"""A member signs its hour sheet in Debian's chromium: « Mes feuilles d'heures », the entries
of the sheet left unsigned in the demo's last month, « Signer »; screenshot and axe-core check
(no critical or serious violation) before and after."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from application.tokens import token_keys
from bootstrap import bootstrap
from tests.browser import support
from tests.page_fixtures import add_person

# The demo leaves this member's sheet of its last month unsigned (demo/hour_sheets.py); no
# other browser test reads hour sheets, and a signature moves no statement.
PARTNER = "creche-les-marmottes"
EMAIL = "direction@creche-les-marmottes.example"


def test_a_member_signs_its_hour_sheet(page: Page, site) -> None:
    """The unsigned sheet shows its days and hours; after « Signer » it reads « Signée par … »."""
    with bootstrap(site.settings) as ledger:
        add_person(ledger, token_keys(site.settings), EMAIL, "partner", PARTNER, name="Nora Directrice")
    support.sign_in(page, EMAIL)
    page.get_by_role("link", name="Mes feuilles d'heures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes feuilles d'heures")
    sheet = page.locator("article.hour-sheet").filter(has=page.get_by_role("button", name="Signer"))
    expect(sheet).to_have_count(1)
    expect(sheet.get_by_role("table")).to_contain_text("Total")
    support.snapshot(page, "member-hour-sheets")
    support.assert_accessible(page)

    sheet.get_by_role("button", name="Signer").click()
    expect(page.locator(".flash")).to_contain_text("Feuille d'heures signée")
    expect(page.get_by_text("Signée par Nora Directrice", exact=True)).to_have_count(1)
    expect(page.get_by_role("button", name="Signer")).to_have_count(0)
    support.snapshot(page, "member-hour-sheet-signed")
    support.assert_accessible(page)
