"""GE invoices over HTTP (real SQLite and DuckDB files): issuing, the register, one invoice
as JSON, PDF and CSV with every mandatory mention of a French invoice (read back from the
PDF's text), credit notes, and who may do what (a member reads its own only)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Iterator

import pytest
from pypdf import PdfReader

from tests import invoice_fixtures as ge
from tests.api_fixtures import Api, start


def post(api: Api, path: str, body: dict, who: str = "coordinator", status: int = 201) -> dict:
    response = api.client.post(path, json=body, headers=api.headers(who))
    assert response.status_code == status, response.text
    return response.json()


def position(api: Api) -> int:
    return api.client.get("/audit/anchor", headers=api.headers("auditor")).json()["position"]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The small pool of tests/api_fixtures.py with the GE of tests/invoice_fixtures.py;
    every sheet countersigned but Anne's for the maison des associations."""
    api = start(tmp_path_factory.mktemp("invoices"))
    services = api.client.app.state.services
    ge.hours(services.ledger)
    ge.terms(services.ledger)
    ge.sign_sheets(services.ledger, services.follower, leave={"anne:mda:2026-01"})
    yield api
    api.client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def issued(api: Api) -> dict:
    """The crèche's invoice (FA-000001), then the month's others, accepting the unsigned sheet."""
    one = post(api, "/ge/invoices", {"month": "2026-01", "partner_id": "creche-a"})
    rest = post(api, "/ge/invoices", {"month": "2026-01", "accept_unsigned_sheets": True})
    return {"one": one, "rest": rest}


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def test_the_month_is_issued_one_member_then_all_the_others_numbered_in_order(api: Api, issued: dict) -> None:
    """FA-000001 for the crèche, then the club's and the maison's, as the register lists them."""
    register = api.client.get("/ge/invoices", params={"month": "2026-01", "after": issued["rest"]["position"]},
                              headers=api.headers("auditor")).json()["invoices"]
    assert [(r["reference"], r["partner_id"], r["total_ttc_cents"], r["unsigned_sheets"]) for r in register] == [
        ("FA-000001", "creche-a", ge.EXPECTED_HT["creche-a"], False),
        ("FA-000002", "club-b", ge.EXPECTED_HT["club-b"], False),
        ("FA-000003", "mda", ge.EXPECTED_HT["mda"], True)]


def test_the_pdf_carries_every_mandatory_mention_of_a_french_invoice(api: Api, issued: dict) -> None:
    """Parties with SIREN, number, dates, period, nature, lines, totals, the 261 B exemption,
    due date, penalties, the 40 € indemnity for a professional and no discount."""
    response = api.client.get("/ge/invoices/FA-000001.pdf", headers=api.headers("creche"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = plain(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages))
    detail = api.client.get("/ge/invoices/FA-000001", headers=api.headers("creche")).json()["document"]
    issued_on, due_on = detail["issued_on"], detail["due_on"]
    for mention in ("Facture n° FA-000001", "Groupement d'employeurs du Haut-Val", "2 place de la Mairie",
                    "SIREN : 732829320", "Association Les Marmots", "1 rue des Écoles", "SIREN : 443061841",
                    "Période de la prestation : janvier 2026", "Prestation de services",
                    "Anne Martin", "Assistante administrative", "10,25 h", "22,44 €", "230,01 €",
                    "Bruno Lefèvre", "21,45 €", "85,80 €", "Total HT 315,81 €", "Total TTC à payer 315,81 €",
                    "TVA non applicable — exonération, article 261 B du CGI", "Date d'échéance",
                    "Pas d'escompte pour paiement anticipé", "Pénalités de retard : 12,00 % par an",
                    "Indemnité forfaitaire pour frais de recouvrement", "40 €", "D441-5"):
        assert mention in text, mention
    assert issued_on < due_on


def test_an_unsigned_month_s_invoice_prints_its_mark_and_a_local_authority_owes_no_indemnity(api: Api,
                                                                                          issued: dict) -> None:
    """FA-000003 (the communauté de communes, not a professional): the mark, no 40 €."""
    response = api.client.get("/ge/invoices/FA-000003.pdf", headers=api.headers("coordinator"))
    text = plain(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages))
    assert "Feuilles d'heures non toutes contresignées" in text and "soumise, non contresignée" in text
    assert "Indemnité forfaitaire" not in text and "Communauté de communes du Haut-Val" in text


