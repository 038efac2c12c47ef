"""People who sign in to the pages, and a signed-in browser-less client (TestClient)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from application import people
from application.ledger import Ledger
from application.permissions import Operator
from application.tokens import TokenKeys

PASSWORD = "une phrase de passe assez longue"
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def add_person(ledger: Ledger, keys: TokenKeys, email: str, role: str, partner_id: str | None = None,
               name: str | None = None, password: str = PASSWORD) -> str:
    """Invite someone and accept the invitation with `password`; their e-mail."""
    link = people.invite_person(ledger, Operator("tests"), email=email, name=name or email.split("@")[0].title(),
                                role=role, partner_id=partner_id, keys=keys)
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
