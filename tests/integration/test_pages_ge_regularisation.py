"""The GE's « Régularisation de l'année » on real SQLite and DuckDB files (tests/regularisation_fixtures.py:
January invoiced, then the year's actual costs): the figures are those worked out by hand in
tests/integration/test_regularisation.py's docstring — Anne's 300,00 € split 192,19 / 65,62 /
42,19 €, Bruno's 80,00 € the crèche's, the running costs 14,25 / 3,50 / 2,25 €; real costs
286,44 / 69,12 / 44,44 € against 315,81 / 67,20 / 51,75 € billed: a credit note of 29,37 € to
the crèche, a complementary invoice of 1,92 € to the club, a credit note of 7,31 € to the
communauté de communes. The auditor reads and cannot post, a partner gets 403; issuing
records the three documents and the page then shows zero differences; each refusal is
French and stores nothing."""

from __future__ import annotations

import re
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application import invoicing
from projections import billing_reads
from tests.integration.test_pages_ge_money import section, text_of
from tests.page_fixtures import browser, csrf_of, log_end, sign_in
from tests.regularisation_fixtures import PEOPLE, year_end_store

PAGE = "/coordination/ge/regularisation"
ACTOR = "coordinator@test"


@pytest.fixture(scope="module")
def coordinator(tmp_path_factory) -> Iterator[TestClient]:
    client = TestClient(create_app(year_end_store(tmp_path_factory.mktemp("regularisation-pages"))))
    client.__enter__()
    sign_in(client, PEOPLE["coordinator"][0])
    yield client
    client.__exit__(None, None, None)


def hidden(page_html: str) -> dict[str, str]:
    """The issue form's fields as the page wrote them."""
    form = page_html[page_html.index('action="/coordination/ge/regularisation#emettre"'):]
    return {name: re.search(rf'name="{name}" value="([^"]*)"', form).group(1)
            for name in ("csrf", "annee", "position", "documents_seen")}


def test_the_pages_figures_are_those_worked_out_by_hand(coordinator: TestClient) -> None:
    """Each member's hours, shares, real cost, billed, difference and document; the year's costs; result zero."""
    response = coordinator.get(PAGE, params={"annee": "2026"})
    assert response.status_code == 200
    page = text_of(response)
    costs = section(page, "Coûts réels de l'année 2026 et ce qui a été facturé", "Par adhérent")
    for seen in ("Coût réel d'Anne Martin (salaire, charges, congés payés) 300,00 €",
                 "Coût réel de Bruno Lefèvre (salaire, charges, congés payés) 80,00 €",
                 "Frais de fonctionnement du groupement (Frais de fonctionnement du GE) 20,00 €",
                 "Coûts réels de l'année 400,00 €", "Facturé pour l'année (factures moins avoirs, HT) 434,76 €",
                 "Écart à régulariser -34,76 €"):
        assert seen in costs, seen
    members = section(page, "Coût réel, facturé et écart de chaque adhérent", "Après la régularisation")
    assert ("Association Les Marmots 14,25 h 192,19 € 80,00 € 14,25 € 286,44 € 315,81 € -29,37 € avoir de 29,37 €"
            in members)
    assert ("Football club du Haut-Val 3,5 h 65,62 € — 3,50 € 69,12 € 67,20 € 1,92 € facture complémentaire "
            "de 1,92 €" in members)
    assert ("Communauté de communes du Haut-Val 2,25 h 42,19 € — 2,25 € 44,44 € 51,75 € -7,31 € avoir de 7,31 €"
            in members)
    assert "Total 20 h 300,00 € 80,00 € 20,00 € 400,00 € 434,76 € -34,76 €" in members
    assert "Après la régularisation, le résultat du groupement pour 2026 est de 0,00 €." in page
    assert "CGI art. 261 B" in page and "taux provisoire" in page
    assert "Aucune régularisation de 2026 n'est émise." in page
    assert hidden(response.text)["documents_seen"] == "3"


def test_the_page_is_linked_from_the_ge_hub(coordinator: TestClient) -> None:
    """The hub's list of the GE's pages names it."""
    assert 'href="/coordination/ge/regularisation"' in coordinator.get("/coordination/ge").text


def test_the_auditor_reads_the_page_but_cannot_post_and_a_partner_gets_403(coordinator: TestClient) -> None:
    """The auditor sees the figures without the button; its POST is 403 and stores nothing; the crèche: 403."""
    auditor = browser(coordinator, PEOPLE["auditor"][0])
    read = auditor.get(PAGE, params={"annee": "2026"})
    assert read.status_code == 200 and "avoir de 29,37 €" in text_of(read)
    assert "Émettre la régularisation</button>" not in read.text
    form = hidden(coordinator.get(PAGE, params={"annee": "2026"}).text)
    before = log_end(coordinator)
    posted = auditor.post(PAGE, data={**form, "csrf": csrf_of(read.text)}, follow_redirects=False)
    assert posted.status_code == 403 and log_end(coordinator) == before
    partner = browser(coordinator, PEOPLE["creche"][0])
    assert partner.get(PAGE, params={"annee": "2026"}).status_code == 403


