"""« Paiements et impayés » and the payments on « Mes factures », on real SQLite and DuckDB
files, signed in through the sign-in page. January's invoices of tests/invoice_fixtures.py,
issued on the day the test runs and due 30 days later, exempt from VAT (TTC = HT):
FA-000001 the club 67,20 €, FA-000002 the crèche 315,81 €, FA-000003 the maison des
associations 51,75 €; then FA-000004, a credit note of 10,00 € on the club's. What is left
to pay, worked out by hand: the club 57,20 €, the crèche 315,81 €, the maison 51,75 €,
424,76 € in all."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.french import date_fr
from api.pages.ge_hub import GE_PAGES, today
from application import invoicing
from application.tokens import token_keys
from bootstrap import bootstrap
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings
from tests import invoice_fixtures as ge
from tests.html_tables import table, text_of as html_text
from tests.page_fixtures import add_person, app_signed_in, browser, csrf_of, log_end

PAGE = "/coordination/ge/paiements"
PEOPLE = {"coordinator": ("coordination@ge.example", "coordinator", None),
          "auditor": ("controle@ge.example", "auditor", None),
          "creche": ("creche@ge.example", "partner", "creche-a"), "club": ("club@ge.example", "partner", "club-b"),
          "mda": ("mda@ge.example", "partner", "mda")}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("payment-pages")
    settings = Settings(sqlite_path=tmp / "ledger.sqlite", projection_path=tmp / "projections.duckdb",
                        snapshot_dir=tmp / "snapshots", snapshot_every_s=0)
    keys = token_keys(settings, create=True)
    with bootstrap(settings) as ledger:
        follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "scratch.duckdb"))
        ge.pool(ledger)
        ge.terms(ledger)
        ge.sign_sheets(ledger, follower)
        invoicing.issue_month(ledger, follower, "2026-01", actor=ge.ACTOR)
        invoicing.issue_credit_note(ledger, follower, 1, reason="une heure de trop", amount_ht_cents=1_000,
                                    actor=ge.ACTOR)
        follower.view.close()
        for email, role, partner_id in PEOPLE.values():
            add_person(ledger, keys, email, role, partner_id)
    return settings


@pytest.fixture(scope="module")
def coordinator(settings: Settings) -> Iterator[TestClient]:
    with app_signed_in(settings, PEOPLE["coordinator"][0]) as client:
        yield client


def form_key(html: str) -> str:
    return re.search(r'name="form_key" value="([^"]+)"', html)[1]


def pay(client: TestClient, **fields: str):
    """The payment form as the page holds it, with `fields` typed in."""
    shown = client.get(PAGE).text
    data = {"csrf": csrf_of(shown), "form_key": form_key(shown), "invoice": "2", "payment_amount": "200,00",
            "paid_on": today().isoformat(), "payment_reference": "virement 0220"} | fields
    return client.post(PAGE, data=data, follow_redirects=False)


def text_of(response) -> str:
    return html_text(response.text)


def unpaid_table(response) -> list[list[str]]:
    return table(response.text, "Factures restant à payer").rows


def test_the_page_is_in_the_hub_after_the_invoices(coordinator: TestClient) -> None:
    """GE_PAGES: « Paiements et impayés » right after « Factures »; the hub links to it."""
    titles = [title for title, _, _ in GE_PAGES]
    assert titles.index("Paiements et impayés") == titles.index("Factures") + 1
    assert f'href="{PAGE}"' in coordinator.get("/coordination/ge").text


def test_the_unpaid_invoices_by_member_with_the_credit_note_deducted(coordinator: TestClient) -> None:
    """Three invoices to pay, by member name, each with its subtotal; the club's 67,20 € less its
    10,00 € credit note leaves 57,20 €; 424,76 € in all; none late today, each due in 30 days;
    the credit note itself is not an invoice to pay."""
    response = coordinator.get(PAGE)
    assert response.status_code == 200
    due = date_fr(today() + timedelta(days=30))
    assert unpaid_table(response) == [
        ["FA-000002", "Association Les Marmots", date_fr(today()), due, "315,81 €", "—", "—", "315,81 €", "à échoir"],
        ["Total Association Les Marmots", "315,81 €", "0,00 €", "0,00 €", "315,81 €", ""],
        ["FA-000003", "Communauté de communes du Haut-Val", date_fr(today()), due, "51,75 €", "—", "—", "51,75 €",
         "à échoir"],
        ["Total Communauté de communes du Haut-Val", "51,75 €", "0,00 €", "0,00 €", "51,75 €", ""],
        ["FA-000001", "Football club du Haut-Val", date_fr(today()), due, "67,20 €", "10,00 €", "—", "57,20 €",
         "à échoir"],
        ["Total Football club du Haut-Val", "67,20 €", "10,00 €", "0,00 €", "57,20 €", ""],
        ["Total des impayés", "434,76 €", "10,00 €", "0,00 €", "424,76 €", ""],
    ]
    page = text_of(response)
    assert "3 factures à payer, 424,76 € en tout." in page and "FA-000004" not in page
    assert "Aucun paiement n'est enregistré." in page


def test_forty_days_on_every_invoice_is_ten_days_late(coordinator: TestClient) -> None:
    """On a day to come (40 days after issue), what is recorded now, each 10 days late."""
    response = coordinator.get(PAGE, params={"au": (today() + timedelta(days=40)).isoformat()})
    late = [row for row in unpaid_table(response) if row[0].startswith("FA-")]
    assert [row[-1] for row in late] == ["10 jours"] * 3
    assert "dont 3 en retard (424,76 €)" in text_of(response)
    assert "les retards sont ceux qu'elles auront ce jour-là" in text_of(response)


@pytest.mark.parametrize("fields, field, said", [
    ({"invoice": "99"}, "invoice", "« Facture » : il n'y a pas de facture FA-000099."),
    ({"invoice": "FA-000004"}, "invoice", "« Facture » : FA-000004 est un avoir ; un paiement s'enregistre sur une "
                                          "facture."),
    ({"invoice": "n'importe"}, "invoice", "« Facture » : choisissez dans la liste la facture"),
    ({"payment_amount": "12,345"}, "payment_amount", "« Montant reçu » :"),
    ({"payment_amount": "beaucoup"}, "payment_amount", "« Montant reçu » :"),
    ({"payment_amount": "400"}, "payment_amount", "« Montant reçu » : il reste 315,81 € à payer sur FA-000002 ; un "
                                                  "paiement de 400,00 € le dépasserait."),
    ({"paid_on": (today() - timedelta(days=1)).isoformat()}, "paid_on",
     f"« Reçu le » : FA-000002 a été émise le {date_fr(today())} ; elle ne peut pas avoir été payée avant, le "
     f"{date_fr(today() - timedelta(days=1))}."),
    ({"paid_on": "2026-02-30"}, "paid_on", "« Reçu le » : indiquez une date"),
    ({"paid_on": (today() + timedelta(days=2)).isoformat()}, "paid_on",
     f"« Reçu le » : un paiement s'enregistre une fois reçu ; le {date_fr(today() + timedelta(days=2))} est "
     f"après aujourd'hui, le {date_fr(today())}."),
    ({"payment_reference": ""}, "payment_reference", "« Moyen et référence du paiement » : ce champ est obligatoire."),
])
def test_a_refused_payment_says_why_in_french_naming_its_field_and_stores_nothing(
        coordinator: TestClient, fields: dict[str, str], field: str, said: str) -> None:
    """No such invoice; a credit note; not an invoice of the list; a third decimal; not an amount;
    more than is left; a day before the invoice's; not a calendar day; a day to come; no reference."""
    before = log_end(coordinator)
    response = pay(coordinator, **fields)
    assert response.status_code == 422 and log_end(coordinator) == before
    assert said in text_of(response), text_of(response)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)


