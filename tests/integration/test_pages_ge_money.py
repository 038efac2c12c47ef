"""The GE's money pages on the small GE of tests/ge_fixtures.py (real SQLite and DuckDB files):
« Dettes et solidarité », « Temps pour les collectivités », « Cotisations et dépôts » and the
hub's « à faire ». Each form records its event and the page then shows it; the figures are
checked against values worked out by hand in the tests' docstrings; every refusal is French
with its field marked and nothing stored; the auditor reads without posting; a partner gets
403.

The pool: the crèche, the club and the maison des associations have member files (the
maison des associations is a commune's, a local authority); Anne Martin has a full-time
contract (35 h a week) from January 2026; January's hours are Anne 7 h for the crèche, 3,5 h
for the club, 2,25 h for the maison des associations and Bruno 4 h for the crèche."""

from __future__ import annotations

import html
import re
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.billing_terms import SetContractTerms, SetMemberDetails
from domain.commands import LeavePartner, LogStaffHours
from tests.ge_fixtures import PEOPLE, ge_store
from tests.history import ACTOR
from tests.page_fixtures import browser, csrf_of, sign_in

COORDINATOR, AUDITOR, PARTNER = PEOPLE["coordinator"], PEOPLE["auditor"], PEOPLE["partner"]
SOLIDARITY = "/coordination/ge/solidarite"
WAGES = {"creditor_kind": "employees", "creditor": "Salariés", "debt_amount": "1 000,00", "first_month": "2026-01",
         "last_month": "", "due_on": "2026-02-05", "debt_reference": "paie de janvier"}
URSSAF = {"creditor_kind": "social_bodies", "creditor": "URSSAF Rhône-Alpes", "debt_amount": "300",
          "first_month": "2026-01", "last_month": "2026-03", "due_on": "2099-04-15", "debt_reference": "DSN T1 2026"}


class Site:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def log_end(self) -> int:
        return self.client.app.state.services.ledger.recorder.max_notification_id()

    def post(self, path: str, data: dict[str, str], page: str):
        form = self.client.get(page)
        return self.client.post(path, data={"csrf": csrf_of(form.text), **data})

    def recorded(self, path: str, data: dict[str, str], page: str, events: int = 1):
        """The page shown after an accepted form, after checking what it stored."""
        before = self.log_end()
        response = self.post(path, data, page)
        assert response.status_code == 200, text_of(response)
        assert self.log_end() == before + events
        return response

    def refused(self, path: str, data: dict[str, str], page: str):
        """The refusal page of a form, after checking that nothing was stored."""
        before = self.log_end()
        response = self.post(path, data, page)
        assert response.status_code == 422, text_of(response)
        assert self.log_end() == before
        return response


def text_of(response) -> str:
    inline = re.sub(r"</?(strong|em|span|a|code|del)\b[^>]*>", "", response.text)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", inline))).replace("\u202f", " ")


def marked(response, input_id: str) -> bool:
    return bool(re.search(rf'id="{re.escape(input_id)}"[^>]*aria-invalid="true"', response.text))


def section(page: str, start: str, end: str | None = None) -> str:
    part = page[page.index(start):]
    return part[:part.index(end)] if end else part


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """The small GE with its three member files and Anne's contract."""
    settings = ge_store(tmp_path_factory.mktemp("ge-money"))
    with TestClient(create_app(settings)) as client:
        client.app.state.services.ledger.execute_batch([
            SetMemberDetails(partner_id="creche-a", legal_name="Association Les Marmots", address="Haut-Val"),
            SetMemberDetails(partner_id="club-b", legal_name="Football club du Haut-Val", address="Haut-Val"),
            SetMemberDetails(partner_id="mda", legal_name="Commune de Haut-Val", address="Mairie, Haut-Val",
                             professional=False, local_authority=True),
            SetContractTerms(employee_id="anne", applies_from="2026-01", contract_kind="cdi",
                             working_time="full_time", weekly_hours="35", hourly_pay_cents=1200,
                             job_title="Assistante administrative"),
        ], actor=ACTOR)
        sign_in(client, COORDINATOR)
        yield Site(client)


# Dettes et solidarité -----------------------------------------------------------------------

