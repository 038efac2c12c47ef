"""/docs in Debian's chromium: Swagger UI loads from the app alone (the `page` fixture
refuses any other origin), and "Authorize" + "Try it out" work with a token."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.support import snapshot


def test_docs_renders_swagger_ui_from_the_app_s_own_assets(page: Page, site: Site) -> None:
    """The operations are listed and the Authorize button is there, with nothing loaded from
    elsewhere; the assets came from /docs/assets."""
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    page.goto("/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    paths = len(page.request.get("/openapi.json").json()["paths"])
    assert page.locator(".opblock").count() >= paths
    expect(page.locator(".opblock-summary-path", has_text=re.compile(r"^/months$"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Authorize"))).to_be_visible()
    assert site.url("/docs/assets/swagger-ui-bundle.js") in loaded
    assert site.url("/docs/assets/swagger-ui.css") in loaded
    snapshot(page, "docs")


def test_try_it_out_on_get_periods_answers_200_once_authorized(page: Page, site: Site) -> None:
    """Without a token GET /periods answers 401; after Authorize with the coordinator's token,
    "Try it out" sends it and the page shows 200 and the closed months."""
    page.goto("/docs")
    operation = page.locator("#operations-closing-periods_periods_get")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()

    with page.expect_response(lambda r: r.url.startswith(site.url("/periods"))) as refused:
        operation.get_by_role("button", name="Execute").click()
    assert refused.value.status == 401

    page.get_by_role("button", name=re.compile("Authorize")).first.click()
    dialog = page.locator(".modal-ux")
    dialog.locator("input").fill(site.tokens["coordinator"])
    dialog.get_by_role("button", name="Apply credentials").click()
    dialog.get_by_role("button", name="Close").click()

    with page.expect_response(lambda r: r.url.startswith(site.url("/periods"))) as answered:
        operation.get_by_role("button", name="Execute").click()
    assert answered.value.status == 200
    assert answered.value.request.headers["authorization"] == f"Bearer {site.tokens['coordinator']}"
    assert [p["month"] for p in answered.value.json()] == ["2026-01", "2026-02"]
    live = operation.locator(".live-responses-table tbody .response-col_status")
    expect(live.first).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text("2026-02")
    snapshot(page, "docs-try-it-out")


def test_redoc_is_not_served(page: Page) -> None:
    """No /redoc (ReDoc loads its logo from a CDN): a 404, not a blank page."""
    assert page.goto("/redoc").status == 404
