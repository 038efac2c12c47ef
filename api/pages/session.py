"""Who is looking at a page: the session cookie, the roles a page needs, CSRF on every form.

The session cookie holds the session's secret (application/people.py keeps its digest);
HttpOnly, SameSite=Lax, Secure when the page was served over HTTPS. Every form carries a
CSRF token, an HMAC by the token key of the session (or, before sign-in, of a random
cookie of its own), checked before anything else is read from the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from api.auth import keys_of
from application.people import SESSION_VALID_FOR, SignedIn, find_session

SESSION_COOKIE = "encommun_session"
ANONYMOUS_COOKIE = "encommun_visitor"
CSRF_FIELD = "csrf"
# Where each role lands after signing in.
HOME = {"partner": "/releves", "coordinator": "/coordination", "auditor": "/controle", "analyst": "/analyse",
        "employee": "/salarie/feuilles-heures"}


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to the sign-in page."""

    def __init__(self, path: str) -> None:
        self.path = path


class PageError(Exception):
    """A page refuses, with a status and a French sentence for the person."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message


def signed_in(request: Request) -> SignedIn | None:
    """The live session of this request's cookie, looked up once per request."""
    if "signed_in" not in request.state._state:
        secret = request.cookies.get(SESSION_COOKIE, "")
        services = request.app.state.services
        request.state.signed_in = find_session(services.ledger, secret, keys_of(request)) if secret else None
    return request.state.signed_in


def person(request: Request) -> SignedIn:
    found = signed_in(request)
    if found is None:
        raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return found


def roles(*allowed: str):
    """A dependency: the signed-in person, if their role is one of these (else a 403 page)."""

    def check(request: Request) -> SignedIn:
        found = person(request)
        if found.role not in allowed:
            raise PageError(403, "Cette page n'est pas accessible avec votre rôle.")
        return found

    return check


PersonDep = Annotated[SignedIn, Depends(person)]
PartnerDep = Annotated[SignedIn, Depends(roles("partner"))]
CoordinatorDep = Annotated[SignedIn, Depends(roles("coordinator"))]
AuditorDep = Annotated[SignedIn, Depends(roles("auditor", "coordinator"))]
AnalystDep = Annotated[SignedIn, Depends(roles("analyst", "auditor", "coordinator"))]
EmployeeDep = Annotated[SignedIn, Depends(roles("employee"))]


def sign_in_url(next_path: str) -> str:
    return f"/connexion?suite={quote(next_path, safe='/')}"


def _binding(request: Request) -> str:
    found = signed_in(request)
    if found is not None:
        return "session\n" + found.session.session_sha256
    return "visitor\n" + _visitor_id(request)


def _visitor_id(request: Request) -> str:
    """The random id of a visitor not signed in, made on first need and set on the response."""
    value = request.cookies.get(ANONYMOUS_COOKIE) or getattr(request.state, "new_visitor", None)
    if not value:
        value = request.state.new_visitor = secrets.token_urlsafe(24)
    return value


def csrf_token(request: Request) -> str:
    key = keys_of(request).current or b""
    return hmac.new(key, b"encommun-csrf-v1\n" + _binding(request).encode(), hashlib.sha256).hexdigest()


def _csrf_valid(request: Request, sent: str) -> bool:
    keys = keys_of(request).accepted
    binding = b"encommun-csrf-v1\n" + _binding(request).encode()
    return any(hmac.compare_digest(sent, hmac.new(key, binding, hashlib.sha256).hexdigest()) for key in keys)


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token is checked (403 page otherwise)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not _csrf_valid(request, sent):
        raise PageError(403, "Ce formulaire a expiré ou ne vient pas de cette page : "
                             "rechargez la page et recommencez.")
    return form


FormDep = Annotated[FormData, Depends(checked_form)]


def set_cookies(request: Request, response: Response) -> Response:
    """The visitor cookie made for this request's CSRF token, if any."""
    new_visitor = getattr(request.state, "new_visitor", None)
    if new_visitor:
        response.set_cookie(ANONYMOUS_COOKIE, new_visitor, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
    return response


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        max_age=int(SESSION_VALID_FOR.total_seconds()))


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
