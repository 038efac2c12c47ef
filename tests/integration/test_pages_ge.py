"""The GE's pages on a small pool of their own (real SQLite and DuckDB files): the hub's list
of what is missing, each form of "Conditions de facturation" recording its event and the
page then showing it, the month's provisional rates worked out by hand, the member register
on a day and as recorded earlier, its notification form and its PDF; every refusal in
French with its field marked and nothing stored; partners refused, the auditor reading the
register without posting."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from typing import Iterator

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.app import create_app
from domain.commands import LeavePartner, RejoinPartner
from tests.ge_fixtures import PEOPLE, ge_store
from tests.history import ACTOR
from tests.page_fixtures import browser, csrf_of, sign_in

COORDINATOR, AUDITOR, PARTNER = PEOPLE["coordinator"], PEOPLE["auditor"], PEOPLE["partner"]
PAGES = ("/coordination/ge", "/coordination/ge/conditions", "/coordination/ge/registre")
PROFILE = {"legal_name": "GE du Haut-Val", "address": "2 place de la Mairie, 38000 Haut-Val", "siren": "732 829 320",
           "vat_regime": "exempt_261b", "vat_rate": "", "payment_days": "30", "late_penalty_rate": "12,5"}
CRECHE = {"partner_id": "creche-a", "legal_name": "Association Les Marmots",
          "head_office": "1 rue des Écoles, Haut-Val",
          "establishments": "Crèche, 3 chemin des Prés\nHalte-garderie, 5 rue Haute",
          "activity": "accueil de jeunes enfants",
          "headcount": "12", "siren": "443061841", "professional": "1"}
CONTRACT = {"employee_id": "anne", "applies_from": "2026-01", "contract_kind": "cdi", "working_time": "full_time",
            "weekly_hours": "35", "hourly_pay": "12,00", "job_title": "Assistante administrative"}
CARD = {"applies_from": "2026-01", "default_coefficient": "1,87", "kind-cdd": "1,95", "coef-club-b": "1,6",
        "fee-mda": "23"}


class Site:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def log_end(self) -> int:
        return self.client.app.state.services.ledger.recorder.max_notification_id()

    def post(self, path: str, data: dict[str, str], page: str = "/coordination/ge/conditions"):
        form = self.client.get(page)
        return self.client.post(path, data={"csrf": csrf_of(form.text), "mois": "2026-01", **data})

    def refused(self, path: str, data: dict[str, str], page: str = "/coordination/ge/conditions"):
        """The refusal page of a form, after checking that nothing was stored."""
        before = self.log_end()
        response = self.post(path, data, page)
        assert response.status_code == 422, text_of(response)
        assert self.log_end() == before
        return response


def text_of(response) -> str:
    inline = re.sub(r"</?(strong|em|span|a|code|del)\b[^>]*>", "", response.text)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", inline)))


def marked(response, input_id: str) -> bool:
    return bool(re.search(rf'id="{re.escape(input_id)}"[^>]*aria-invalid="true"', response.text))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """The small GE of tests/ge_fixtures.py, no terms set yet."""
    settings = ge_store(tmp_path_factory.mktemp("ge-pages"))
    with TestClient(create_app(settings)) as client:
        sign_in(client, COORDINATOR)
        yield Site(client)


def test_the_hub_lists_what_the_ge_has_not_set_with_a_link_to_fix_each(site: Site):
    """Nothing set yet: no profile, the three partners the staff worked for without a file, both
    employees without a contract, no rate card — each with its form's link; the coordinator's
    menu has the entry."""
    response = site.client.get("/coordination/ge?mois=2026-01")
    page = text_of(response)
    assert response.status_code == 200
    assert 'href="/coordination/ge" aria-current="page">Groupement d&#39;employeurs' in response.text
    assert "Le profil du groupement n'est pas renseigné" in page
    assert "3 partenaires sans fiche d'adhérent" in page and "Club de foot — remplir sa fiche" in page
    assert "2 salariés sans contrat en vigueur en janvier 2026" in page and "Bruno Petit — saisir son contrat" in page
    assert "Aucune grille de coefficients n'est en vigueur en janvier 2026" in page
    assert 'href="/coordination/ge/conditions?mois=2026-01&amp;salarie=anne#contrat"' in response.text
    assert "Aucun changement du registre n'est en retard de notification." in page


def test_the_profile_form_records_the_profile_and_the_page_shows_it(site: Site):
    """GroupProfileSet recorded from French input ("732 829 320", "12,5"), then shown."""
    before = site.log_end()
    response = site.post("/coordination/ge/profil", PROFILE)
    page = text_of(response)
    assert response.status_code == 200 and site.log_end() == before + 1
    assert "Le profil du groupement est enregistré : GE du Haut-Val, exonéré de TVA (art. 261 B du CGI)." in page
    assert "SIREN 732 829 320" in page
    assert "12,5 % par an" in page.replace("\u202f", " ") and "30 jours après la date de la facture" in page


@pytest.mark.parametrize("change, input_id, sentence", [
    ({"siren": "732829321"}, "profile-siren", "« SIREN » : 732829321 n'est pas un SIREN : sa clé de contrôle"),
    ({"vat_regime": "liable", "vat_rate": ""}, "profile-vat_rate",
     "« Taux de TVA » : un groupement assujetti à la TVA indique son taux"),
    ({"payment_days": "61"}, "profile-payment_days", "« Délai de paiement » : au plus 60 jours après la date de la "
                                                     "facture (C. com. L441-10)."),
    ({"late_penalty_rate": "douze"}, "profile-late_penalty_rate",
     "« Taux des pénalités de retard » : « douze » n'est pas"),
])
def test_a_refused_profile_says_why_in_french_marks_its_field_and_stores_nothing(
        site: Site, change: dict, input_id: str, sentence: str):
    """A wrong check digit, a liable GE with no rate, 61 days, a rate in words: refused."""
    response = site.refused("/coordination/ge/profil", PROFILE | change)
    assert sentence in text_of(response) and marked(response, input_id)
    assert f'value="{change.get("siren", PROFILE["siren"])}"' in response.text  # what was typed is kept


def test_a_member_file_is_recorded_and_shown_in_the_table_and_the_register(site: Site):
    """MemberDetailsSet with its establishments one per line; the conditions page lists the file,
    the register of 15 January lists the member with the D1253-1 fields."""
    before = site.log_end()
    response = site.post("/coordination/ge/adherents", CRECHE)
    assert response.status_code == 200 and site.log_end() == before + 1
    assert "La fiche d'adhérent d'Association Les Marmots est enregistrée." in text_of(response)
    table = text_of(response)
    assert "Association Les Marmots Crèche Les Marmots 1 rue des Écoles, Haut-Val Crèche, 3 chemin des Prés " \
           "Halte-garderie, 5 rue Haute accueil de jeunes enfants 12 443 061 841 professionnel" in table
    register = text_of(site.client.get("/coordination/ge/registre?jour=2026-01-15"))
    assert "Membres du groupement au 15 janvier 2026 (1)" in register
    assert "Association Les Marmots 1 rue des Écoles, Haut-Val Crèche, 3 chemin des Prés Halte-garderie, 5 rue " \
           "Haute accueil de jeunes enfants 12 443 061 841 depuis le 1er janvier 2026" in register


def test_a_member_file_with_a_wrong_siren_or_no_head_office_is_refused(site: Site):
    """The SIREN's check digit and the head office are the member's too: refused, nothing stored."""
    wrong = site.refused("/coordination/ge/adherents", CRECHE | {"partner_id": "club-b", "siren": "443061842"})
    assert "« SIREN » : 443061842 n'est pas un SIREN" in text_of(wrong) and marked(wrong, "member-siren")
    empty = site.refused("/coordination/ge/adherents", CRECHE | {"partner_id": "club-b", "head_office": ""})
    assert "« Adresse du siège » : ce champ est obligatoire." in text_of(empty) and marked(empty, "member-head_office")


def test_a_contract_is_recorded_and_listed_with_its_version(site: Site):
    """SetContractTerms from "12,00" €: listed as version 1, in force in January."""
    before = site.log_end()
    response = site.post("/coordination/ge/contrats", CONTRACT)
    page = text_of(response)
    assert response.status_code == 200 and site.log_end() == before + 1
    assert "Le contrat d'Anne Martin est enregistré ; il s'applique à partir de janvier 2026." in page
    assert "Anne Martin version 1, en vigueur en janvier 2026 janvier 2026 CDI temps plein, 35 h par semaine " \
           "12,00 € Assistante administrative" in page


@pytest.mark.parametrize("change, input_id, sentence", [
    ({"weekly_hours": "20"}, "contract-working_time",
     "« Temps de travail » : 20 h par semaine, c'est un temps partiel"),
    ({"working_time": "part_time"}, "contract-working_time", "« Temps de travail » : 35 h par semaine, c'est un "
                                                             "temps plein"),
    ({"hourly_pay": "12,505"}, "contract-hourly_pay", "« Salaire brut horaire » : au plus 2 chiffres après la virgule"),
    ({"weekly_hours": "50"}, "contract-weekly_hours", "« Heures par semaine » : au plus 48 h par semaine"),
    ({"applies_from": "2026-13"}, "contract-applies_from", "« À partir du mois » : 2026-13 n'est pas un mois"),
])
def test_a_refused_contract_says_why_in_french_and_stores_nothing(site: Site, change: dict, input_id: str,
                                                                  sentence: str):
    """Part or full time that does not match the hours, pay with three decimals, 50 h, a 13th
    month: refused."""
    response = site.refused("/coordination/ge/contrats", CONTRACT | {"employee_id": "bruno"} | change)
    assert sentence in text_of(response), text_of(response)
    assert marked(response, input_id) or input_id == "contract-working_time"


def test_a_rate_card_is_recorded_shown_in_words_and_prices_the_months_hours(site: Site):
    """January: Anne's 12,00 € × 1,87 = 22,44 € for the crèche, × 1,6 = 19,20 € for the club, a
    flat 23,00 € for the maison des associations; Bruno has no contract: « contrat manquant »."""
    before = site.log_end()
    response = site.post("/coordination/ge/grille", CARD)
    page = text_of(response)
    assert response.status_code == 200 and site.log_end() == before + 1, page
    assert "La grille de coefficients est enregistrée ; elle s'applique à partir de janvier 2026." in page
    assert "coefficient 1,87 par défaut, sur le salaire brut horaire" in page
    assert "CDD : coefficient 1,95" in page and "Club de foot : coefficient 1,6" in page
    assert "Maison des associations : forfait de 23,00 € HT l'heure" in page.replace("\u202f", " ")
    rates = text_of(site.client.get("/coordination/ge/conditions?mois=2026-01"))
    rates = rates[rates.index("Heures du mois et taux horaire HT"):].replace("\u202f", " ")
    assert "Anne Martin Club de foot 3,5 12,00 € coefficient 1,6 19,20 €" in rates
    assert "Anne Martin Crèche Les Marmots 7 12,00 € coefficient 1,87 22,44 €" in rates
    assert "Anne Martin Maison des associations 2,25 12,00 € forfait horaire 23,00 €" in rates
    assert "Bruno Petit Crèche Les Marmots 4 — contrat manquant" in rates


def test_a_member_with_both_a_coefficient_and_a_flat_fee_is_refused_by_name(site: Site):
    """The club given 1,6 and 21 € an hour: one or the other; the fee input is marked, nothing stored."""
    response = site.refused("/coordination/ge/grille", CARD | {"fee-club-b": "21"})
    assert "par un coefficient ou par un forfait horaire, pas les deux (Club de foot)" in text_of(response)
    assert marked(response, "fee-club-b")
    low = site.refused("/coordination/ge/grille", CARD | {"default_coefficient": "0,9"})
    assert "« Coefficient par défaut » : un coefficient vaut au moins 1" in text_of(low)
    assert marked(low, "card-default_coefficient")


def test_the_hub_then_shows_what_is_set_and_the_overdue_notifications(site: Site):
    """With a profile, a card and Anne's contract: only Bruno's contract, the club's and the
    maison des associations' files are missing; the crèche's join (1 January, due 1 February)
    is overdue to notify (its file, recorded today, is due in a month)."""
    page = text_of(site.client.get("/coordination/ge?mois=2026-01"))
    assert "Le profil du groupement est renseigné : GE du Haut-Val, SIREN 732 829 320." in page
    assert "2 partenaires sans fiche d'adhérent" in page
    assert "1 salarié sans contrat en vigueur en janvier 2026" in page and "Bruno Petit" in page
    assert "Une grille de coefficients est en vigueur en janvier 2026 (depuis janvier 2026, coefficient par " \
           "défaut 1,87)." in page
    if date.today() > date(2026, 2, 1):
        assert "1 changement du registre en retard de notification" in page


def test_the_register_as_recorded_at_an_earlier_position_is_as_it_stood(site: Site):
    """Before the crèche's file (at position 3, or as recorded yesterday: the store was written
    today) the register of 15 January was empty; now it lists the crèche, and the changes its
    join and its file; a position past the log's end or a day that does not exist are refused."""
    response = site.client.get("/coordination/ge/registre?jour=2026-01-15")
    page = text_of(response)
    first = int(re.search(r"position (\d+) du journal", page).group(1))
    assert "1er janvier 2026 Association Les Marmots adhésion 1er février 2026" in page
    assert "fiche créée" in page
    earlier = text_of(site.client.get("/coordination/ge/registre?jour=2026-01-15&position=3"))
    assert "Tel qu'il était enregistré à la position 3 du journal." in earlier and "Aucun membre ce jour-là." in earlier
    assert first >= 3
    yesterday = date.fromordinal(date.today().toordinal() - 1).isoformat()
    recorded = text_of(site.client.get(f"/coordination/ge/registre?jour=2026-01-15&enregistre_le={yesterday}"))
    # Everything was recorded today: as recorded yesterday, the register was empty.
    assert "Tel qu'il était enregistré le" in recorded and "Aucun membre ce jour-là." in recorded
    both = site.client.get(f"/coordination/ge/registre?enregistre_le={yesterday}&position=3")
    assert both.status_code == 422 and "choisissez une date d'enregistrement ou une position" in text_of(both)
    refused = site.client.get(f"/coordination/ge/registre?position={site.log_end() + 100}")
    assert refused.status_code == 422
    assert "« Position du journal » : le journal s'arrête à la position" in text_of(refused)
    wrong_day = site.client.get("/coordination/ge/registre?jour=2026-02-30")
    assert wrong_day.status_code == 422
    assert "« Registre au » : ce n'est pas une date du calendrier" in text_of(wrong_day)


