"""Signing in to the pages: invitations, passwords, sessions, CSRF, revocation (real stores)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application import people
from application.permissions import Operator
from application.tokens import token_keys
from bootstrap import bootstrap
from tests.api_fixtures import api_settings, prepare
from tests.page_fixtures import PASSWORD, add_person, csrf_of, sign_in


@pytest.fixture
def site(tmp_path: Path):
    settings = api_settings(tmp_path)
    prepare(settings)
    keys = token_keys(settings)
    with bootstrap(settings) as ledger:
        add_person(ledger, keys, "coord@pool.example", "coordinator", name="Camille Coordination")
        add_person(ledger, keys, "tresorier@creche.example", "partner", "creche-a", name="Théo Trésorier")
    with TestClient(create_app(settings), base_url="http://pool.example") as client:
        yield client


def test_a_person_signs_in_lands_on_their_home_and_sees_their_name(site: TestClient):
    """A partner's treasurer signs in and lands on the partner's home, named in the header."""
    response = sign_in(site, "tresorier@creche.example")
    assert response.history[0].status_code == 303
    assert response.history[0].headers["location"] == "/releves"
    cookie = response.history[0].headers["set-cookie"]
    assert "encommun_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_a_wrong_password_and_an_unknown_address_get_the_same_french_answer(site: TestClient):
    """Nothing tells whether an address has an account."""
    wrong = sign_in(site, "tresorier@creche.example", "pas le bon mot de passe")
    unknown = sign_in(site, "personne@nulle.part", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Adresse e-mail ou mot de passe incorrect." in response.text
        assert "encommun_session" not in response.cookies


def test_a_form_posted_without_its_csrf_token_is_refused_and_records_nothing(site: TestClient):
    """Sign-in without the form's token: 403 in French, no session opened."""
    response = site.post("/connexion", data={"email": "tresorier@creche.example", "password": PASSWORD})
    assert response.status_code == 403
    assert "Ce formulaire a expiré" in response.text
    forged = site.post("/connexion", data={"email": "tresorier@creche.example", "password": PASSWORD,
                                           "csrf": "0" * 64})
    assert forged.status_code == 403
    assert "encommun_session" not in site.cookies


def test_the_coordinator_invites_a_person_who_chooses_a_password_and_is_signed_in(site: TestClient, tmp_path):
    """Invitation link shown once to the coordinator; the invited person sets a password from it."""
    sign_in(site, "coord@pool.example")
    people_page = site.get("/coordination/personnes")
    assert people_page.status_code == 200 and "Théo Trésorier" in people_page.text
    sent = site.post("/coordination/personnes", data={
        "csrf": csrf_of(people_page.text), "name": "Alix Auditrice", "email": "Alix@Audit.example",
        "role": "auditor", "partner_id": ""})
    assert sent.status_code == 200 and "Invitation enregistrée pour Alix Auditrice" in sent.text
    link = re.search(r"http://pool\.example(/invitation/[0-9a-f]{32}\.[\w-]+)", sent.text).group(1)
    assert "invitation envoyée" in sent.text

    visitor = TestClient(site.app, base_url="http://pool.example")
    form = visitor.get(link)
    assert form.status_code == 200 and "Bienvenue, Alix Auditrice" in form.text
    short = visitor.post(link, data={"csrf": csrf_of(form.text), "password": "court", "password_again": "court"})
    assert short.status_code == 422 and "au moins 12 caractères" in short.text
    accepted = visitor.post(link, data={"csrf": csrf_of(form.text), "password": PASSWORD, "password_again": PASSWORD})
    assert accepted.history[0].headers["location"] == "/controle"
    assert "encommun_session" in visitor.cookies
    again = visitor.get(link)
    assert again.status_code == 404 and "déjà servi" in html.unescape(again.text)


