"""« Régularisation des tarifs » and the settlement line on a partner's statement, on real
SQLite and DuckDB files (tests/settlement_fixtures.py's copier, figures worked out by hand
there): the coordinator's page shows the year and the yearly statement of uses, each refusal
is French, names its field and stores nothing; settling puts the line on December's
statements, with its sentence, its trace, its CSV row; a partner sees its own only."""

from __future__ import annotations

import html
import re
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.commands import RecordCost
from tests.integration.test_pages_ge_money import marked, section, text_of
from tests.page_fixtures import browser, csrf_of, log_end, sign_in
from tests.settlement_fixtures import PEOPLE, copier_store

PAGE = "/coordination/tarifs"


@pytest.fixture(scope="module")
def coordinator(tmp_path_factory) -> Iterator[TestClient]:
    client = TestClient(create_app(copier_store(tmp_path_factory.mktemp("tariff-pages"))))
    client.__enter__()
    sign_in(client, PEOPLE["coordinator"][0])
    yield client
    client.__exit__(None, None, None)


def form_of(html: str) -> dict[str, str]:
    form = html[html.index('action="/coordination/tarifs#tarif-copieur"'):]
    return {name: re.search(rf'name="{name}" value="([^"]*)"', form).group(1)
            for name in ("csrf", "annee", "ressource", "position")}


def post(client: TestClient, **changes: str):
    sent = form_of(client.get(PAGE, params={"annee": "2026"}).text) | {"mois": "2026-12"} | changes
    return client.post(PAGE, data=sent, follow_redirects=False)


def test_the_page_shows_the_year_and_the_yearly_statement_of_uses(coordinator: TestClient) -> None:
    """Costs 90,00 €, charged 88,00 €, 2,00 € to settle; the crèche 1 500 pages, 60,00 €, exact
    61,3636… €, floor 61,36 €, no leftover cent, 1,36 €; the club the leftover cent, 0,64 €."""
    response = coordinator.get(PAGE, params={"annee": "2026"})
    assert response.status_code == 200
    page = text_of(response)
    year = section(page, "Copieur : coût réel de 2026", "État annuel des recours")
    for seen in ("janvier 2026 50,00 € 1 000 40,00 € 10,00 €", "février 2026 30,00 € 700 28,00 € 2,00 €",
                 "décembre 2026 10,00 € 500 20,00 € -10,00 €", "Année 2026 90,00 € 2 200 88,00 € 2,00 €",
                 "Reste à régulariser 2,00 €"):
        assert seen in year, seen
    uses = section(page, "État annuel des recours au service Copieur", "Après la régularisation")
    assert "Crèche Les Marmots 1 500 60,00 € 61,36363636 € 61,36 € arrondi inférieur 1,36 €" in uses
    assert "Club de foot 700 28,00 € 28,63636364 € 28,64 € 28,63 € + 0,01 € de reste 0,64 €" in uses
    assert "le résultat du tarif Copieur pour 2026 est de 0,00 €" in page
    assert "Copieur — 0,04 € la page" in page


def test_a_partner_gets_403_and_the_auditor_reads_without_the_form(coordinator: TestClient) -> None:
    """The page is the coordination's and the auditor's; only the coordinator settles."""
    assert browser(coordinator, PEOPLE["creche"][0]).get(PAGE).status_code == 403
    auditor = browser(coordinator, PEOPLE["auditor"][0]).get(PAGE, params={"annee": "2026"})
    assert auditor.status_code == 200 and "Régulariser le tarif" not in auditor.text


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"mois": "2026-11"}, "mois-copieur", "une année se régularise sur son mois de décembre ou après, pas sur "
                                          "novembre 2026"),
    ({"mois": "2026-13"}, "mois-copieur", "choisissez un mois dans la liste"),
    ({"annee": "2025"}, None, "n'est facturée au tarif à aucun mois de 2025"),
    ({"position": "99999"}, None, "La page envoyée est incomplète"),
    ({"ressource": "photocopieuse"}, None, "« Ressource » : cette ressource n'existe pas"),
])
def test_each_refusal_is_french_and_stores_nothing(coordinator: TestClient, changes, field, words) -> None:
    """A month before December, a month that is not one, a year without tariff, a position past
    the log's end, an unknown resource: 422, the sentence, the field marked, nothing stored."""
    before = log_end(coordinator)
    response = post(coordinator, **changes)
    assert response.status_code == 422
    assert words in text_of(response)
    if field:
        assert marked(response, field)
    assert log_end(coordinator) == before


