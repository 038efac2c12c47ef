"""The coordinator's pages on the demo pool (real SQLite and DuckDB files): the dashboard's
checklist and closing, costs and credit notes typed in euros, partners, resources and keys
with their preview, answering disputes; every refusal in French, naming the field."""

from __future__ import annotations

import html
import re
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.french import euros
from application.tokens import issue_token, token_keys
from bootstrap import bootstrap
from domain.commands import CorrectEntry
from domain.entries import project_container
from domain.ids import container_aggregate_id
from tests.page_fixtures import DEMO_PEOPLE, browser, csrf_of, demo_client, demo_store, sign_in

COORDINATOR = DEMO_PEOPLE["coordinator"][0]
PAGES = ("/coordination", "/coordination/couts", "/coordination/partenaires", "/coordination/partenaires/cle",
         "/coordination/contestations", "/coordination/cloture/2026-02")
# The demo loader closes all its months but the last two: with 3 months, 2026-01 is closed,
# 2026-02 is the month to close and 2026-03 stays open whatever these tests close.
OPEN_MONTH = "2026-03"


class Site:
    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def log_end(self) -> int:
        return self.client.app.state.services.ledger.recorder.max_notification_id()

    def json(self, path: str, who: str = "coordinator", **params):
        response = self.client.get(path, params=params, headers={"Authorization": f"Bearer {self.tokens[who]}"})
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, data: dict[str, str], page: str | None = None):
        """Post a form as the browser would: with the CSRF token of the page it is on."""
        form = self.client.get(page or path)
        return self.client.post(path, data={"csrf": csrf_of(form.text), **data})


def text_of(response) -> str:
    """The page's text as a person reads it: tags dropped, entities decoded, spaces joined."""
    inline = re.sub(r"</?(strong|em|span|a|code|del)\b[^>]*>", "", response.text)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", inline)))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    settings = demo_store(tmp_path_factory.mktemp("coordination"))
    keys = token_keys(settings)
    with bootstrap(settings) as ledger:
        tokens = {"coordinator": issue_token(ledger, "coordinator", label="tests", keys=keys),
                  "partner": issue_token(ledger, "partner", partner_id="mission-locale", label="ml", keys=keys)}
    with demo_client(settings) as client:
        sign_in(client, COORDINATOR)
        yield Site(client, tokens)


def _new_resource(site: Site, resource_id: str, name: str) -> None:
    """A resource registered and keyed through the pages (fixed weights, from January)."""
    made = site.post("/coordination/ressources", {
        "resource_name": name, "resource_id": resource_id, "resource_kind": "premises", "unit": "m²",
        "other_unit": "", "capacity": "1"}, page="/coordination/partenaires")
    assert made.status_code == 200 and f"« {name} » est enregistrée" in text_of(made)
    keyed = site.post("/coordination/partenaires/cle", {
        "resource_id": resource_id, "applies_from": "2026-01", "method": "fixed", "action": "enregistrer",
        "weight-france-services": "60", "weight-mission-locale": "40"}, page="/coordination/partenaires/cle")
    assert keyed.status_code == 200 and "Nouvelle clé" in text_of(keyed)


def test_the_checklist_finds_a_resource_with_no_cost_this_month(site: Site):
    """A resource registered without a cost shows in the checklist of the month to close."""
    _new_resource(site, "local-archives", "Local des archives")
    page = text_of(site.client.get("/coordination"))
    to_close = re.search(r"Avant de clore (\w+ \d{4})", page).group(1)
    checklist = page[page.index(f"Avant de clore {to_close}"):]
    assert re.search(r"\d+ ressources? sans coût enregistré ce mois-ci : [^.]*Local des archives", checklist)
    # The demo's copier is billed at 0,04 € a page, which over-recovers its cost.
    assert "Copieur multifonction" in checklist and "sur-recouvrement" in checklist