def test_notifying_records_up_to_the_position_read_and_refuses_going_back_ahead_or_past_the_log(site: Site):
    """RegisterChangesNotified up to the page's position, then « notifié le »; a second one with
    the same position, one dated tomorrow, one past the log's end: refused in French."""
    page = site.client.get("/coordination/ge/registre")
    position = re.search(r'name="up_to_position" value="(\d+)"', page.text).group(1)
    before = site.log_end()
    done = site.post("/coordination/ge/registre/notifications", {
        "up_to_position": position, "notified_on": "2026-11-30", "reference": "LRAR 1A 234 567"},
        page="/coordination/ge/registre")
    assert done.status_code == 200 and site.log_end() == before + 1, text_of(done)
    shown = text_of(done)
    assert f"Notification enregistrée : les changements du registre jusqu'à la position {position}, envoyés le " \
           f"30 novembre 2026 (référence LRAR 1A 234 567)." in shown
    assert "adhésion 1er février 2026 30 novembre 2026" in shown and "EN RETARD" not in shown
    again = site.refused("/coordination/ge/registre/notifications", {
        "up_to_position": position, "notified_on": "2026-12-01", "reference": "x"}, page="/coordination/ge/registre")
    assert f"les changements jusqu'à la position {position} ont déjà été notifiés le 30 novembre 2026" in text_of(again)
    end = site.log_end()
    ahead = site.refused("/coordination/ge/registre/notifications", {
        "up_to_position": str(end), "notified_on": "2099-01-01", "reference": "x"}, page="/coordination/ge/registre")
    assert "« Date d'envoi » : une notification ne peut pas être datée d'un jour à venir (1er janvier 2099)." \
           in text_of(ahead) and marked(ahead, "notified_on")
    past = site.refused("/coordination/ge/registre/notifications", {
        "up_to_position": str(end + 5), "notified_on": "2026-12-01", "reference": "x"},
        page="/coordination/ge/registre")
    assert f"le journal s'arrête à la position {end}" in text_of(past)


