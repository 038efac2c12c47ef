"""« Avoirs à rembourser » on « Paiements et impayés », and a regularisation credit note's
status on « Mes factures », on real SQLite and DuckDB files, signed in through the sign-in
page. The year of tests/regularisation_fixtures.py, regularised on the day the test runs
(exempt from VAT: TTC = HT): FA-000005 a credit note of 29,37 € to the crèche, FA-000006 one
of 7,31 € to the maison des associations, FA-000004 a complementary invoice to the club.
Owed back by hand: 36,68 € in all; the crèche refunded in full, the maison 5,00 € of its
7,31 €, so 2,31 € left."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.french import date_fr
from api.pages.ge_hub import today
from settings import Settings
from tests.html_tables import table, text_of as html_text
from tests.page_fixtures import app_signed_in, browser, csrf_of, log_end
from tests.regularisation_fixtures import PEOPLE, year_end_store

PAGE = "/coordination/ge/paiements"
REFUNDS = PAGE + "/remboursements"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("refund-pages")
    settings = year_end_store(tmp, regularised=True)
    return settings


@pytest.fixture(scope="module")
def coordinator(settings: Settings) -> Iterator[TestClient]:
    with app_signed_in(settings, PEOPLE["coordinator"][0]) as client:
        yield client


def refund_form(client: TestClient, **fields: str) -> dict[str, str]:
    """The refund form as the page holds it, with `fields` typed in."""
    shown = client.get(PAGE).text
    key = re.search(r'action="/coordination/ge/paiements/remboursements".*?name="form_key" value="([^"]+)"', shown,
                    re.DOTALL)[1]
    return {"csrf": csrf_of(shown), "form_key": key, "credit_note": "5", "refund_amount": "29,37",
            "refunded_on": today().isoformat(), "refund_reference": "virement 0115"} | fields


def refund(client: TestClient, **fields: str):
    return client.post(REFUNDS, data=refund_form(client, **fields), follow_redirects=False)


def owed_table(response) -> list[list[str]]:
    return table(response.text, "Avoirs de régularisation restant à rembourser").rows


def test_the_credit_notes_owed_back_with_their_members(coordinator: TestClient) -> None:
    """The two regularisation credit notes, each whole; 36,68 € in all; no refund yet; the
    complementary invoice is among the invoices to pay, not here."""
    response = coordinator.get(PAGE)
    assert response.status_code == 200
    rows = owed_table(response)
    assert [row[1:] for row in rows] == [
        ["FA-000005 (régularisation 2026)", date_fr(today()), "29,37 €", "—", "29,37 €"],
        ["FA-000006 (régularisation 2026)", date_fr(today()), "7,31 €", "—", "7,31 €"]]
    page = html_text(response.text)
    assert "2 avoirs à rembourser, 36,68 € en tout." in page
    assert "Aucun remboursement n'est enregistré." in page


@pytest.mark.parametrize("fields, field, said", [
    ({"credit_note": "99"}, "credit_note", "« Avoir » : il n'y a pas d'avoir FA-000099."),
    ({"credit_note": "4"}, "credit_note", "« Avoir » : FA-000004 n'est pas un avoir de régularisation"),
    ({"credit_note": "rien"}, "credit_note", "« Avoir » : choisissez dans la liste"),
    ({"refund_amount": "beaucoup"}, "refund_amount", "« Montant remboursé » :"),
    ({"refund_amount": "30"}, "refund_amount",
     "« Montant remboursé » : il reste 29,37 € à rembourser sur l'avoir FA-000005 ; un remboursement de 30,00 € le "
     "dépasserait."),
    ({"refunded_on": (today() - timedelta(days=1)).isoformat()}, "refunded_on",
     f"« Remboursé le » : l'avoir FA-000005 a été émis le {date_fr(today())} ; il ne peut pas avoir été remboursé "
     f"avant, le {date_fr(today() - timedelta(days=1))}."),
    ({"refunded_on": (today() + timedelta(days=2)).isoformat()}, "refunded_on",
     f"« Remboursé le » : un remboursement s'enregistre une fois versé ; le {date_fr(today() + timedelta(days=2))} "
     f"est après aujourd'hui, le {date_fr(today())}."),
    ({"refunded_on": "2026-02-30"}, "refunded_on", "« Remboursé le » : indiquez une date"),
    ({"refund_reference": ""}, "refund_reference",
     "« Moyen et référence du remboursement » : ce champ est obligatoire."),
])
def test_a_refused_refund_says_why_in_french_naming_its_field_and_stores_nothing(
        coordinator: TestClient, fields: dict[str, str], field: str, said: str) -> None:
    """No such document; the complementary invoice; not one of the list; not an amount; more
    than is left; before the credit note's day; a day to come; not a calendar day; no reference."""
    before = log_end(coordinator)
    response = refund(coordinator, **fields)
    assert response.status_code == 422 and log_end(coordinator) == before
    assert said in html_text(response.text), html_text(response.text)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)