def test_a_regularisation_read_before_another_document_is_refused_with_the_fresh_figures(
        coordinator: TestClient) -> None:
    """The page read with 3 documents; then a 10,00 € credit note on the club's FA-000001: the button
    is refused in French, nothing stored, and the page shows the club now owing 11,92 €."""
    stale = hidden(coordinator.get(PAGE, params={"annee": "2026"}).text)
    services = coordinator.app.state.services
    invoicing.issue_credit_note(services.ledger, services.follower, 1, reason="une heure de trop",
                                amount_ht_cents=1_000, actor=ACTOR)
    before = log_end(coordinator)
    refused = coordinator.post(PAGE, data=stale)
    assert refused.status_code == 422 and log_end(coordinator) == before
    page = text_of(refused)
    assert ("« Documents vus » : une facture ou un avoir a été émis depuis que la page a lu l'année 2026 ; la "
            "régularisation lue avant ne le compterait pas. Voici les chiffres à jour") in page
    assert "Football club du Haut-Val 3,5 h 65,62 € — 3,50 € 69,12 € 57,20 € 11,92 € facture complémentaire " \
           "de 11,92 €" in page
    assert hidden(refused.text)["documents_seen"] == "4"


def test_issuing_records_the_documents_and_the_page_then_shows_zero_differences(coordinator: TestClient) -> None:
    """Three documents after FA-000004 (the credit note): each linked to its invoice page; then every
    difference is 0,00 € and « rien »; the button's message counts them."""
    form = hidden(coordinator.get(PAGE, params={"annee": "2026"}).text)
    before = log_end(coordinator)
    done = coordinator.post(PAGE, data=form, follow_redirects=False)
    assert done.status_code == 303, text_of(done)
    assert log_end(coordinator) == before + 3
    shown = coordinator.get(done.headers["location"])
    page = text_of(shown)
    assert "Régularisation de l'année 2026 émise : 1 facture complémentaire et 2 avoirs." in page
    documents = section(page, "Factures complémentaires et avoirs de régularisation de l'année 2026")
    assert "FA-000005 Facture de régularisation 2026 Football club du Haut-Val" in documents
    assert "11,92 €" in documents
    assert "FA-000006 Avoir de régularisation 2026 Association Les Marmots" in documents and "29,37 €" in documents
    assert "FA-000007 Avoir de régularisation 2026 Communauté de communes du Haut-Val" in documents
    assert all(f'href="/coordination/factures/FA-00000{n}"' in shown.text for n in (5, 6, 7))
    members = section(page, "Coût réel, facturé et écart de chaque adhérent", "Après la régularisation")
    assert members.count("0,00 € rien") == 3
    assert "Aucun écart : il n'y a rien à régulariser pour 2026." in page
    assert coordinator.get("/coordination/factures/FA-000006").status_code == 200


def test_nothing_to_regularise_is_refused_in_french_and_stores_nothing(coordinator: TestClient) -> None:
    """After the regularisation, the year's form sent again (the page's fresh fields): « Année » refused."""
    shown = coordinator.get(PAGE, params={"annee": "2026"})
    position = re.search(r"position (\d+) du journal", text_of(shown)).group(1)
    before = log_end(coordinator)
    refused = coordinator.post(PAGE, data={"csrf": csrf_of(shown.text), "annee": "2026", "position": position,
                                           "documents_seen": "7"})
    assert refused.status_code == 422 and log_end(coordinator) == before
    assert ("« Année » : pour 2026, le coût réel de chaque adhérent est exactement ce qui lui a été facturé : il "
            "n'y a rien à régulariser.") in text_of(refused)


def test_the_page_as_it_stood_before_the_regularisation(coordinator: TestClient) -> None:
    """At the position of the credit note (before the regularisation): the club's 11,92 € still to issue,
    no document listed, no button."""
    services = coordinator.app.state.services
    with services.follower.view.transaction() as conn:
        position = billing_reads.invoice_at(conn, 4, log_end(coordinator))["position"]
    response = coordinator.get(PAGE, params={"annee": "2026", "position": str(position)})
    page = text_of(response)
    assert f"Telle qu'enregistrée à la position {position} du journal." in page
    assert "facture complémentaire de 11,92 €" in page
    assert "Aucune régularisation de 2026 n'est émise à cette position." in page
    assert "Émettre la régularisation</button>" not in response.text


def test_the_member_sees_its_regularisation_under_mes_factures(coordinator: TestClient) -> None:
    """The crèche: FA-000006 as « avoir de régularisation 2026 », period « année 2026 », its document titled so."""
    creche = browser(coordinator, PEOPLE["creche"][0])
    mine = text_of(creche.get("/factures"))
    assert "FA-000006 avoir de régularisation 2026 année 2026" in mine and "FA-000005" not in mine
    document = creche.get("/factures/FA-000006/facture.html")
    assert document.status_code == 200
    assert "Avoir de régularisation 2026 n° FA-000006" in text_of(document)
    assert creche.get("/factures/FA-000006/facture.pdf").status_code == 200
    assert creche.get("/factures/FA-000005/facture.html").status_code == 403


def test_a_malformed_year_is_refused_in_french(coordinator: TestClient) -> None:
    """« 20x6 »: 422, « Année » marked."""
    response = coordinator.get(PAGE, params={"annee": "20x6"})
    assert response.status_code == 422 and "« Année » : une année de 2000 à 2100" in text_of(response)
    assert re.search(r'id="annee"[^>]*aria-invalid="true"', response.text)