def test_signing_out_kills_the_session_even_if_its_cookie_is_kept(site: TestClient):
    """A signed-out session's cookie no longer opens any page."""
    sign_in(site, "coord@pool.example")
    kept = site.cookies["encommun_session"]
    page = site.get("/coordination/personnes")
    out = site.post("/deconnexion", data={"csrf": csrf_of(page.text)})
    assert out.history[0].headers["location"] == "/connexion"
    site.cookies.set("encommun_session", kept)
    again = site.get("/coordination/personnes", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/connexion?suite=/coordination/personnes")


def test_revoking_a_person_ends_their_open_sessions(site: TestClient):
    """The coordinator revokes the treasurer: the treasurer's live session is dead at once."""
    treasurer = TestClient(site.app, base_url="http://pool.example")
    sign_in(treasurer, "tresorier@creche.example")
    assert treasurer.get("/", follow_redirects=False).headers["location"] == "/releves"
    sign_in(site, "coord@pool.example")
    page = site.get("/coordination/personnes")
    revoked = site.post("/coordination/personnes/retrait",
                        data={"csrf": csrf_of(page.text), "email": "tresorier@creche.example"})
    assert "L'accès de tresorier@creche.example est retiré." in html.unescape(revoked.text)
    assert treasurer.get("/", follow_redirects=False).headers["location"] == "/connexion"
    assert sign_in(treasurer, "tresorier@creche.example").status_code == 401


def test_a_partner_cannot_open_the_coordinators_pages(site: TestClient):
    """403 in French for a role the page is not for."""
    sign_in(site, "tresorier@creche.example")
    response = site.get("/coordination/personnes")
    assert response.status_code == 403
    assert "<html lang=\"fr\">" in response.text and "pas accessible avec votre rôle" in response.text


def test_an_invitation_names_the_field_to_correct_in_french(site: TestClient):
    """A partner's person with no partner: 422, the partner field marked, nothing recorded."""
    sign_in(site, "coord@pool.example")
    page = site.get("/coordination/personnes")
    refused = site.post("/coordination/personnes", data={
        "csrf": csrf_of(page.text), "name": "Sans Partenaire", "email": "sans@part.example",
        "role": "partner", "partner_id": ""})
    assert refused.status_code == 422
    assert "doit être rattachée à ce partenaire" in refused.text
    assert 'id="partner_id" name="partner_id" aria-invalid="true"' in refused.text
    assert "sans@part.example</td>" not in refused.text
    bad_email = site.post("/coordination/personnes", data={
        "csrf": csrf_of(page.text), "name": "X", "email": "pas-une-adresse", "role": "auditor"})
    assert bad_email.status_code == 422 and "ce n'est pas une adresse e-mail" in html.unescape(bad_email.text)


def test_the_people_are_listed_in_the_json_api_for_coordinators_and_auditors(tmp_path: Path):
    """GET /people: every person invited, with status, never a hash or digest; a partner's token is 403."""
    settings = api_settings(tmp_path)
    tokens = prepare(settings)
    keys = token_keys(settings)
    with bootstrap(settings) as ledger:
        add_person(ledger, keys, "tresorier@creche.example", "partner", "creche-a", name="Théo Trésorier")
        people.invite_person(ledger, Operator("tests"), email="alix@audit.example", name="Alix", role="auditor",
                             partner_id=None, keys=keys)
    with TestClient(create_app(settings)) as client:
        listed = client.get("/people", headers={"Authorization": f"Bearer {tokens['auditor']}"})
        refused = client.get("/people", headers={"Authorization": f"Bearer {tokens['creche']}"})
    assert listed.status_code == 200
    assert [(p["email"], p["role"], p["partner_id"], p["status"]) for p in listed.json()] == [
        ("tresorier@creche.example", "partner", "creche-a", "active"), ("alix@audit.example", "auditor", None, "invited")]
    assert "argon2" not in listed.text and "sha256" not in listed.text
    assert refused.status_code == 403


def test_five_wrong_passwords_make_an_address_wait_even_with_the_right_one(site: TestClient):
    """The sixth try within 15 minutes is refused in French (429) without a password check;
    another address is not held up."""
    for _ in range(5):
        assert sign_in(site, "tresorier@creche.example", "pas le bon mot de passe").status_code == 401
    held = sign_in(site, "tresorier@creche.example")
    assert held.status_code == 429
    assert "Trop de tentatives pour cette adresse : réessayez dans 15 min." in held.text
    assert "encommun_session" not in site.cookies
    assert sign_in(site, "coord@pool.example").status_code == 200