def test_a_departure_a_return_and_a_changed_file_are_listed_with_their_nature_and_deadline(site: Site):
    """The club gets a file, leaves after 15 March, comes back on 1 June; the crèche's file
    changes: on 1 April the club is not a member, on 15 June it is; the changes say « départ »
    due 15 April (overdue), « retour » due 1 July (overdue), « fiche modifiée »."""
    club = site.post("/coordination/ge/adherents", {"partner_id": "club-b", "legal_name": "Football club du Haut-Val",
                                                    "head_office": "Stade municipal, Haut-Val", "headcount": "2"})
    assert club.status_code == 200, text_of(club)
    changed = site.post("/coordination/ge/adherents", CRECHE | {"headcount": "14"})
    assert changed.status_code == 200
    ledger = site.client.app.state.services.ledger
    ledger.execute(LeavePartner(partner_id="club-b", last_day="2026-03-15"), actor=ACTOR)
    outcome = ledger.execute(RejoinPartner(partner_id="club-b", joined_on="2026-06-01"), actor=ACTOR)
    april = text_of(site.client.get(f"/coordination/ge/registre?jour=2026-04-01&apres={outcome.position}"))
    assert "Membres du groupement au 1er avril 2026 (1)" in april and "Football club" not in april.split(
        "Changements du registre")[0]
    june = text_of(site.client.get("/coordination/ge/registre?jour=2026-06-15"))
    assert "Membres du groupement au 15 juin 2026 (2)" in june and "14 443 061 841" in june
    assert "15 mars 2026 Football club du Haut-Val départ 15 avril 2026 EN RETARD" in june
    assert "1er juin 2026 Football club du Haut-Val retour 1er juillet 2026 EN RETARD" in june
    assert "Association Les Marmots fiche modifiée" in june


