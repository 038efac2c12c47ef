"""The web pages under the API bench's load: a coordinator signed in (a person invited and
accepted on the bench's copy of the store), its session cookie, and the page workloads:
a partner's statement page and a line's trace page (the coordinator opens a partner's pages
with `?partenaire=`), and the coordinator's dashboard."""

from __future__ import annotations

from typing import Callable, Iterator

import httpx

from application import people
from application.ledger import Ledger
from application.permissions import Operator
from application.tokens import TokenKeys

EMAIL = "bench@encommun.example"
PASSWORD = "a bench pass phrase, long enough"
COOKIE = "encommun_session"

Request = Callable[[httpx.Client], tuple[httpx.Response, str]]


def coordinator_session(ledger: Ledger, keys: TokenKeys) -> str:
    """A coordinator's session secret (the cookie's value), on the bench's copy."""
    link = people.invite_person(ledger, Operator("bench"), email=EMAIL, name="Bench", role="coordinator",
                                partner_id=None, keys=keys)
    people.accept_invitation(ledger, link, PASSWORD, keys=keys)
    return people.sign_in(ledger, EMAIL, PASSWORD, keys=keys)


def statement_pages(statements: list[tuple[str, str, bool]]) -> Iterator[Request]:
    i = 0
    while True:
        partner, month, closed = statements[i % len(statements)]
        yield lambda client, p=partner, m=month, c=closed: (
            client.get(f"/releves/{m}", params={"partenaire": p}), "closed" if c else "open")
        i += 1


def trace_pages(traces: list[tuple[str, str, str, bool]]) -> Iterator[Request]:
    i = 0
    while True:
        partner, month, resource, closed = traces[i % len(traces)]
        yield lambda client, p=partner, m=month, r=resource, c=closed: (
            client.get(f"/releves/{m}/lignes/{r}", params={"partenaire": p}), "closed" if c else "open")
        i += 1


def dashboards() -> Iterator[Request]:
    while True:
        yield lambda client: (client.get("/coordination"), "")