def test_a_recorded_debt_is_split_among_the_members_by_their_hours_of_its_months(site: Site):
    """1 000,00 € of January wages; January's hours: crèche 11, club 3,5, commune 2,25 (16,75 in
    all): 656,716… → 656,71, 208,955… → 208,95, 134,328… → 134,32 with 2 cents left over, to
    the largest remainders (the commune's ,835 and the crèche's ,716): 656,72 €, 208,95 €,
    134,33 €; due 5 February, it is overdue."""
    response = site.recorded(f"{SOLIDARITY}/dettes", WAGES, SOLIDARITY)
    page = text_of(response)
    assert "Dette enregistrée : 1 000,00 € dus à Salariés (salariés), échéance le 5 février 2026." in page
    assert "d1 Salariés salariés janvier 2026 5 février 2026 ÉCHUE paie de janvier 1 000,00 €" in page
    shares = section(page, "Part de chaque adhérent dans les dettes en cours")
    assert "Association Les Marmots 656,72 € 656,72 €" in shares
    assert "Commune de Haut-Val 134,33 € 134,33 €" in shares
    assert "Football club du Haut-Val 208,95 € 208,95 €" in shares
    assert "Total 1 000,00 € 1 000,00 €" in shares


def test_a_second_debt_over_three_months_adds_to_each_members_exposure(site: Site):
    """300,00 € of URSSAF contributions for January to March (only January has hours): 197,014…,
    62,686…, 40,298… → 197,01, 62,68, 40,29 and 2 cents to the commune's ,85 and the club's ,66:
    197,01 €, 62,69 €, 40,30 €; exposures 853,73 €, 271,64 €, 174,63 € = 1 300,00 €."""
    page = text_of(site.recorded(f"{SOLIDARITY}/dettes", URSSAF, SOLIDARITY))
    assert "d2 URSSAF Rhône-Alpes organismes sociaux de janvier 2026 à mars 2026 15 avril 2099 DSN T1 2026 " \
           "300,00 €" in page
    assert "2 dettes non réglées, 1 300,00 € en tout, dont 1 échue." in page
    shares = section(page, "Part de chaque adhérent dans les dettes en cours")
    assert "Association Les Marmots 656,72 € 197,01 € 853,73 €" in shares
    assert "Commune de Haut-Val 134,33 € 40,30 € 174,63 €" in shares
    assert "Football club du Haut-Val 208,95 € 62,69 € 271,64 €" in shares
    assert "Total 1 000,00 € 300,00 € 1 300,00 €" in shares


def test_a_settled_debt_leaves_the_exposure_but_the_page_as_of_before_still_shows_it(site: Site):
    """d1 marked paid on 6 February: only d2 remains; at the position before, d1 is there."""
    before = site.log_end()
    page = text_of(site.recorded(f"{SOLIDARITY}/reglements", {"debt_id": "d1", "settled_on": "2026-02-06",
                                                              "settled_reference": "virement 0206"}, SOLIDARITY))
    assert "La dette d1 est réglée le 6 février 2026 (référence virement 0206)" in page
    assert "1 dette non réglée, 300,00 € en tout." in page and "paie de janvier" not in page
    assert "Association Les Marmots 197,01 € 197,01 €" in page
    then = text_of(site.client.get(f"{SOLIDARITY}?position={before}"))
    assert f"Telles qu'enregistrées à la position {before} du journal." in then
    assert "Association Les Marmots 656,72 € 197,01 € 853,73 €" in then