def test_a_refund_in_full_recorded_once_even_if_the_form_is_sent_twice(coordinator: TestClient) -> None:
    """The crèche's 29,37 €: the refund and its receipt stored; the same form again records
    nothing more; FA-000005 leaves the list; the refund listed."""
    data = refund_form(coordinator)
    before = log_end(coordinator)
    first = coordinator.post(REFUNDS, data=data, follow_redirects=False)
    assert first.status_code == 303 and log_end(coordinator) == before + 2
    again = coordinator.post(REFUNDS, data=data, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    assert log_end(coordinator) == before + 2
    page = coordinator.get(first.headers["location"])
    assert (f"Remboursement de 29,37 € enregistré sur l'avoir FA-000005, versé le {date_fr(today())} "
            f"(virement 0115).") in html_text(page.text)
    assert [row[1] for row in owed_table(page)] == ["FA-000006 (régularisation 2026)"]
    history = table(page.text, "Remboursements enregistrés")
    assert [[row[0], row[1], row[3], row[4]] for row in history.rows] == [
        [date_fr(today()), "FA-000005", "29,37 €", "virement 0115"]]
    # The same form changed (another amount) is another refund: refused, and it says why.
    changed = coordinator.post(REFUNDS, data={**data, "refund_amount": "1"}, follow_redirects=False)
    assert changed.status_code == 422 and log_end(coordinator) == before + 2
    assert "Ce formulaire a déjà servi : rechargez la page pour en saisir un autre." in html_text(changed.text)


def test_a_refund_in_part_leaves_the_rest(coordinator: TestClient) -> None:
    """5,00 € of the maison's 7,31 €: 2,31 € left; a further 2,32 € refused, nothing stored."""
    done = refund(coordinator, credit_note="6", refund_amount="5", refund_reference="chèque 77")
    assert done.status_code == 303
    assert owed_table(coordinator.get(done.headers["location"]))[0][1:] == [
        "FA-000006 (régularisation 2026)", date_fr(today()), "7,31 €", "5,00 €", "2,31 €"]
    before = log_end(coordinator)
    refused = refund(coordinator, credit_note="6", refund_amount="2,32")
    assert refused.status_code == 422 and log_end(coordinator) == before
    assert "il reste 2,31 € à rembourser sur l'avoir FA-000006" in html_text(refused.text)


def test_each_refund_leads_to_its_event_in_the_log(coordinator: TestClient) -> None:
    link = re.search(r'href="(/controle\?type=CreditNoteRefunded&amp;avant=(\d+)#evenement-(\d+))"',
                     coordinator.get(PAGE).text)
    assert link and int(link[2]) == int(link[3]) + 1
    journal = coordinator.get(link[1].replace("&amp;", "&"))
    assert journal.status_code == 200 and f'id="evenement-{link[3]}"' in journal.text
    assert "Remboursement d'un avoir" in html_text(journal.text)


def test_as_of_the_position_before_the_refunds(coordinator: TestClient) -> None:
    """At the position before the first refund: both credit notes whole, none listed, no form."""
    first = min(int(p) for p in re.findall(r"type=CreditNoteRefunded&amp;avant=\d+#evenement-(\d+)",
                                           coordinator.get(PAGE).text))
    response = coordinator.get(PAGE, params={"position": str(first - 1)})
    assert [row[-1] for row in owed_table(response)] == ["29,37 €", "7,31 €"]
    assert "Aucun remboursement n'est enregistré à cette position." in html_text(response.text)
    assert 'action="/coordination/ge/paiements/remboursements"' not in response.text


def test_the_auditor_reads_without_the_form_and_cannot_post(coordinator: TestClient) -> None:
    auditor = browser(coordinator, PEOPLE["auditor"][0])
    try:
        response = auditor.get(PAGE)
        assert response.status_code == 200 and "Avoirs à rembourser" in html_text(response.text)
        assert 'action="/coordination/ge/paiements/remboursements"' not in response.text
        before = log_end(auditor)
        posted = auditor.post(REFUNDS, data={"csrf": csrf_of(response.text), "credit_note": "6",
                                             "refund_amount": "1", "refunded_on": today().isoformat(),
                                             "refund_reference": "x"})
        assert posted.status_code == 403 and log_end(auditor) == before
    finally:
        auditor.close()


def test_mes_factures_says_refunded_or_what_is_left_to_refund(coordinator: TestClient) -> None:
    """The crèche, signed in: FA-000005 « remboursé »; the maison's list (opened by the
    coordination): FA-000006 « à rembourser (reste 2,31 €) »."""
    creche = browser(coordinator, PEOPLE["creche"][0])
    try:
        mine = table(creche.get("/factures").text, "Factures et avoirs")
        column = mine.head.index("Paiement")
        assert {row[0]: row[column] for row in mine.rows if row[0].startswith("FA-")}["FA-000005"] == "remboursé"
    finally:
        creche.close()
    theirs = table(coordinator.get("/factures", params={"partenaire": "mda"}).text, "Factures et avoirs")
    column = theirs.head.index("Paiement")
    status = {row[0]: row[column] for row in theirs.rows if row[0].startswith("FA-")}["FA-000006"]
    assert status.replace("\u202f", " ").replace("\u00a0", " ") == "à rembourser (reste 2,31 €)"
