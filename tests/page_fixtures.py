"""People who sign in to the pages, and a signed-in browser-less client (TestClient)."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from fastapi.testclient import TestClient
from rich.console import Console

from api.app import create_app
from application import people
from application.ledger import Ledger
from application.permissions import Operator
from application.tokens import TokenKeys, token_keys
from bootstrap import bootstrap
from demo.run import load_demo
from settings import Settings

PASSWORD = "une phrase de passe assez longue"
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def add_person(ledger: Ledger, keys: TokenKeys, email: str, role: str, partner_id: str | None = None,
               name: str | None = None, password: str = PASSWORD, employee_id: str | None = None) -> str:
    """Invite someone and accept the invitation with `password`; their e-mail."""
    link = people.invite_person(ledger, Operator("tests"), email=email, name=name or email.split("@")[0].title(),
                                role=role, partner_id=partner_id, employee_id=employee_id, keys=keys)
    people.accept_invitation(ledger, link, password, keys=keys)
    return email


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD):
    """Sign in through the sign-in page, as a browser would; the response after the redirect."""
    form = client.get("/connexion")
    return client.post("/connexion", data={"email": email, "password": password, "csrf": csrf_of(form.text)})


# The demo pool (demo/haut_val.py) with a person per role, for the pages' tests: months
# closed, a late credit note and disputes (load_demo(close=True)).
DEMO_PEOPLE = {
    "coordinator": ("coordination@haut-val.example", None, "Camille Roux"),
    "partner": ("tresorerie@mission-locale.example", "mission-locale", "Inès Martin"),
    "other_partner": ("accueil@france-services.example", "france-services", "Paul Girard"),
    "auditor": ("audit@haut-val.example", None, "Alix Bernard"),
    "analyst": ("analyse@haut-val.example", None, "Sacha Petit"),
}


@contextmanager
def app_signed_in(settings: Settings, email: str, base_url: str = "http://ge.example") -> Iterator[TestClient]:
    """The app on `settings`, running, with `email` signed in: the browser the others'
    (`browser`) share the app of."""
    with TestClient(create_app(settings), base_url=base_url) as client:
        sign_in(client, email)
        yield client


def browser(app: TestClient, email: str) -> TestClient:
    """Another person's browser on the app `app` runs (one follower of the projections, as
    one server has), signed in as `email`."""
    client = TestClient(app.app, base_url=str(app.base_url))
    sign_in(client, email)
    return client


def log_end(client: TestClient) -> int:
    """The end of the event log behind a page client: a refused form leaves it where it was."""
    return client.app.state.services.ledger.recorder.max_notification_id()


def demo_store(tmp: Path, months: int = 3) -> Settings:
    """A demo store under `tmp` (closed months, disputes) with DEMO_PEOPLE; its settings."""
    settings = Settings(sqlite_path=tmp / "demo.sqlite", projection_path=tmp / "demo.duckdb",
                        snapshot_dir=tmp / "snapshots", snapshot_every_s=0)
    status = load_demo(settings.sqlite_path, months=months, close=True, console=Console(file=io.StringIO()))
    assert status == 0, "the demo did not load"
    keys = token_keys(settings, create=True)
    with bootstrap(settings) as ledger:
        for key, (email, partner_id, name) in DEMO_PEOPLE.items():
            add_person(ledger, keys, email, key.replace("other_", ""), partner_id, name=name)
    return settings


def demo_client(settings: Settings) -> TestClient:
    """A TestClient on the demo store (enter it: `with demo_client(s) as client`)."""
    return TestClient(create_app(settings), base_url="http://haut-val.example")