@pytest.mark.parametrize("change, input_id, sentence", [
    ({"debt_amount": "mille"}, "debt_amount", "« Montant de la dette » : « mille » n'est pas un montant en euros"),
    ({"debt_amount": "12,345"}, "debt_amount", "« Montant de la dette » : au plus 2 chiffres après la virgule"),
    ({"last_month": "2025-12"}, "last_month",
     "« Dernier mois concerné » : la dette court de 2026-01 à un mois qui suit, pas jusqu'à 2025-12."),
    ({"first_month": "2026-13"}, "first_month", "« Premier mois concerné » : 2026-13 n'est pas un mois"),
    ({"creditor": ""}, "creditor", "« Créancier » : ce champ est obligatoire."),
    ({"due_on": ""}, "due_on", "« Échéance » : indiquez une date"),
    ({"debt_reference": ""}, "debt_reference", "« Référence de la dette » : ce champ est obligatoire."),
])
def test_a_refused_debt_says_why_in_french_marks_its_field_and_stores_nothing(
        site: Site, change: dict, input_id: str, sentence: str):
    """An amount in words or with three decimals, months in the wrong order, a 13th month, no
    creditor, no due date, no reference: refused, what was typed kept."""
    response = site.refused(f"{SOLIDARITY}/dettes", WAGES | change, SOLIDARITY)
    assert sentence in text_of(response), text_of(response)
    assert marked(response, input_id)
    assert 'value="Salariés"' in response.text or change.get("creditor") == ""


def test_settling_a_debt_twice_or_an_unknown_one_is_refused_in_french(site: Site):
    """d1 is already settled; d9 does not exist; d2 without a payment reference: refused."""
    again = site.refused(f"{SOLIDARITY}/reglements", {"debt_id": "d1", "settled_on": "2026-02-07",
                                                      "settled_reference": "x"}, SOLIDARITY)
    assert "« Dette » : la dette d1 est déjà réglée." in text_of(again)
    unknown = site.refused(f"{SOLIDARITY}/reglements", {"debt_id": "d9", "settled_on": "2026-02-07",
                                                        "settled_reference": "x"}, SOLIDARITY)
    assert "« Dette » : la dette d9 n'est pas enregistrée." in text_of(unknown)
    bare = site.refused(f"{SOLIDARITY}/reglements", {"debt_id": "d2", "settled_on": "2026-04-15",
                                                     "settled_reference": ""}, SOLIDARITY)
    assert "« Référence du paiement » : ce champ est obligatoire." in text_of(bare)
    assert marked(bare, "settled_reference-d2")


def test_the_as_of_query_is_checked(site: Site):
    """A day that does not exist, a position past the log's end, both a day and a position."""
    wrong = site.client.get(f"{SOLIDARITY}?telle_au=2026-02-30")
    assert wrong.status_code == 422 and marked(wrong, "telle_au")
    assert "« Telle qu'enregistrée le » : ce n'est pas une date du calendrier" in text_of(wrong)
    past = site.client.get(f"{SOLIDARITY}?position={site.log_end() + 100}")
    assert past.status_code == 422 and "le journal s'arrête à la position" in text_of(past)
    both = site.client.get(f"{SOLIDARITY}?telle_au=2026-02-01&position=3")
    assert both.status_code == 422 and "pas les deux" in text_of(both)


def test_the_auditor_reads_the_debts_but_cannot_post(site: Site):
    """The auditor's menu has the page; it shows the shares without the forms; a post is 403."""
    auditor = browser(site.client, AUDITOR)
    response = auditor.get(SOLIDARITY)
    page = text_of(response)
    assert response.status_code == 200 and "Association Les Marmots 197,01 € 197,01 €" in page
    assert 'href="/coordination/ge/solidarite" aria-current="page">Dettes et solidarité' in response.text
    assert "Enregistrer une dette" not in page and "Réglée" not in page
    before = site.log_end()
    posted = auditor.post(f"{SOLIDARITY}/dettes", data={"csrf": csrf_of(response.text), **WAGES})
    assert posted.status_code == 403 and site.log_end() == before


# Temps pour les collectivités ---------------------------------------------------------------

LOCAL = "/coordination/ge/collectivites"


def test_the_cap_is_three_quarters_of_a_full_time_year_and_a_missing_contract_says_so(site: Site):
    """Anne, 35 h a week all 2026: 1 607 h of contract, a cap of 1 607 × 0,75 = 1 205,25 h; 2,25 h
    for the commune use 2,25 / 1 205,25 = 0,19 % of it. Bruno has no contract: « contrat
    manquant : plafond inconnu ». The commune is listed as the local authority."""
    response = site.client.get(f"{LOCAL}?annee=2026")
    page = text_of(response).replace("\u00a0", " ")
    assert response.status_code == 200
    assert "C. trav. L1253-20" in page and "75 % du temps contractuel de l'année" in page
    assert "D'après leur fiche d'adhérent : Commune de Haut-Val" in page
    assert "Anne Martin 12,75 h 2,25 h 1 607 h 1 205,25 h 0,19 % dans le plafond" in page
    assert "Bruno Petit 4 h 0 h — — — contrat manquant : plafond inconnu" in page


