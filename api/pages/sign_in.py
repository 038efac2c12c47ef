"""Signing in and out, and accepting an invitation: the pages anyone may open."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.auth import keys_of
from api.pages.messages import french
from api.pages.render import page, redirect
from api.pages.throttle import SignInThrottle
from api.pages.session import HOME, FormDep, clear_session_cookie, set_session_cookie, signed_in
from application import people
from domain.errors import DomainError

router = APIRouter(tags=["pages"], include_in_schema=False)


def _safe_next(value: str | None, role: str) -> str:
    """Back to the page that asked for a sign-in, if it is one of ours (never another site)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return HOME[role]


def _throttle(request: Request) -> SignInThrottle:
    return request.app.state.sign_in_throttle  # made by api/pages/__init__.py register()


@router.get("/")
def home(request: Request) -> RedirectResponse:
    who = signed_in(request)
    return RedirectResponse(HOME[who.role] if who else "/connexion", status_code=303)


@router.get("/connexion", response_class=HTMLResponse)
def sign_in_form(request: Request, suite: str | None = None) -> HTMLResponse:
    who = signed_in(request)
    if who is not None:
        return redirect(request, _safe_next(suite, who.role))
    return page(request, "sign_in.html", title="Connexion", suite=suite or "", email="", error=None)


@router.post("/connexion", response_class=HTMLResponse)
def sign_in(request: Request, form: FormDep) -> HTMLResponse:
    services = request.app.state.services
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    suite = str(form.get("suite", ""))
    throttle = _throttle(request)
    wait_s = throttle.wait_s(email)
    if wait_s > 0:
        return page(request, "sign_in.html", status=429, title="Connexion", suite=suite, email=email, field="password",
                    error=f"Trop de tentatives pour cette adresse : réessayez dans {math.ceil(wait_s / 60)} min.")
    try:
        secret = people.sign_in(services.ledger, email, password, keys=keys_of(request))
    except DomainError as error:
        throttle.failed(email)
        field, message = french(error)
        return page(request, "sign_in.html", status=401, title="Connexion", suite=suite, email=email,
                    error=message, field=field)
    throttle.succeeded(email)
    found = people.find_session(services.ledger, secret, keys_of(request))
    response = redirect(request, _safe_next(suite, found.role), message=f"Bonjour {found.person.name}.")
    set_session_cookie(request, response, secret)
    return response


@router.post("/deconnexion")
def sign_out(request: Request, _: FormDep) -> RedirectResponse:
    who = signed_in(request)
    if who is not None:
        people.sign_out(request.app.state.services.ledger, who)
    response = redirect(request, "/connexion", message="Vous êtes déconnecté.")
    clear_session_cookie(response)
    return response


@router.get("/invitation/{secret}", response_class=HTMLResponse)
def invitation_form(request: Request, secret: str) -> HTMLResponse:
    invited = people.invited_person(request.app.state.services.ledger, secret)
    if invited is None or invited.status != "invited":
        message = ("Ce lien d'invitation a déjà servi : connectez-vous avec votre mot de passe."
                   if invited is not None and invited.status == "active"
                   else "Ce lien d'invitation n'est pas valable.")
        return page(request, "error.html", status=404, title="Invitation", message=message)
    return page(request, "invitation.html", title="Choisir votre mot de passe", invited=invited,
                min_length=people.MIN_PASSWORD_LENGTH, error=None, field=None)


@router.post("/invitation/{secret}", response_class=HTMLResponse)
def accept_invitation(request: Request, secret: str, form: FormDep) -> HTMLResponse:
    services = request.app.state.services
    invited = people.invited_person(services.ledger, secret)
    password, again = str(form.get("password", "")), str(form.get("password_again", ""))
    error, field = None, None
    if password != again:
        error, field = "Les deux mots de passe ne sont pas identiques.", "password_again"
    else:
        try:
            person = people.accept_invitation(services.ledger, secret, password, keys=keys_of(request))
        except DomainError as refused:
            field, error = french(refused)
    if error is not None:
        if invited is None:
            return page(request, "error.html", status=404, title="Invitation", message=error)
        return page(request, "invitation.html", status=422, title="Choisir votre mot de passe", invited=invited,
                    min_length=people.MIN_PASSWORD_LENGTH, error=error, field=field)
    # Signed in at once: the link and the password just chosen prove who this is.
    session = people.sign_in(services.ledger, person.email, password, keys=keys_of(request))
    response = redirect(request, HOME[person.role],
                        message=f"Bienvenue {person.name} : votre mot de passe est enregistré.")
    set_session_cookie(request, response, session)
    return response
