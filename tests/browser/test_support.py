"""The browser fixtures and helpers themselves: the accessibility check fails a page that
has critical or serious violations and passes a sober one, a screenshot covers the whole
page, a page that reaches outside the site is caught, and a person signs in through the
sign-in page."""

from __future__ import annotations

import struct

import pytest
from playwright.sync_api import Page

from api.pages.session import HOME
from tests.browser.conftest import Offsite, Site
from tests.browser.support import SCREENSHOTS, assert_accessible, sign_in, snapshot

INACCESSIBLE = """<!doctype html><html><head><title>x</title></head><body>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input type="text" name="montant"><button></button></form>
<p style="color:#bbb;background:#fff">Texte peu contrasté</p></body></html>"""

SOBER = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Relevé de mars 2026</title></head>
<body><header><p>encommun</p></header><main><h1>Relevé de mars 2026</h1>
<table><caption>Lignes du relevé</caption><thead><tr><th scope="col">Ressource</th>
<th scope="col">Montant</th></tr></thead><tbody><tr><td>Salle Vercors</td><td>1 234,56 €</td></tr></tbody></table>
<form method="post" action="/contestations"><label for="motif">Motif de la contestation</label>
<input id="motif" name="motif" type="text"><button type="submit">Contester cette ligne</button></form>
</main></body></html>"""


def test_an_inaccessible_page_fails_with_each_violation_named(page: Page) -> None:
    """An image without text, a field without label, an empty button, no lang: the failure
    names each rule, its impact and the element at fault."""
    page.set_content(INACCESSIBLE)
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    report = str(failure.value)
    for rule in ("image-alt", "label", "button-name", "html-has-lang", "color-contrast"):
        assert f"{rule}:" in report, report
    assert "[critical]" in report and "[serious]" in report and 'name="montant"' in report


def test_a_sober_french_page_passes(page: Page) -> None:
    """lang="fr", a title, a main landmark, a table with headers, a labelled field."""
    page.set_content(SOBER)
    assert_accessible(page)


def test_a_snapshot_is_the_whole_page_under_var_screenshots(page: Page) -> None:
    """A page three screens tall gives a PNG three screens tall, named as asked."""
    page.set_content('<html lang="fr"><body style="margin:0"><div style="height:2700px;'
                     'background:linear-gradient(#fff,#246)">Haut de page</div></body></html>')
    path = snapshot(page, "support-tall-page")
    assert path == SCREENSHOTS / "support-tall-page.png"
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    assert (width, height) == (1280, 2700)
    with pytest.raises(ValueError, match="lowercase"):
        snapshot(page, "../Outside")


def test_a_request_outside_the_site_is_refused_and_listed(page: Page, site: Site, offsite: Offsite) -> None:
    """A script from another origin (here another loopback address) never loads; the page
    fixture would fail the test for it, so this test clears the list once it has checked it."""
    page.goto("/docs")
    page.set_content('<html lang="fr"><body><script src="http://127.0.0.2:9/cdn.js"></script></body></html>')
    assert offsite.urls == ["http://127.0.0.2:9/cdn.js"]
    assert page.evaluate("typeof window.fromTheCdn") == "undefined"
    offsite.urls.clear()


def test_the_sign_in_page_passes_the_accessibility_check(page: Page) -> None:
    """/connexion, the first page anyone sees: no critical or serious violation."""
    page.goto("/connexion")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert_accessible(page)
    snapshot(page, "connexion")


@pytest.mark.parametrize("role", ["coordinator", "partner", "auditor", "analyst"])
def test_a_person_of_each_role_signs_in_and_lands_on_their_home(page: Page, site: Site, role: str) -> None:
    """Through the form: the browser holds an HttpOnly session cookie and is on the role's home."""
    sign_in(page, site.people[role])
    assert page.url == site.url(HOME[role])
    cookies = page.context.cookies()
    assert cookies and all(cookie["httpOnly"] for cookie in cookies)


def test_a_refused_sign_in_fails_with_the_page_s_message(page: Page, site: Site) -> None:
    """A wrong password: the helper fails and says what the page said, in French."""
    with pytest.raises(pytest.fail.Exception, match="was refused") as failure:
        sign_in(page, site.people["coordinator"], "pas le bon mot de passe")
    assert "mot de passe incorrect" in str(failure.value)
    snapshot(page, "connexion-refusee")