def test_an_employee_above_the_cap_is_marked_dépassé(site: Site):
    """Bruno works 6 h for the commune on 2 February (no contract then: not checked), then gets
    a 2 h a week contract from December: 2 × 1 607 / 35 / 12 = 7,65 h of contract, a cap of
    5,74 h (5,7393 exactly), 6 / 5,7393 = 104,54 % of it: « DÉPASSÉ »."""
    ledger = site.client.app.state.services.ledger
    ledger.execute(LogStaffHours(employee_id="bruno", partner_id="mda", work_date="2026-02-02", hours="6"),
                   actor=ACTOR)
    outcome = ledger.execute(SetContractTerms(employee_id="bruno", applies_from="2026-12", contract_kind="cdd",
                                              working_time="part_time", weekly_hours="2", hourly_pay_cents=1200,
                                              job_title="Animateur"), actor=ACTOR)
    response = site.client.get(f"{LOCAL}?annee=2026&apres={outcome.position}")
    page = text_of(response).replace("\u00a0", " ")
    assert "Bruno Petit 10 h 6 h 7,65 h 5,74 h 104,54 % DÉPASSÉ" in page
    assert re.search(r'<tr class="over">\s*<th scope="row">Bruno Petit', response.text)


def test_a_year_outside_the_calendar_is_refused_and_a_year_without_hours_says_so(site: Site):
    """« 1999 » is refused in French with its field marked; 2025 has no hours."""
    wrong = site.client.get(f"{LOCAL}?annee=1999")
    assert wrong.status_code == 422 and marked(wrong, "annee")
    assert "« Année » : une année de 2000 à 2100" in text_of(wrong)
    assert "Aucune heure de personnel n'est enregistrée en 2025." in text_of(site.client.get(f"{LOCAL}?annee=2025"))


def test_the_auditor_reads_the_local_authorities_time(site: Site):
    """The auditor sees the same table, with links to the GE's other pages it reads."""
    page = text_of(browser(site.client, AUDITOR).get(f"{LOCAL}?annee=2026")).replace("\u00a0", " ")
    assert "Bruno Petit 10 h 6 h 7,65 h 5,74 h 104,54 % DÉPASSÉ" in page and "Voir aussi" in page


# Cotisations et dépôts ----------------------------------------------------------------------

FUNDS = "/coordination/ge/cotisations"


def test_a_years_fee_is_called_for_one_member_then_for_all_the_others_in_one_batch(site: Site):
    """150,00 € for the crèche's 2026 fee, then « pour tous les adhérents » of 2026: the commune
    and the club (two events in one batch), the crèche named as already called."""
    one = text_of(site.recorded(f"{FUNDS}/cotisations", {"fee_partner": "creche-a", "year": "2026",
                                                         "fee_amount": "150"}, FUNDS))
    assert "Cotisation 2026 de 150,00 € appelée pour Association Les Marmots." in one
    assert "Association Les Marmots 150,00 € 0,00 € 0,00 € 0,00 €" in one
    assert "Commune de Haut-Val non appelée" in one
    page = text_of(site.recorded(f"{FUNDS}/cotisations", {"fee_partner": "*", "year": "2026",
                                                          "fee_amount": "150,00"}, FUNDS, events=2))
    assert "Cotisation 2026 de 150,00 € appelée pour Commune de Haut-Val, Football club du Haut-Val (déjà " \
           "appelée : Association Les Marmots)." in page
    assert "Commune de Haut-Val 150,00 €" in page and "Football club du Haut-Val 150,00 €" in page


