"""What every browser test uses on a page: signing in as a person does, a screenshot to look
at, and the accessibility check (axe-core, from the axe-playwright-python package) that
every page must pass."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.page_fixtures import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
# Git-ignored (var/): the tests write them, a person looks at them.
SCREENSHOTS = ROOT / "var" / "screenshots"
# RGAA 4.1 is built on WCAG 2.1 AA: these impacts fail a page; "moderate" and "minor" are
# reported by axe but left to judgement.
FAILING_IMPACTS = ("critical", "serious")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_axe = Axe()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Through the sign-in page, with the keyboard's labels, as a person would: the session
    cookie lands in the page's context. Fails with the page's message if it is refused."""
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    if urlparse(page.url).path == "/connexion":
        pytest.fail(f"signing in as {email} was refused: {page.locator('main').inner_text()}", pytrace=False)


def snapshot(page: Page, name: str) -> Path:
    """A full-page screenshot at var/screenshots/<name>.png (a lowercase-and-dashes name);
    its path, to look at."""
    if not _NAME.match(name):
        raise ValueError(f"screenshot name {name!r}: use lowercase letters, digits and dashes")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def accessibility_violations(page: Page, *, context: str | dict | None = None) -> list[dict]:
    """axe-core's violations on the page as it is now (or within `context`, a CSS selector
    or axe's include/exclude object), with their impact."""
    return _axe.run(page, context=context).response["violations"]


def assert_accessible(page: Page, *, context: str | dict | None = None) -> None:
    """Fail, with a readable list, on any critical or serious axe-core violation."""
    failing = [v for v in accessibility_violations(page, context=context) if v["impact"] in FAILING_IMPACTS]
    if failing:
        pytest.fail(f"{page.url}: {len(failing)} critical or serious accessibility violation(s)\n"
                    + "\n".join(describe(v) for v in failing), pytrace=False)


def describe(violation: dict, max_nodes: int = 5) -> str:
    """One violation: its rule, impact and help, then the elements at fault."""
    lines = [f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"]
    for node in violation["nodes"][:max_nodes]:
        target = " ".join(str(t) for t in node["target"])
        # axe lists every way the element could pass; its first alternative is the plain reason.
        reasons = [check["message"] for check in node.get("any", [])[:1] + node.get("all", []) + node.get("none", [])]
        lines.append(f"    at {target}: {'; '.join(reasons)}")
        lines.append(f"       {' '.join(node['html'].split())[:200]}")
    if len(violation["nodes"]) > max_nodes:
        lines.append(f"    … and {len(violation['nodes']) - max_nodes} more element(s)")
    return "\n".join(lines)