def test_the_checklist_finds_a_pool_with_no_key_and_usage_outside_a_membership(site: Site):
    """A cost on a resource with no key stays unallocated; a leave recorded after the usage it
    now lies outside of (the club's last day moved back to 10 February) shows too."""
    made = site.post("/coordination/ressources", {
        "resource_name": "Garage communal", "resource_id": "garage-sans-cle", "resource_kind": "premises",
        "unit": "m²", "other_unit": "", "capacity": "1"}, page="/coordination/partenaires")
    assert made.status_code == 200
    for month in ("2026-02", OPEN_MONTH):
        recorded = site.post("/coordination/couts", {"resource_id": "garage-sans-cle", "month": month,
                                                     "amount": "80", "category": "loyer", "document_ref": "G-1"})
        assert recorded.status_code == 200, text_of(recorded)
    assert "Aucun usage enregistré hors des périodes d'adhésion." in text_of(site.client.get("/coordination"))
    left = site.client.post("/partners/us-haut-val/leave", json={"day": "2026-02-10"},
                            headers={"Authorization": f"Bearer {site.tokens['coordinator']}"})
    assert left.status_code == 201, left.text
    page = text_of(site.client.get(f"/coordination?apres={left.json()['position']}"))
    checklist = page[page.index("Avant de clore"):]
    assert "Garage communal — 80,00 € (aucune clé de répartition en vigueur)" in checklist
    assert re.search(r"Usages hors adhésion .* Union sportive du Haut-Val — [^:]+ : \d+ saisies?", checklist)


def test_the_close_confirmation_shows_each_partners_total_then_closing_seals_the_month(site: Site):
    """The confirmation lists the totals the JSON statements give; after closing, the month shows closed."""
    dashboard = site.client.get("/coordination")
    month = re.search(r'href="/coordination/cloture/(\d{4}-\d{2})"', dashboard.text).group(1)
    confirmation = site.client.get(f"/coordination/cloture/{month}")
    assert confirmation.status_code == 200
    shown = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">\d+</td><td class="num">([^<]+)</td></tr>',
                            confirmation.text))
    shown = {html.unescape(name): html.unescape(total) for name, total in shown.items()}
    grand_total = shown.pop("Total")
    for partner_id in ("mission-locale", "france-services", "maison-des-associations"):
        statement = site.json(f"/partners/{partner_id}/statements/{month}")
        assert shown[statement["partner_name"]] == statement["total"]
    assert f"{len(shown)} relevés, pour un total de {spaced(grand_total)}" in text_of(confirmation)

    closed = site.client.post(f"/coordination/cloture/{month}",
                              data={"csrf": csrf_of(confirmation.text),
                                    "empreinte": re.search(r'name="empreinte" value="(\w+)"', confirmation.text)[1]})
    assert closed.status_code == 200 and closed.history[0].status_code == 303
    assert re.search(r"/coordination\?apres=\d+", closed.history[0].headers["location"])
    page = text_of(closed)
    assert "est clos" in page and f"{len(shown)} relevés numérotés et scellés" in page
    row = re.search(rf"{month_words(month)} (\w+)", page)
    assert row and row.group(1) == "clos"
    assert any(p["month"] == month for p in site.json("/periods"))
    again = site.client.get(f"/coordination/cloture/{month}")
    assert again.status_code == 409 and "déjà clos" in text_of(again)