def test_settling_puts_the_line_on_decembers_statements(coordinator: TestClient) -> None:
    """Settled on December: the page then has nothing left to settle; the crèche's December
    carries 1,36 € with its sentence, its trace and its CSV row; the club sees its own 0,64 €."""
    before = log_end(coordinator)
    response = post(coordinator)
    assert response.status_code == 303, text_of(response)
    assert log_end(coordinator) == before + 1
    page = text_of(coordinator.get(response.headers["location"]))
    assert "Reste à régulariser 0,00 €" in page and "Rien à régulariser" in page
    assert "décembre 2026 Crèche Les Marmots 1,36 €" in page
    creche = browser(coordinator, PEOPLE["creche"][0])
    statement = creche.get("/releves/2026-12")
    assert 'data-line="copieur|settlement|" data-cents="136"' in statement.text
    words = text_of(statement)
    assert ("Régularisation annuelle du tarif 2026 au coût réel. En 2026, le tarif vous a facturé 60,00 € pour "
            "vos 1 500 pages. Le coût réel de Copieur sur les mois au tarif (90,00 €), réparti au prorata des pages "
            "de tous (1 500 sur 2 200), vous revient à 61,36 € : la régularisation au coût réel prévue par la "
            "convention vous facture 1,36 € de plus.") in words
    assert "Total provisoire : 21,36 €" in words
    trace = creche.get("/releves/2026-12/regularisation-tarif/copieur")
    assert trace.status_code == 200
    kinds = [html.unescape(k) for k in re.findall(r'<tr data-position="\d+"[^>]*>\s*<th scope="row">([^<]+)',
                                                   trace.text)]
    assert kinds == ["Coût enregistré"] * 3 + ["Utilisation d'équipement"] * 2 + [
        "Régularisation annuelle d'un tarif"]
    assert "Part exacte 61,36363636 €" in text_of(trace).replace("Votre part exacte", "Part exacte")
    printable = creche.get("/releves/2026-12/releve.html")
    assert "Régularisations annuelles des tarifs" in printable.text
    assert "Régularisation annuelle du tarif 2026 au coût réel" in printable.text
    pdf = creche.get("/releves/2026-12/releve.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv = creche.get("/releves/2026-12/releve.csv").content.decode("utf-8-sig")
    assert ("régularisation du tarif;2026-12;creche-a;Copieur;Régularisation annuelle du tarif 2026 au coût "
            "réel") in csv
    club = browser(coordinator, PEOPLE["club"][0])
    assert 'data-line="copieur|settlement|" data-cents="64"' in club.get("/releves/2026-12").text
    assert club.get("/releves/2026-12", params={"partenaire": "creche-a"}).status_code == 403
    assert club.get("/releves/2026-12/regularisation-tarif/copieur",
                    params={"partenaire": "creche-a"}).status_code == 403
    assert browser(coordinator, PEOPLE["club"][0]).get("/releves/2026-11/regularisation-tarif/copieur").status_code == 404


def test_a_figure_moved_since_the_page_was_read_is_refused(coordinator: TestClient) -> None:
    """After December's settlement, the page read, then a late 1,10 € invoice recorded: settling
    what the page showed is refused (« Position du journal »), nothing stored, and the page
    shows the figures as they stand: 1,10 € to settle, which the next press settles."""
    page = coordinator.get(PAGE, params={"annee": "2026"}).text
    assert "Rien à régulariser" in page
    position = re.search(r'id="position-lue"[^>]*>[^<]*position (\d+)', page).group(1)
    coordinator.app.state.services.ledger.execute(RecordCost(
        resource_id="copieur", month="2026-12", amount_cents=110, category="maintenance",
        document_ref="MNT-12-bis"), actor="tests")
    stale = {"csrf": csrf_of(page), "annee": "2026", "ressource": "copieur", "mois": "2027-01", "position": position}
    before = log_end(coordinator)
    refused = coordinator.post(PAGE, data=stale, follow_redirects=False)
    assert refused.status_code == 422
    assert "un chiffre de l'année a changé depuis l'affichage de la page" in text_of(refused)
    assert log_end(coordinator) == before
    assert "Reste à régulariser 1,10 €" in text_of(refused)
    assert post(coordinator, mois="2027-01").status_code == 303