def test_a_deposit_of_two_and_a_half_months_of_forecast_billing_is_worked_out_to_the_cent(site: Site):
    """2,5 months × 1 234,57 € = 3 086,425 € → 3 086,43 € (half up), said in the message."""
    page = text_of(site.recorded(f"{FUNDS}/depots", {"deposit_partner": "creche-a", "deposit_amount": "",
                                                     "months": "2,5", "monthly_forecast": "1 234,57"}, FUNDS))
    assert "Dépôt de 3 086,43 € appelé auprès d'Association Les Marmots (2,5 mois × 1 234,57 € de facturation " \
           "mensuelle prévue, arrondi au centime)." in page
    assert "Association Les Marmots 150,00 € 3 086,43 € 0,00 € 3 086,43 €" in page


def test_a_former_members_deposit_is_returned_less_what_it_owes_with_the_reason(site: Site):
    """The club leaves 1 000,00 € of deposit, then leaves the GE after 15 March; 900,00 € are
    returned on 1 April, 100,00 € kept for an unpaid invoice: 100,00 € stay held."""
    site.recorded(f"{FUNDS}/depots", {"deposit_partner": "club-b", "deposit_amount": "1 000", "months": "",
                                      "monthly_forecast": ""}, FUNDS)
    left = site.client.app.state.services.ledger.execute(LeavePartner(partner_id="club-b", last_day="2026-03-15"),
                                                         actor=ACTOR)
    form = site.client.get(f"{FUNDS}?apres={left.position}")
    assert "<option value=\"club-b\">Football club du Haut-Val — 1 000,00 € détenus, parti le 15 mars 2026" \
           in form.text.replace("\u202f", " ").replace("\u00a0", " ")
    page = text_of(site.recorded(f"{FUNDS}/restitutions", {
        "return_partner": "club-b", "return_amount": "900,00", "returned_on": "2026-04-01",
        "return_reason": "facture FA-000012 impayée"}, FUNDS))
    assert "Dépôt restitué à Football club du Haut-Val le 1er avril 2026 : 900,00 € ; motif de la retenue : facture " \
           "FA-000012 impayée." in page
    assert "Football club du Haut-Val parti le 15 mars 2026 150,00 € 1 000,00 € 900,00 € 100,00 €" in page
    assert "Football club du Haut-Val 1er avril 2026 900,00 € facture FA-000012 impayée" in page


@pytest.mark.parametrize("path, data, input_id, sentence", [
    ("cotisations", {"fee_partner": "creche-a", "year": "2026", "fee_amount": "150"}, "year",
     "« Année » : la cotisation 2026 de cet adhérent est déjà appelée ; une cotisation s'appelle une fois par an."),
    ("cotisations", {"fee_partner": "club-b", "year": "2027", "fee_amount": "150"}, "year",
     "« Année » : ce partenaire n'est pas adhérent en 2027"),
    ("cotisations", {"fee_partner": "*", "year": "2026", "fee_amount": "150"}, "fee_partner",
     "« Adhérent » : la cotisation 2026 de chaque adhérent est déjà appelée ; rien n'a été enregistré."),
    ("cotisations", {"fee_partner": "creche-a", "year": "2027", "fee_amount": "cent"}, "fee_amount",
     "« Montant de la cotisation » : « cent » n'est pas un montant en euros"),
    ("depots", {"deposit_partner": "club-b", "deposit_amount": "100", "months": "", "monthly_forecast": ""},
     "deposit_partner", "« Adhérent » : ce partenaire a quitté le groupement le 15 mars 2026 ; on n'appelle pas "
                        "de dépôt auprès d'un ancien adhérent."),
    ("depots", {"deposit_partner": "mda", "deposit_amount": "100", "months": "2", "monthly_forecast": "10"},
     "deposit_amount", "« Montant du dépôt » : indiquez un montant, ou un nombre de mois de facturation prévue, "
                       "pas les deux."),
    ("depots", {"deposit_partner": "mda", "deposit_amount": "", "months": "2", "monthly_forecast": ""},
     "monthly_forecast", "« Facturation mensuelle prévue » : un dépôt en mois de facturation a besoin"),
    ("restitutions", {"return_partner": "creche-a", "return_amount": "10", "returned_on": "2026-04-01",
                      "return_reason": ""}, "returned_on",
     "« Restitué le » : ce partenaire est encore adhérent le 1er avril 2026 ; son dépôt est restitué après son "
     "dernier jour de membre."),
    ("restitutions", {"return_partner": "club-b", "return_amount": "10", "returned_on": "2026-03-15",
                      "return_reason": "x"}, "returned_on", "ce partenaire est encore adhérent le 15 mars 2026"),
    ("restitutions", {"return_partner": "club-b", "return_amount": "100,01", "returned_on": "2026-04-02",
                      "return_reason": "x"}, "return_amount",
     "« Montant restitué » : le groupement détient 100,00 € de dépôt pour cet adhérent ; il ne peut pas en "
     "restituer 100,01 €."),
    ("restitutions", {"return_partner": "club-b", "return_amount": "40", "returned_on": "2026-04-02",
                      "return_reason": ""}, "return_reason",
     "« Motif de la retenue » : 40,00 € restitués sur les 100,00 € détenus ; dites pourquoi le reste est retenu"),
])
def test_each_rule_of_fees_and_deposits_is_refused_in_french_and_nothing_is_stored(
        site: Site, path: str, data: dict, input_id: str, sentence: str):
    """A fee twice, for a year the club is not a member, « pour tous » when all are called, an
    amount in words; a deposit from a former member, an amount and months at once, months
    without a forecast; a return to a member still in the GE or on its last day, above what
    is held, partial without a reason: refused, the field marked."""
    response = site.refused(f"{FUNDS}/{path}", data, FUNDS)
    assert sentence in text_of(response), text_of(response)
    assert marked(response, input_id)