def test_closing_refuses_when_the_figures_moved_since_the_confirmation(site: Site):
    """A cost recorded between the confirmation and the click: nothing is closed, the new figures are shown."""
    dashboard = site.client.get("/coordination")
    month = re.search(r'href="/coordination/cloture/(\d{4}-\d{2})"', dashboard.text).group(1)
    confirmation = site.client.get(f"/coordination/cloture/{month}")
    shown = re.search(r'name="empreinte" value="(\w+)"', confirmation.text)[1]
    recorded = site.post("/coordination/couts", {"resource_id": "loyer-batiment", "month": month, "amount": "1,00",
                                                 "category": "charges locatives", "document_ref": "FAC-TARDIVE"})
    assert recorded.status_code == 200
    closed_before = site.json("/periods")
    refused = site.client.post(f"/coordination/cloture/{month}",
                               data={"csrf": csrf_of(confirmation.text), "empreinte": shown})
    assert refused.status_code == 409
    assert "Les chiffres du mois ont changé depuis l'affichage de cette page : rien n'a été clos." in text_of(refused)
    assert re.search(r'name="empreinte" value="(\w+)"', refused.text)[1] != shown
    assert site.json("/periods") == closed_before


def spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def month_words(month: str) -> str:
    return {"2026-02": "février 2026", "2026-03": "mars 2026"}[month]


def test_a_cost_typed_with_a_decimal_comma_is_recorded_in_cents_and_split(site: Site):
    """'1 234,56' is 123 456 cents: the page lists it and the pool's shares sum to it."""
    _new_resource(site, "salle-reunion-2", "Salle de réunion 2")
    recorded = site.post("/coordination/couts", {
        "resource_id": "salle-reunion-2", "month": OPEN_MONTH, "amount": "1 234,56", "category": "loyer",
        "document_ref": "FAC-2026-03-901"})
    assert recorded.status_code == 200
    page = text_of(recorded)
    assert "Coût enregistré : 1 234,56 € pour mars 2026" in page
    assert "Salle de réunion 2 loyer FAC-2026-03-901 1 234,56 €" in page
    shares = site.json("/cost-shares", month=OPEN_MONTH, resource_id="salle-reunion-2")
    assert [p["pool_cents"] for p in shares["pools"]] == [123_456]
    assert {line["partner_id"]: line["amount_cents"] for line in shares["lines"]} == {
        "france-services": 74_074, "mission-locale": 49_382}


@pytest.mark.parametrize("typed", ["12,345", "abc", "", "-5", "0"])
def test_a_bad_amount_is_refused_in_french_naming_the_field_and_records_nothing(site: Site, typed: str):
    """The form comes back with the amount as typed, the field marked; the log is unchanged."""
    before = site.log_end()
    refused = site.post("/coordination/couts", {
        "resource_id": "salle-vercors", "month": OPEN_MONTH, "amount": typed, "category": "loyer",
        "document_ref": "FAC-X"})
    assert refused.status_code == 422
    page = text_of(refused)
    assert "« Montant » :" in page and "n'a pas été enregistré" in page
    assert re.search(r'id="amount"[^>]*value="' + re.escape(html.escape(typed)) + '"[^>]*aria-invalid="true"',
                     refused.text)
    assert 'value="FAC-X"' in refused.text
    assert site.log_end() == before


def test_a_refusal_of_the_ledger_is_shown_in_french_naming_the_field(site: Site):
    """An unknown resource and a badly formed month, each in French, naming its field."""
    before = site.log_end()
    unknown = site.post("/coordination/couts", {"resource_id": "nulle-part", "month": OPEN_MONTH, "amount": "10",
                                                "category": "loyer", "document_ref": "FAC-Y"})
    assert unknown.status_code == 422 and "« Ressource » :" in text_of(unknown)
    month = site.post("/coordination/couts", {"resource_id": "salle-vercors", "month": "mars", "amount": "10",
                                              "category": "loyer", "document_ref": "FAC-Y"})
    assert month.status_code == 422 and "« Mois » :" in text_of(month)
    assert site.log_end() == before