def test_the_csv_lists_the_lines_and_totals_as_printed(api: Api, issued: dict) -> None:
    """One row per line and three totals, French decimal comma for hours, cents and euros."""
    response = api.client.get("/ge/invoices/FA-000001.csv", headers=api.headers("auditor"))
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["numéro", "type", "facture corrigée"]
    assert [(r[8], r[10], r[11], r[12]) for r in rows[1:3]] == [("Anne Martin", "10,25", "2244", "23001"),
                                                                ("Bruno Lefèvre", "4", "2145", "8580")]
    assert [(r[7], r[12]) for r in rows[3:]] == [("total HT", "31581"), ("TVA (exonération, article 261 B du CGI)", "0"),
                                                 ("total TTC", "31581")]


def test_a_credit_note_prints_avoir_and_its_invoice_and_the_register_counts_it_negative(api: Api,
                                                                                       issued: dict) -> None:
    """22,44 € credited on FA-000002: the PDF says 'Avoir' and names FA-000002; the register -2 244."""
    done = post(api, "/ge/invoices/FA-000002/credit-note", {"amount_ht_cents": 2244, "reason": "Une heure en trop"})
    note = api.client.get("/ge/invoices/FA-000004", params={"after": done["position"]},
                          headers=api.headers("club")).json()
    assert note["entry"]["total_ttc_cents"] == -2244 and note["document"]["total_ttc_cents"] == 2244
    pdf = api.client.get("/ge/invoices/FA-000004.pdf", headers=api.headers("club"))
    text = plain(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages))
    assert "Avoir n° FA-000004" in text and "FA-000002" in text and "Une heure en trop" in text
    assert "22,44 €" in text and "Date d'échéance" not in text


def test_refusals_name_the_field_and_store_nothing(api: Api, issued: dict) -> None:
    """A second invoice of the month, a credit note beyond what is left, no hours: refused."""
    for path, body, status, field in (
            ("/ge/invoices", {"month": "2026-01", "partner_id": "creche-a"}, 409, "month"),
            ("/ge/invoices/FA-000001/credit-note", {"amount_ht_cents": 31_582, "reason": "x"}, 409, "amount_ht_cents"),
            ("/ge/invoices", {"month": "2026-02", "partner_id": "creche-a"}, 409, "partner_id"),
            ("/ge/invoices/FA-000099/credit-note", {"reason": "x"}, 404, "corrects")):
        before = position(api)
        assert post(api, path, body, status=status)["field"] == field
        assert position(api) == before


def test_a_member_reads_its_own_invoices_only_and_issues_none(api: Api, issued: dict) -> None:
    """The club: its own register, 403 on the crèche's invoice and register, 403 on issuing."""
    own = api.client.get("/ge/invoices", headers=api.headers("club")).json()["invoices"]
    assert {r["partner_id"] for r in own} == {"club-b"}
    for path in ("/ge/invoices/FA-000001", "/ge/invoices/FA-000001.pdf", "/ge/invoices/FA-000001.csv"):
        assert api.client.get(path, headers=api.headers("club")).status_code == 403
    assert api.client.get("/ge/invoices", params={"partner_id": "creche-a"},
                          headers=api.headers("club")).status_code == 403
    before = position(api)
    post(api, "/ge/invoices", {"month": "2026-01"}, who="club", status=403)
    post(api, "/ge/invoices/FA-000002/credit-note", {"reason": "x"}, who="club", status=403)
    assert position(api) == before
    assert api.client.get("/ge/invoices", headers=api.headers("analyst")).status_code == 403
    assert api.client.get("/ge/invoices/FA-000999", headers=api.headers("auditor")).status_code == 404
