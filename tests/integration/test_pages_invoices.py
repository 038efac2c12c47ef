"""The GE's invoice pages (real SQLite and DuckDB files, signed in through the sign-in page):
the coordinator's drafts, issuing one member's or the whole month's, refusals in French
with nothing stored, an invoice's page and its credit note; a member's "Mes factures"."""

from __future__ import annotations

from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from application.tokens import token_keys
from bootstrap import bootstrap
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings
from tests import invoice_fixtures as ge
from tests.integration.test_pages_coordination import text_of
from tests.page_fixtures import add_person, app_signed_in, browser, csrf_of, log_end

PEOPLE = {"coordinator": ("coordination@ge.example", None), "creche": ("creche@ge.example", "creche-a"),
          "club": ("club@ge.example", "club-b")}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The GE of tests/invoice_fixtures.py, every sheet countersigned but the maison's."""
    tmp = tmp_path_factory.mktemp("invoice-pages")
    settings = Settings(sqlite_path=tmp / "ledger.sqlite", projection_path=tmp / "projections.duckdb",
                        snapshot_dir=tmp / "snapshots", snapshot_every_s=0)
    keys = token_keys(settings, create=True)
    with bootstrap(settings) as ledger:
        ge.pool(ledger)
        ge.terms(ledger)
        follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "scratch.duckdb"))
        ge.sign_sheets(ledger, follower, leave={"anne:mda:2026-01"})
        follower.view.close()
        for role, (email, partner_id) in PEOPLE.items():
            add_person(ledger, keys, email, "partner" if partner_id else role, partner_id)
    return settings


@pytest.fixture(scope="module")
def coordinator(settings: Settings) -> Iterator[TestClient]:
    with app_signed_in(settings, PEOPLE["coordinator"][0]) as client:
        yield client


def post(client: TestClient, path: str, data: dict, page: str):
    return client.post(path, data={"csrf": csrf_of(client.get(page).text), **data}, follow_redirects=False)


def test_the_month_s_drafts_show_lines_totals_and_sheet_statuses(coordinator: TestClient) -> None:
    """January: the crèche's two employees at their rates, 315,81 €, the maison's unsigned sheet."""
    page = text_of(coordinator.get("/coordination/factures", params={"mois": "2026-01"}))
    for seen in ("Projets de factures de janvier 2026", "Crèche Les Marmots", "Anne Martin", "10,25 h", "22,44 €",
                 "230,01 €", "Bruno Lefèvre", "Total HT 315,81 €", "TVA (exonération, article 261 B du CGI)",
                 "soumise, non contresignée", "Facturer malgré les feuilles d'heures non contresignées",
                 "Émettre toutes les factures du mois", "Aucune facture n'est émise pour janvier 2026."):
        assert seen in page, seen


def test_an_unsigned_month_is_refused_in_french_then_issued_when_accepted(coordinator: TestClient) -> None:
    """The whole month without the box: 422, the French sentence, nothing stored; with it, three invoices."""
    before = log_end(coordinator)
    refused = post(coordinator, "/coordination/factures", {"month": "2026-01"}, "/coordination/factures?mois=2026-01")
    assert refused.status_code == 422 and log_end(coordinator) == before
    assert "Des feuilles d'heures de ce mois ne sont pas contresignées par l'adhérent" in text_of(refused)
    done = post(coordinator, "/coordination/factures", {"month": "2026-01", "accept_unsigned_sheets": "oui"},
                "/coordination/factures?mois=2026-01")
    assert done.status_code == 303
    page = text_of(coordinator.get(done.headers["location"]))
    assert "3 factures émises pour janvier 2026." in page
    assert all(f"FA-00000{n}" in page for n in (1, 2, 3)) and "feuilles non contresignées" in page
    again = post(coordinator, "/coordination/factures", {"month": "2026-01", "partner_id": "creche-a"},
                 "/coordination/factures?mois=2026-01")
    assert again.status_code == 422 and "Cet adhérent a déjà la facture FA-000002 pour ce mois" in text_of(again)


def test_a_credit_note_from_the_invoice_page_refused_beyond_the_balance_then_issued(coordinator: TestClient) -> None:
    """FA-000002 (the crèche, 315,81 €): 400 € is refused naming the field; 10 € is issued as FA-000004."""
    page = "/coordination/factures/FA-000002"
    assert "Reste à créditer : 315,81 € HT" in text_of(coordinator.get(page))
    before = log_end(coordinator)
    refused = post(coordinator, f"{page}/avoir", {"amount": "400", "credit_reason": "Erreur"}, page)
    assert refused.status_code == 422 and log_end(coordinator) == before
    assert "« Montant HT de l'avoir » : un avoir ne dépasse pas ce qui reste" in text_of(refused)
    assert 'aria-invalid="true"' in refused.text
    empty = post(coordinator, f"{page}/avoir", {"amount": "10", "credit_reason": ""}, page)
    assert empty.status_code == 422 and "« Motif de l'avoir » : ce champ est obligatoire." in text_of(empty)
    done = post(coordinator, f"{page}/avoir", {"amount": "10,00", "credit_reason": "Une heure de trop"}, page)
    assert done.status_code == 303
    shown = text_of(coordinator.get(done.headers["location"]))
    assert "Avoir de 10,00 € HT émis sur la facture FA-000002." in shown and "FA-000004" in shown
    assert "Reste à créditer : 305,81 € HT" in shown


def test_a_member_sees_its_own_invoices_and_a_403_page_for_another_s(coordinator: TestClient) -> None:
    """The crèche: its invoice and credit note in « Mes factures », its PDF; the club's: 403."""
    creche = browser(coordinator, PEOPLE["creche"][0])
    try:
        mine = text_of(creche.get("/factures"))
        assert "Mes factures" in mine and "FA-000002" in mine and "FA-000004" in mine and "FA-000001" not in mine
        pdf = creche.get("/factures/FA-000002/facture.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        other = creche.get("/factures/FA-000001/facture.html")
        assert other.status_code == 403 and "autre adhérent" in text_of(other)
        assert creche.get("/coordination/factures").status_code == 403
    finally:
        creche.close()