def test_the_register_of_a_day_is_a_pdf_with_the_d1253_1_fields(site: Site):
    """The printable register: the GE's identity, the member, its establishments and headcount."""
    response = site.client.get("/coordination/ge/registre/registre.pdf?jour=2026-01-15")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "Liste des membres du groupement au 15 janvier 2026" in text
    assert "GE du Haut-Val — SIREN 732 829 320" in text.replace("\u00a0", " ")
    for words in ("Association Les Marmots", "Halte-garderie, 5 rue Haute", "accueil de jeunes enfants", "443 061 841"):
        assert words in text.replace("\u00a0", " "), words


def test_the_auditor_reads_the_register_but_cannot_post(site: Site):
    """The auditor's menu has the register; it shows without the form; a notification and the
    conditions' forms answer 403."""
    auditor = browser(site.client, AUDITOR)
    page = auditor.get("/coordination/ge/registre?jour=2026-01-15")
    assert page.status_code == 200 and "Association Les Marmots" in text_of(page)
    assert 'href="/coordination/ge/registre" aria-current="page">Registre des adhérents' in page.text
    assert "Notifier les changements" not in text_of(page)
    assert auditor.get("/coordination/ge/registre/registre.pdf").status_code == 200
    before = site.log_end()
    posted = auditor.post("/coordination/ge/registre/notifications", data={
        "csrf": csrf_of(page.text), "up_to_position": str(before), "notified_on": "2026-12-01", "reference": "x"})
    assert posted.status_code == 403 and "pas accessible avec votre rôle" in text_of(posted)
    assert auditor.get("/coordination/ge/conditions").status_code == 403
    assert site.log_end() == before


@pytest.mark.parametrize("path", PAGES)
def test_a_partner_gets_403_on_every_ge_page(site: Site, path: str):
    """Signed in as the crèche's treasurer: each GE page and form refuses, in French."""
    partner = browser(site.client, PARTNER)
    response = partner.get(path)
    assert response.status_code == 403 and "pas accessible avec votre rôle" in text_of(response)
    for form in ("/coordination/ge/profil", "/coordination/ge/grille", "/coordination/ge/registre/notifications"):
        assert partner.post(form, data={"csrf": "x"}).status_code == 403