def test_a_credit_note_reduces_the_cost_it_refunds(site: Site):
    """An avoir of 100,00 € on a cost of the open month: the cost is corrected, the original kept."""
    costs = site.json("/cost-shares", month=OPEN_MONTH, resource_id="loyer-batiment")
    pool = costs["pools"][0]["pool_cents"]
    page = site.client.get(f"/coordination/couts?mois={OPEN_MONTH}")
    entry = re.search(r'<option value="(loyer-batiment:2026-03:\d+)"', page.text).group(1)
    done = site.post("/coordination/couts/avoir", {"entry_id": entry, "credit": "100", "credit_ref": "AV-2026-17",
                                                   "month": OPEN_MONTH}, page=f"/coordination/couts?mois={OPEN_MONTH}")
    assert done.status_code == 200 and "Avoir de 100,00 € enregistré" in text_of(done)
    assert "corrigé par avoir" in text_of(done)
    after = site.json("/cost-shares", month=OPEN_MONTH, resource_id="loyer-batiment")
    assert after["pools"][0]["pool_cents"] == pool - 10_000
    too_much = site.post("/coordination/couts/avoir", {"entry_id": entry, "credit": "1 000 000",
                                                       "credit_ref": "AV-X", "month": OPEN_MONTH},
                         page=f"/coordination/couts?mois={OPEN_MONTH}")
    assert too_much.status_code == 422 and "« Montant de l'avoir » :" in text_of(too_much)


def test_a_credit_note_typed_while_another_lands_on_the_same_cost_does_not_undo_it(site: Site):
    """The coordinator's avoir of 30,00 € is decided on the cost as read; before it is saved,
    another avoir of 20,00 € on the same cost is recorded (another tab, another person). The
    page's is decided again, refused in French naming « Montant de l'avoir », and nothing of it
    stored: the cost keeps the other's correction instead of losing it."""
    ledger = site.client.app.state.services.ledger
    page = site.client.get(f"/coordination/couts?mois={OPEN_MONTH}")
    entry = re.search(r'<option value="(salle-vercors:2026-03:\d+)"', page.text).group(1)
    cost = int(amount_of(ledger, entry))
    real_save, saves = ledger.store.save, []

    def another_lands_first(*events: object, **kwargs: object):
        if not saves:
            saves.append("other")
            ledger.execute(CorrectEntry(entry_id=entry, amount_cents=cost - 2_000, from_amount_cents=cost,
                                        reason="avoir AV-AUTRE"), actor=COORDINATOR)
        saves.append("page")
        return real_save(*events, **kwargs)

    ledger.store.save = another_lands_first
    try:
        form = site.client.get(f"/coordination/couts?mois={OPEN_MONTH}")
        before = site.log_end()
        refused = site.client.post("/coordination/couts/avoir", data={
            "csrf": csrf_of(form.text), "entry_id": entry, "credit": "30", "credit_ref": "AV-2026-30",
            "month": OPEN_MONTH})
    finally:
        ledger.store.save = real_save
    assert refused.status_code == 422
    assert spaced(f"« Montant de l'avoir » : le coût a été corrigé entre-temps ({euros(cost)} lu, "
                  f"{euros(cost - 2_000)} maintenant) : rien n'est enregistré") in text_of(refused)
    # The other avoir's event is the only one stored since the form was sent.
    assert site.log_end() == before + 1
    assert amount_of(ledger, entry) == cost - 2_000


def amount_of(ledger, entry: str):
    """A cost's amount as the store holds it now."""
    container = ledger.store.repository.get(container_aggregate_id(entry), projector_func=project_container)
    return container.find(entry).quantity