def test_the_auditor_reads_fees_and_deposits_but_cannot_post(site: Site):
    """The page without its forms; each form answers 403, nothing stored."""
    auditor = browser(site.client, AUDITOR)
    response = auditor.get(FUNDS)
    page = text_of(response)
    assert response.status_code == 200 and "Association Les Marmots 150,00 € 3 086,43 €" in page
    assert "Appeler une cotisation" not in page and "Restituer le dépôt" not in page
    before = site.log_end()
    for path in ("cotisations", "depots", "restitutions"):
        assert auditor.post(f"{FUNDS}/{path}", data={"csrf": csrf_of(response.text)}).status_code == 403
    assert site.log_end() == before


# The hub ------------------------------------------------------------------------------------

def test_the_hub_lists_the_three_pages_the_overdue_debts_and_the_employees_over_the_cap(site: Site):
    """After the tests above: d2 (due 15 April 2099) is not overdue, so a debt due 1 March is
    recorded: it is listed; Bruno is above the cap in 2026; the three pages are linked."""
    quiet = text_of(site.client.get("/coordination/ge"))
    assert "Aucune dette envers les salariés ou les organismes sociaux n'est échue sans être réglée." in quiet
    site.recorded(f"{SOLIDARITY}/dettes", WAGES | {"debt_amount": "420", "due_on": "2026-03-01",
                                                   "debt_reference": "paie de février"}, SOLIDARITY)
    response = site.client.get("/coordination/ge")
    page = text_of(response)
    for title, path in (("Dettes et solidarité", SOLIDARITY), ("Temps pour les collectivités", LOCAL),
                        ("Cotisations et dépôts", FUNDS)):
        assert f'<a href="{path}">{title}</a>' in response.text.replace("&#39;", "'")
    assert "1 dette échue non réglée envers les salariés ou les organismes sociaux" in page
    assert "d3 — Salariés, 420,00 €, échue le 1er mars 2026" in page
    assert "1 salarié au-delà du plafond des collectivités en 2026 (C. trav. L1253-20) : Bruno Petit." in page


@pytest.mark.parametrize("path", (SOLIDARITY, LOCAL, FUNDS))
def test_a_partner_gets_403_on_the_money_pages_and_their_forms(site: Site, path: str):
    """Signed in as the crèche's treasurer: each page and each form refuses, in French."""
    partner = browser(site.client, PARTNER)
    response = partner.get(path)
    assert response.status_code == 403 and "pas accessible avec votre rôle" in text_of(response)
    for form in (f"{SOLIDARITY}/dettes", f"{SOLIDARITY}/reglements", f"{FUNDS}/cotisations", f"{FUNDS}/depots",
                 f"{FUNDS}/restitutions"):
        assert partner.post(form, data={"csrf": "x"}).status_code == 403
