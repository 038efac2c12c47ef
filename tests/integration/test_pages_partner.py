"""The partner's pages on the Haut-Val demo (real stores): statements, a line's trace,
downloads, disputes, the chart of charges, booking — figures equal to the JSON API's, French
words and errors naming the field, nothing of another partner's, read-your-writes."""

from __future__ import annotations

import html
import io
import re
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from application.tokens import issue_token, token_keys
from bootstrap import bootstrap
from tests.page_fixtures import DEMO_PEOPLE, csrf_of, demo_client, demo_store, sign_in

PARTNER = DEMO_PEOPLE["partner"][1]          # mission-locale
OTHER = DEMO_PEOPLE["other_partner"][1]      # france-services
MONTHS = ("2026-01", "2026-02", "2026-03")   # January closed, with a late credit note on its rent


class Site:
    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.bearer = {"Authorization": f"Bearer {token}"}

    def person(self, key: str) -> TestClient:
        """A browser of its own for one of DEMO_PEOPLE, signed in."""
        client = TestClient(self.client.app, base_url="http://haut-val.example")
        sign_in(client, DEMO_PEOPLE[key][0])
        assert "encommun_session" in client.cookies  # its home may be another helper's page
        return client

    def json(self, path: str, **params) -> dict | list:
        response = self.client.get(path, headers=self.bearer, params=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    settings = demo_store(tmp_path_factory.mktemp("partner-pages"))
    with bootstrap(settings) as ledger:
        token = issue_token(ledger, "coordinator", label="tests", keys=token_keys(settings))
    with demo_client(settings) as client:
        yield Site(client, token)


@pytest.fixture(scope="module")
def partner(site: Site) -> TestClient:
    return site.person("partner")


def text(response) -> str:
    return html.unescape(response.text)


def plain(value: str) -> str:
    """Amounts as the eye reads them: every kind of space made one space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", value)


def words(response) -> str:
    """The page's text as read: no tags, entities decoded, spaces made one."""
    return plain(html.unescape(re.sub(r"<[^>]+>", " ", response.text))).replace(" .", ".").replace(" ,", ",")


def lines_of(page: str) -> Counter:
    return Counter((key, int(cents)) for key, cents in re.findall(r'<tr[^>]*data-line="([^"]+)" data-cents="(-?\d+)"', page))


def json_lines(statement: dict) -> Counter:
    return Counter((f"{l['resource_id']}|{l['line_kind']}|{'' if l['part'] is None else l['part']}", l["amount_cents"])
                   for l in statement["lines"])


def test_mes_releves_lists_each_month_open_or_closed_with_its_number_total_and_open_disputes(site, partner):
    """Every month of the partner, its state in French, and the JSON statement's total (a
    closed month's as issued)."""
    page = partner.get("/releves")
    assert page.status_code == 200
    body = text(page)
    assert "<h1>Mes relevés</h1>" in body and "Mission locale Vercors-Haut-Val" in body
    rows = dict(re.findall(r'<tr data-month="([\d-]+)" data-cents="(-?\d+)"', page.text))
    assert set(rows) == set(MONTHS)
    for month in MONTHS:
        statement = site.json(f"/partners/{PARTNER}/statements/{month}")
        assert int(rows[month]) == statement["total_cents"]
        assert plain(statement["total"]) in plain(body)
    january = body[body.index('data-month="2026-01"'):].split("</tr>")[0]
    assert "clos" in january and "n° 1" in january and 'href="/releves/2026-01"' in january
    march = body[body.index('data-month="2026-03"'):].split("</tr>")[0]
    assert "ouvert" in march and "provisoire" in march


def test_a_statement_page_has_the_json_statements_lines_and_total_for_every_month(site, partner):
    """Each line amount and the total equal the JSON API's, month by month, closed or open."""
    for month in MONTHS:
        page = partner.get(f"/releves/{month}")
        assert page.status_code == 200
        statement = site.json(f"/partners/{PARTNER}/statements/{month}")
        assert lines_of(page.text) == json_lines(statement)
        assert int(re.search(r'data-total="(-?\d+)"', page.text).group(1)) == statement["total_cents"]


def test_each_pool_shows_its_cost_its_invoices_and_its_key_in_plain_french(partner):
    """Rent by a fixed key, the room by the hour, the copier at a tariff, cleaning on a mixed key."""
    body = plain(text(partner.get("/releves/2026-03")))
    assert "Coût du mois : 4 200,00 € — FAC-2026-03-032 (loyer, 4 200,00 €)" in body
    assert "clé fixe 11,25 %" in body and "45 m² sur 400 m², soit 11,25 % du coût du mois (4 200,00 €)" in body
    assert "au prorata des heures" in body and "Vos 19,5 heures sur 134,5 heures en tout ce mois" in body
    assert "0,04 € la page" in body and "1 509 pages à 0,04 € la page = 60,36 €" in body
    assert "clé mixte, part 1 (30 % du coût) : à parts égales" in body
    assert "Sous-total Ménage du bâtiment" in body


def test_staff_lines_are_grouped_after_the_premises_not_mixed_among_them(site):
    """The maison des associations' statement, seen by the coordination: rooms, equipment,
    services, then the staff lent by the employers' group, each group by name."""
    coordinator = site.person("coordinator")
    page = text(coordinator.get("/releves/2026-02", params={"partenaire": "maison-des-associations"}))
    headings = re.findall(r'class="kind-head">([^<]+)<', page)
    assert headings == ["Locaux", "Matériel", "Services partagés", "Personnel mis à disposition"]
    before, staff = page.split('class="kind-head">Personnel mis à disposition<')
    employee = re.compile(r"\(\d+(,\d)? h\)$")  # the demo's staff: 'Emma Roux, chargée de communication (28 h)'
    staff_names = re.findall(r'class="pool-name">([^<]+)<', staff)
    assert staff_names and all(employee.search(name) for name in staff_names)
    assert staff_names == sorted(staff_names)
    assert "heures travaillées pour vous sur" in html.unescape(staff)
    assert not any(employee.search(name) for name in re.findall(r'class="pool-name">([^<]+)<', before))
    # The printable document too: its charges by kind, the staff last.
    document = text(coordinator.get("/releves/2026-02/releve.html", params={"partenaire": "maison-des-associations"}))
    charges = document[document.index("Charges du mois"):document.index("Régularisations de mois clos")
                       if "Régularisations de mois clos" in document else None]
    resources = [name.strip() for name in re.findall(r'<td class="resource">\s*([^<]+?)\s*<', charges)]
    first_staff = next(i for i, name in enumerate(resources) if employee.search(name))
    assert all(employee.search(name) for name in resources[first_staff:]) and "Salle Vercors" in resources[:first_staff]


def test_a_closed_month_is_shown_as_issued_with_its_number_and_seal(site, partner):
    """January: issued (n° 1, the seal of the JSON statement), the rent at its cost when
    issued although a credit note came later; the trace marks that late event."""
    statement = site.json(f"/partners/{PARTNER}/statements/2026-01")
    body = words(partner.get("/releves/2026-01"))
    assert "Relevé émis — n° 1." in body and statement["statements_sha256"] in body
    assert statement["chain_hash"] in body
    assert "Loyer du bâtiment France Services Coût du mois : 4 200,00 €" in body
    trace = words(partner.get("/releves/2026-01/lignes/loyer-batiment"))
    assert "Correction d'une écriture après la clôture" in trace and "montant porté à 3 990,00 €" in trace


def test_a_lines_trace_page_shows_the_json_traces_events_in_french_with_the_lines_figures(site, partner):
    """Same events as the JSON trace (by position), named in French, in Paris time, with
    who recorded them; the line's basis, ratio and amount."""
    trace = site.json(f"/partners/{PARTNER}/statements/2026-03/lines/salle-vercors/trace")
    page = partner.get("/releves/2026-03/lignes/salle-vercors")
    assert page.status_code == 200
    positions = [int(p) for p in re.findall(r'<tr data-position="(\d+)"', page.text)]
    assert positions == [event["position"] for event in trace["events"]]
    body = plain(text(page))
    assert "Réservation" in body and "Coût enregistré" in body and "Clé de répartition" in body
    assert re.search(r"Salle Vercors pour [^,]+, le \d+ mars 2026, de \d+ h \d\d à \d+ h \d\d", body)
    assert re.search(r"\d+(er)? \w+ 20\d\d à \d+ h \d\d", body)  # when recorded, Paris time
    statement = site.json(f"/partners/{PARTNER}/statements/2026-03")
    line = next(l for l in statement["lines"] if l["resource_id"] == "salle-vercors")
    assert lines_of(page.text.replace("<section", "<tr")) == Counter({("salle-vercors|share|", line["amount_cents"]): 1})
    assert "19,5 / 134,5" in body and "14,50 %" in body and plain(line["amount"]) in body
    assert "Contester cette ligne" in body


def test_a_partner_cannot_open_another_partners_statement_trace_dispute_or_download(site, partner):
    """403 in French, and nothing of the other partner's figures or names on the page."""
    other_total = plain(site.json(f"/partners/{OTHER}/statements/2026-01")["total"])
    for path in ("/releves", "/releves/2026-01", "/releves/2026-01/lignes/salle-vercors", "/releves/2026-01/releve.pdf",
                 "/releves/2026-01/releve.csv", "/releves/2026-01/releve.html", "/contestations"):
        response = partner.get(path, params={"partenaire": OTHER})
        assert response.status_code == 403, path
        assert "autre partenaire" in text(response) and other_total not in plain(text(response))
    dispute = partner.get(f"/contestations/{OTHER}:2026-01:d1")
    assert dispute.status_code == 403 and "annulée la veille" not in text(dispute)
    analyst = site.person("analyst")
    assert analyst.get("/releves", params={"partenaire": PARTNER}).status_code == 403


def test_contesting_a_line_lands_on_mes_contestations_showing_it_then_its_answer_and_credit(site, partner):
    """Line -> "Contester cette ligne" -> form -> the list showing the new dispute at once;
    the coordination accepts it with a credit: the answer and the credit are shown."""
    trace = partner.get("/releves/2026-02/lignes/salle-vercors")
    link = re.search(r'href="([^"]+/contester[^"]*)">Contester cette ligne', trace.text).group(1)
    form = partner.get(html.unescape(link))
    assert form.status_code == 200 and "Motif de la contestation" in text(form)
    sent = partner.post(html.unescape(link).split("?")[0], follow_redirects=False, data={
        "csrf": csrf_of(form.text), "reason": "réunion du 12 annulée, comptée quand même",
        "line_kind": "share", "part": ""})
    assert sent.status_code == 303 and sent.headers["location"].startswith("/contestations?apres=")
    shown = partner.get(sent.headers["location"])
    body = text(shown)
    assert "réunion du 12 annulée, comptée quand même" in body and "est enregistrée" in body
    row = body[body.index(f'id="contestation-{PARTNER}:2026-02:d'):].split("</tr>")[0]
    assert "ouverte" in row and "Salle Vercors" in row and "en attente" in row
    dispute_id = re.search(r'id="contestation-([^"]+)"', row).group(1)
    assert any(d["dispute_id"] == dispute_id for d in site.json("/disputes", partner_id=PARTNER))
    assert "contestée" in text(partner.get("/releves/2026-02"))
    assert "Contestation ouverte" in text(partner.get("/releves/2026-02/lignes/salle-vercors"))

    resolved = site.client.post(f"/disputes/{dispute_id}/resolve", headers=site.bearer, json={
        "outcome": "accepted", "reason": "annulation confirmée", "credit_cents": 1250})
    assert resolved.status_code == 201
    after = plain(text(partner.get("/contestations", params={"apres": resolved.json()["position"]})))
    row = after[after.index(f'id="contestation-{dispute_id}"'):].split("</tr>")[0]
    assert "acceptée" in row and "annulation confirmée" in row and "12,50 €" in row
    detail = plain(text(partner.get(f"/contestations/{dispute_id}")))
    assert "Contestation ouverte" in detail and "Contestation acceptée" in detail and "Avoir" in detail


def test_a_dispute_without_a_reason_or_on_a_line_already_contested_is_refused_in_french(site, partner):
    """No reason: 422 naming « Motif de la contestation », the field marked; the same line
    twice: 409; a form without its CSRF token: 403; nothing recorded."""
    before = len(site.json("/disputes", partner_id=PARTNER))
    url = "/releves/2026-03/lignes/copieur/contester"
    form = partner.get(url)
    empty = partner.post(url, data={"csrf": csrf_of(form.text), "reason": "  ", "line_kind": "tariff", "part": ""})
    assert empty.status_code == 422
    assert "« Motif de la contestation » : dites en quelques mots" in text(empty) and 'aria-invalid="true" aria-describedby="erreur' in empty.text
    assert partner.post(url, data={"reason": "sans jeton", "line_kind": "tariff"}).status_code == 403
    assert len(site.json("/disputes", partner_id=PARTNER)) == before
    first = partner.post(url, data={"csrf": csrf_of(form.text), "reason": "compteur relevé deux fois",
                                    "line_kind": "tariff", "part": ""})
    assert first.status_code == 200
    again = partner.post(url, data={"csrf": csrf_of(form.text), "reason": "encore", "line_kind": "tariff", "part": ""})
    assert again.status_code == 409 and "déjà contestée" in text(again)
    assert len(site.json("/disputes", partner_id=PARTNER)) == before + 1


def test_the_downloads_are_the_statement_as_html_csv_and_a_real_pdf(site, partner):
    """PDF: a PDF whose text has the total and the number; CSV: the total in cents; HTML: the document."""
    statement = site.json(f"/partners/{PARTNER}/statements/2026-01")
    pdf = partner.get("/releves/2026-01/releve.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    extracted = plain(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    assert plain(statement["total"]) in extracted and "Relevé n° 1" in extracted
    csv = partner.get("/releves/2026-01/releve.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert f";{statement['total_cents']};" in csv.text
    document = partner.get("/releves/2026-01/releve.html")
    assert "Relevé n° 1" in text(document) and plain(statement["total"]) in plain(text(document))


def test_the_charts_figures_equal_its_tables_and_the_monthly_totals_the_json_statements(site, partner):
    """Every bar segment is a cell of the table beside it; each month adds up to the statement."""
    page = partner.get("/releves").text
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    bars = {(m, r): int(v) for m, r, v in re.findall(
        r'data-category="([\d-]+)" data-series="([^"]+)" data-value="(-?\d+)"', svg)}
    table = page[page.index('id="tableau-charges-table"'):]
    months = re.findall(r'<th scope="col" class="num" data-month="([\d-]+)"', table)
    cells = {}
    for resource, row in re.findall(r'<tr data-series="([^"]+)">(.*?)</tr>', table, re.S):
        for month, value in zip(months, re.findall(r'data-value="(-?\d+)"', row)):
            cells[(month, resource)] = int(value)
    assert bars == {key: value for key, value in cells.items() if value != 0}
    for month in months:
        total = sum(value for (m, _), value in cells.items() if m == month)
        assert total == site.json(f"/partners/{PARTNER}/statements/{month}")["total_cents"]


def test_the_booking_page_shows_a_weeks_slots_and_books_one_read_back_at_once(partner):
    """Salle Vercors, the week of 5 January 2026: slots in Paris time, others' only as taken;
    a booking in a free slot is on the page it redirects to."""
    week = words(partner.get("/reservations", params={"ressource": "salle-vercors", "jour": "2026-01-07"}))
    assert "semaine du 5 janvier 2026 au 11 janvier 2026" in week
    assert "8 h 30 – 11 h 30" in week and "(occupé)" in week and "laep" not in week.lower()
    assert "10 h 30 – 12 h 30 (vous)" in week
    form = partner.get("/reservations")
    booked = partner.post("/reservations", follow_redirects=False, data={
        "csrf": csrf_of(form.text), "resource_id": "salle-vercors", "day": "2026-01-10", "start": "14:00", "end": "15:30"})
    assert booked.status_code == 303 and "apres=" in booked.headers["location"]
    shown = words(partner.get(booked.headers["location"]))
    assert "Réservation enregistrée : samedi 10 janvier 2026, de 14 h 00 à 15 h 30." in shown
    assert "14 h 00 – 15 h 30 (vous)" in shown


@pytest.mark.parametrize(("day", "start", "end", "field", "words"), [
    ("2026-01-05", "09:00", "10:00", "start", "« Heure de début » : ce créneau chevauche une réservation"),
    ("2026-01-10", "16:00", "15:00", "end", "« Heure de fin » : la fin doit venir après le début."),
    ("2026-01-10", "9h", "10:00", "start", "« Heure de début » : écrivez une heure"),
    ("", "09:00", "10:00", "day", "« Jour » : choisissez un jour"),
    ("1999-12-31", "09:00", "10:00", "day", "« Jour » : le jour doit être compris entre"),
    ("2025-12-15", "09:00", "10:00", "day", "« Jour » : votre structure n'est pas membre"),
])
def test_a_refused_booking_says_why_in_french_naming_the_field(partner, day, start, end, field, words):
    """Overlap, end before start, a malformed time, no day, outside the calendar, before the
    membership: the form again, the field marked, nothing booked."""
    form = partner.get("/reservations")
    refused = partner.post("/reservations", data={
        "csrf": csrf_of(form.text), "resource_id": "salle-vercors", "day": day, "start": start, "end": end})
    assert refused.status_code in (409, 422)
    assert words in text(refused)
    assert f'id="{field}" name="{field}"' in refused.text
    marked = refused.text[refused.text.index(f'id="{field}" name="{field}"'):].split(">")[0]
    assert 'aria-invalid="true"' in marked
