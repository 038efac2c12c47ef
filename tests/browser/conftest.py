"""Browser fixtures: the demo territory served by a real `uvicorn`, and Debian's chromium
driven by Playwright.

`site` loads Haut-Val (4 months: two closed, a late credit note, a rejected and an accepted
dispute; demo/run.load_demo) with a person per role who can sign in (tests/page_fixtures.py:
DEMO_PEOPLE, PASSWORD) into a temporary store, issues a token per role for the API and
serves it on loopback (bench/server.py), once for the package (stopped, like the browser,
after its last test, so that the rest of the suite runs without them). `browser` is the
`chromium` on PATH, headless, with a fresh profile; Playwright never downloads a browser of
its own. `page` is a new page in a new context (no cookies, French, Europe/Paris) for each
test, and it refuses every request that leaves the site: a page that needs a CDN fails.

Without chromium the browser tests fail under CI=true (it must install it: .ci/run) and are
skipped, with a warning that says so, elsewhere. Screenshots: tests/browser/support.py.
"""

from __future__ import annotations

import os
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, Request, Route, sync_playwright

from bench.server import Server, serve
from settings import Settings
from tests.conftest import IN_CI
from tests.page_fixtures import DEMO_PEOPLE, demo_store

DEMO_MONTHS = 4
DEMO_PARTNER = DEMO_PEOPLE["partner"][1]  # the partner token's, the same as the partner person's
# As the environment notes say: as root chromium needs --no-sandbox, and with background
# networking on it keeps calling hosts this machine cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic",
                 # The browser's own widgets (a date field's jj/mm/aaaa) in French, as a French
                 # coordinator's browser draws them: the context's locale alone leaves them in English.
                 # On Linux chromium takes its language from LANGUAGE (CHROMIUM_ENV) and needs its
                 # French resources (Debian's chromium-l10n); without them the fields stay in English.
                 "--lang=fr-FR"]
CHROMIUM_ENV = {"LANGUAGE": "fr"}
TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Site:
    """The demo served on loopback: its URL, its settings, a token per role, and the e-mail
    of a person per role (DEMO_PEOPLE's keys: coordinator, partner, other_partner, auditor,
    analyst), who signs in with PASSWORD (tests/browser/support.py: sign_in)."""

    server: Server
    settings: Settings
    tokens: dict[str, str]
    people: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@dataclass
class Offsite:
    """Requests a page tried to send outside the site (refused)."""

    urls: list[str] = field(default_factory=list)


def _demo_store(tmp: Path) -> tuple[Settings, dict[str, str]]:
    from application.tokens import issue_token, token_keys
    from bootstrap import bootstrap

    settings = demo_store(tmp, months=DEMO_MONTHS)
    keys = token_keys(settings)
    with bootstrap(settings) as ledger:
        tokens = {
            "coordinator": issue_token(ledger, "coordinator", label="browser coordinator", keys=keys),
            "auditor": issue_token(ledger, "auditor", label="browser auditor", keys=keys),
            "analyst": issue_token(ledger, "analyst", label="browser analyst", keys=keys),
            "partner": issue_token(ledger, "partner", partner_id=DEMO_PARTNER, label="browser partner", keys=keys),
        }
    return settings, tokens


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Haut-Val served by uvicorn for every browser test (tests must not change what others
    read: a test that writes writes its own partner's, month's or resource's data)."""
    tmp = tmp_path_factory.mktemp("browser-site")
    settings, tokens = _demo_store(tmp)
    with serve(settings, log=tmp / "uvicorn.log") as server:
        yield Site(server, settings, tokens, {role: email for role, (email, _, _) in DEMO_PEOPLE.items()})


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        reason = "chromium not found on PATH (apt-get install chromium): the browser tests did NOT run"
        if IN_CI:
            pytest.fail(reason + " — in CI they must", pytrace=False)
        warnings.warn(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright: Playwright, chromium_path: str) -> Iterator[Browser]:
    """Debian's chromium, headless; Playwright gives each launch a fresh temporary profile."""
    browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS,
                                         env={**os.environ, **CHROMIUM_ENV}, timeout=60_000)
    yield browser
    browser.close()


@pytest.fixture
def offsite() -> Offsite:
    return Offsite()


@pytest.fixture
def page(browser: Browser, site: Site, offsite: Offsite) -> Iterator[Page]:
    """A fresh page (new context: no cookies, no storage) on the site, in French, 1280 px wide.
    Requests to any other origin are aborted and listed; the test fails if there was one."""
    context = browser.new_context(base_url=site.base_url, locale="fr-FR", timezone_id="Europe/Paris",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)

    def guard(route: Route, request: Request) -> None:
        if request.url.startswith(site.base_url + "/") or request.url == site.base_url:
            route.continue_()
        else:
            offsite.urls.append(request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
    assert not offsite.urls, f"the page tried to load from outside the site: {offsite.urls}"