def test_a_payment_recorded_once_even_if_the_form_is_sent_twice(coordinator: TestClient) -> None:
    """200,00 € on the crèche's FA-000002: the payment and its receipt stored; the same form sent
    again records nothing more and answers as the first time; 115,81 € left."""
    shown = coordinator.get(PAGE).text
    data = {"csrf": csrf_of(shown), "form_key": form_key(shown), "invoice": "2", "payment_amount": "200,00",
            "paid_on": today().isoformat(), "payment_reference": "virement 0220"}
    before = log_end(coordinator)
    first = coordinator.post(PAGE, data=data, follow_redirects=False)
    assert first.status_code == 303 and log_end(coordinator) == before + 2
    again = coordinator.post(PAGE, data=data, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    assert log_end(coordinator) == before + 2
    page = coordinator.get(first.headers["location"])
    said = text_of(page)
    assert f"Paiement de 200,00 € enregistré sur FA-000002, reçu le {date_fr(today())} (virement 0220)." in said
    assert ["FA-000002", "Association Les Marmots", date_fr(today()), date_fr(today() + timedelta(days=30)),
            "315,81 €", "—", "200,00 €", "115,81 €", "à échoir"] in unpaid_table(page)
    history = table(page.text, "Paiements enregistrés")
    assert [row[:5] for row in history.rows] == [[date_fr(today()), "FA-000002", "Association Les Marmots",
                                                  "200,00 €", "virement 0220"]]


def test_each_payment_leads_to_its_event_in_the_log(coordinator: TestClient) -> None:
    """The history's link opens the journal at the payment's event, in French."""
    link = re.search(r'href="(/controle\?type=InvoicePaymentRecorded&amp;avant=(\d+)#evenement-(\d+))"',
                     coordinator.get(PAGE).text)
    assert link and int(link[2]) == int(link[3]) + 1
    journal = coordinator.get(link[1].replace("&amp;", "&"))
    assert journal.status_code == 200 and f'id="evenement-{link[3]}"' in journal.text
    assert "Paiement d'une facture" in text_of(journal)


def test_the_rest_paid_then_nothing_more_can_be_paid(coordinator: TestClient) -> None:
    """The crèche pays the 115,81 € left: FA-000002 leaves the list; a further 1,00 € is refused
    (the invoice is no longer offered, and sent anyway it is wholly paid)."""
    done = pay(coordinator, payment_amount="115,81", payment_reference="virement 0305")
    assert done.status_code == 303
    page = coordinator.get(done.headers["location"])
    assert all(row[0] != "FA-000002" for row in unpaid_table(page))
    assert '<option value="2"' not in page.text
    before = log_end(coordinator)
    refused = pay(coordinator, payment_amount="1")
    assert refused.status_code == 422 and log_end(coordinator) == before
    assert "« Montant reçu » : FA-000002 est déjà entièrement payée" in text_of(refused)


def test_as_of_the_position_before_the_payments(coordinator: TestClient) -> None:
    """At the position before the first payment: FA-000002 whole again, no payment listed, no form."""
    first = int(re.findall(r"evenement-(\d+)", coordinator.get(PAGE).text)[-1])
    response = coordinator.get(PAGE, params={"position": str(first - 1)})
    assert ["FA-000002", "Association Les Marmots", date_fr(today()), date_fr(today() + timedelta(days=30)),
            "315,81 €", "—", "—", "315,81 €", "à échoir"] in unpaid_table(response)
    assert "Aucun paiement n'est enregistré à cette position." in text_of(response)
    assert 'name="form_key"' not in response.text


@pytest.mark.parametrize("params, field, said", [
    ({"au": "2026-13-01"}, "au", "« Impayés au » : ce n'est pas une date du calendrier"),
    ({"position": "quatre"}, "position", "« Position du journal » : un nombre entier"),
    ({"position": "999999999"}, "position", "« Position du journal » : le journal s'arrête à la position"),
])
def test_a_bad_day_or_position_is_refused_in_french(coordinator: TestClient, params, field, said) -> None:
    response = coordinator.get(PAGE, params=params)
    assert response.status_code == 422 and said in text_of(response)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)