def test_the_key_preview_records_nothing_and_its_shares_sum_to_the_pool(site: Site):
    """Prévisualiser: both columns sum to the pool of the last month before the key applies."""
    before = site.log_end()
    preview = site.post("/coordination/partenaires/cle", {
        "resource_id": "salle-vercors", "applies_from": "2026-04", "method": "equal", "action": "previsualiser",
        "equal-france-services": "1", "equal-mission-locale": "1"},
        page="/coordination/partenaires/cle?ressource=salle-vercors")
    assert preview.status_code == 200
    assert site.log_end() == before
    page = text_of(preview)
    assert "Rien n'est enregistré" in page and "coût de mars 2026" in page
    pool = site.json("/cost-shares", month=OPEN_MONTH, resource_id="salle-vercors")["pools"][0]["pool_cents"]
    table = preview.text[preview.text.index("Parts de mars 2026"):preview.text.index("</table>",
                                                                                   preview.text.index("Parts de mars"))]
    cells = [html.unescape(c) for c in re.findall(r'<td class="num[^"]*">([^<]*)</td>', table)]
    rows = [cells[i:i + 3] for i in range(0, len(cells) - 2, 3)]
    cents = [[int(re.sub(r"[^\d-]", "", c)) for c in row[:2]] for row in rows]
    assert sum(c for c, _ in cents) == pool and sum(n for _, n in cents) == pool
    totals = re.search(r"Total \(le coût du mois\)</th><td class=\"num\">([^<]+)</td><td class=\"num\">([^<]+)</td>",
                       table)
    assert int(re.sub(r"\D", "", totals[1])) == pool == int(re.sub(r"\D", "", totals[2]))
    # The proposed key splits the pool in two equal halves (to the cent) between the two partners.
    assert [n for _, n in cents if n] == [pool // 2 + pool % 2, pool // 2] or \
        sorted(n for _, n in cents if n) == sorted([pool // 2, pool - pool // 2])
    # What was typed stays in the form, to be recorded as is.
    assert 'name="equal-france-services" value="1" checked' in preview.text


def test_a_bad_key_is_refused_in_french_naming_the_field(site: Site):
    """A fixed key without weights, a tariff without a price: French, nothing recorded."""
    before = site.log_end()
    fixed = site.post("/coordination/partenaires/cle", {"resource_id": "salle-vercors", "applies_from": "2026-04",
                                                        "method": "fixed", "action": "enregistrer"},
                      page="/coordination/partenaires/cle")
    assert fixed.status_code == 422 and "« Poids » :" in text_of(fixed)
    tariff = site.post("/coordination/partenaires/cle", {"resource_id": "copieur", "applies_from": "2026-04",
                                                         "method": "tariff", "unit_price": "0,0401234",
                                                         "action": "enregistrer"},
                       page="/coordination/partenaires/cle")
    assert tariff.status_code == 422 and "« Prix unitaire » :" in text_of(tariff)
    assert 'value="0,0401234"' in tariff.text
    assert site.log_end() == before


def test_registering_a_partner_lists_it_and_a_bad_id_is_refused_in_french(site: Site):
    """JoinPartner from the page; an id with capitals and spaces is refused naming « Identifiant »."""
    bad = site.post("/coordination/partenaires", {"partner_name": "Comité des fêtes", "partner_id": "Comité Fêtes",
                                                  "partner_kind": "association", "joined_on": "2026-03-01"})
    assert bad.status_code == 422 and "« Identifiant » :" in text_of(bad)
    assert 'value="Comité des fêtes"' in bad.text
    made = site.post("/coordination/partenaires", {"partner_name": "Comité des fêtes", "partner_id": "comite-fetes",
                                                   "partner_kind": "association", "joined_on": "2026-03-01"})
    assert made.status_code == 200
    assert "Comité des fêtes comite-fetes association depuis le 1er mars 2026" in text_of(made)


def test_a_dispute_accepted_with_a_credit_shows_on_the_partners_next_statement(site: Site):
    """The partner disputes a line (API); the coordinator accepts it with 12,50 € on the page;
    the list shows it answered and the partner's JSON statement carries the credit."""
    opened = site.client.post("/disputes", headers={"Authorization": f"Bearer {site.tokens['partner']}"}, json={
        "partner_id": "mission-locale", "month": OPEN_MONTH, "resource_id": "loyer-batiment",
        "reason": "surface de notre bureau surestimée"})
    assert opened.status_code == 201, opened.text
    dispute_id = opened.json()["events"][0]["dispute_id"]
    page = site.client.get(f"/coordination/contestations?apres={opened.json()['position']}")
    assert "surface de notre bureau surestimée" in text_of(page)

    bad = site.post("/coordination/contestations", {"dispute_id": dispute_id, "outcome": "accepted",
                                                    "credit": "12,5x", "reason": "surface corrigée"})
    assert bad.status_code == 422 and "« Montant de l'avoir » :" in text_of(bad)
    assert "surface corrigée" in bad.text

    accepted = site.post("/coordination/contestations", {"dispute_id": dispute_id, "outcome": "accepted",
                                                         "credit": "12,50", "reason": "surface corrigée"})
    assert accepted.status_code == 200
    answered = text_of(accepted)
    assert "avoir de 12,50 € est porté sur le prochain relevé" in answered
    assert "surface de notre bureau surestimée acceptée surface corrigée 12,50 € relevé de mars 2026" in answered
    statement = site.json(f"/partners/mission-locale/statements/{OPEN_MONTH}", who="partner")
    credits = [line for line in statement["lines"] if line["line_kind"] == "credit"]
    assert [(c["dispute_id"], c["amount_cents"]) for c in credits] == [(dispute_id, -1250)]


def test_a_rejection_needs_a_reason_in_french(site: Site):
    """Rejecting without a reason: refused naming « Motif du rejet », nothing recorded."""
    opened = site.client.post("/disputes", headers={"Authorization": f"Bearer {site.tokens['partner']}"}, json={
        "partner_id": "mission-locale", "month": OPEN_MONTH, "resource_id": "energie-batiment",
        "reason": "compteur relevé deux fois"})
    dispute_id = opened.json()["events"][0]["dispute_id"]
    before = site.log_end()
    refused = site.post("/coordination/contestations", {"dispute_id": dispute_id, "outcome": "rejected",
                                                        "reason": ""})
    assert refused.status_code == 422 and "« Motif du rejet » :" in text_of(refused)
    assert site.log_end() == before
    rejected = site.post("/coordination/contestations", {"dispute_id": dispute_id, "outcome": "rejected",
                                                         "reason": "un seul relevé au journal"})
    assert "compteur relevé deux fois rejetée un seul relevé au journal" in text_of(rejected)


@pytest.mark.parametrize("path", PAGES)
def test_a_partner_gets_403_on_every_coordination_page(site: Site, path: str):
    """Signed in as a partner's treasurer: each page and each form of the coordinator refuses."""
    partner = browser(site.client, DEMO_PEOPLE["partner"][0])
    response = partner.get(path)
    assert response.status_code == 403 and "pas accessible avec votre rôle" in text_of(response)
    posted = partner.post(path if path != "/coordination" else "/coordination/couts", data={"csrf": "x"})
    assert posted.status_code in (403, 405)


def test_the_costs_page_says_ht_or_ttc_and_the_statement_prints_it(site: Site):
    """Set TTC from the open month: the costs page and a partner's statement of that month
    say so; a basis that is neither is refused in French and records nothing."""
    recorded = site.post("/coordination/couts/ht-ttc", {"basis": "ttc", "basis_from": OPEN_MONTH},
                         page="/coordination/couts")
    assert recorded.status_code == 200
    assert "les coûts sont enregistrés TTC : la mutualisation ne récupère pas la TVA" in text_of(recorded)
    statement = site.client.get(f"/releves/{OPEN_MONTH}?partenaire=france-services")
    assert "Montants TTC : la mutualisation ne récupère pas la TVA sur ses coûts." in text_of(statement)
    before = site.log_end()
    refused = site.post("/coordination/couts/ht-ttc", {"basis": "tva", "basis_from": OPEN_MONTH},
                        page="/coordination/couts")
    assert refused.status_code == 422 and "« Les coûts sont enregistrés » :" in text_of(refused)
    assert site.log_end() == before