def test_the_auditor_reads_without_the_form_and_a_member_gets_403(coordinator: TestClient) -> None:
    """The auditor sees the list and the payments, no form, and cannot post; a member: 403."""
    auditor = browser(coordinator, PEOPLE["auditor"][0])
    try:
        response = auditor.get(PAGE)
        assert response.status_code == 200 and "Paiements reçus" in text_of(response)
        assert 'name="form_key"' not in response.text
        before = log_end(auditor)
        posted = auditor.post(PAGE, data={"csrf": csrf_of(response.text), "invoice": "3", "payment_amount": "1",
                                          "paid_on": today().isoformat(), "payment_reference": "x"})
        assert posted.status_code == 403 and log_end(auditor) == before
    finally:
        auditor.close()
    member = browser(coordinator, PEOPLE["club"][0])
    try:
        assert member.get(PAGE).status_code == 403
    finally:
        member.close()


def test_each_member_reads_its_invoices_status(coordinator: TestClient) -> None:
    """The crèche (paid in two payments): « payée »; the club pays 20,00 € of its 57,20 €:
    « partiellement payée (reste 37,20 €) » and its due day; the maison: to pay by its due day;
    a credit note has no status."""
    done = pay(coordinator, invoice="1", payment_amount="20", payment_reference="chèque 1234")
    # Read once the projections (the members' pages read the same file) hold the payment.
    assert done.status_code == 303 and coordinator.get(done.headers["location"]).status_code == 200
    due = date_fr(today() + timedelta(days=30))
    expected = {"creche": {"FA-000002": "payée"},
                "club": {"FA-000001": f"partiellement payée (reste 37,20 €), à payer au plus tard le {due}",
                         "FA-000004": "—"},
                "mda": {"FA-000003": f"à payer au plus tard le {due}"}}
    for who, statuses in expected.items():
        member = browser(coordinator, PEOPLE[who][0])
        try:
            response = member.get("/factures")
            invoices = table(response.text, "Factures et avoirs")
            column = invoices.head.index("Paiement")
            assert {row[0]: row[column] for row in invoices.rows if row[0].startswith("FA-")} == statuses
        finally:
            member.close()
