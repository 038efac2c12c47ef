"""A GE's billing terms over HTTP (real SQLite and DuckDB files): its profile, its members'
details, contracts and rate cards, each refused with the field named and nothing stored,
and the provisional rates they give, checked against figures worked out by hand."""

from __future__ import annotations

import html

from decimal import Decimal
from typing import Iterator

import pytest

from tests.api_fixtures import Api, start

PROFILE = {"legal_name": "GE du Haut-Val", "address": "2 place de la Mairie, 38000 Haut-Val",
           "siren": "732829320", "vat_regime": "exempt_261b", "payment_days": 30, "late_penalty_rate": "12.00"}
CONTRACT = {"employee_id": "anne", "applies_from": "2026-01", "contract_kind": "cdi", "working_time": "full_time",
            "weekly_hours": "35", "hourly_pay_cents": 1200, "job_title": "Assistante"}
CARD = {"applies_from": "2026-01", "default_coefficient": "1.87", "kind_coefficients": {"cdd": "1.95"},
        "member_coefficients": {"club-b": "1.6"}, "member_flat_fees_cents": {"mda": 2300}}


def post(api: Api, path: str, body: dict, who: str = "coordinator") -> int:
    response = api.client.post(path, json=body, headers=api.headers(who))
    assert response.status_code == 201, response.text
    return response.json()["position"]


def refused(api: Api, path: str, body: dict, status: int = 422, who: str = "coordinator") -> dict:
    """The problem details of a refused write, after checking that nothing was stored."""
    recorder = api.client.app.state.services.ledger.recorder
    before = recorder.max_notification_id()
    response = api.client.post(path, json=body, headers=api.headers(who))
    assert response.status_code == status, response.text
    assert recorder.max_notification_id() == before
    return response.json()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    api = start(tmp_path_factory.mktemp("billing-terms"))
    for partner, day, hours in (("creche-a", "2026-01-05", "7"), ("club-b", "2026-01-06", "3.5"),
                                ("mda", "2026-01-07", "2.25"), ("creche-a", "2026-02-02", "4")):
        post(api, "/staff-hours", {"employee_id": "anne", "partner_id": partner, "work_date": day, "hours": hours})
    post(api, "/ge/profile", PROFILE)
    post(api, "/ge/members", {"partner_id": "creche-a", "legal_name": "Association Les Marmots",
                              "address": "1 rue des Écoles, 38000 Haut-Val", "siren": "443061841"})
    post(api, "/ge/contracts", CONTRACT)
    post(api, "/ge/contracts", {**CONTRACT, "applies_from": "2026-02", "hourly_pay_cents": 1250})
    yield api
    api.client.__exit__(None, None, None)


def test_the_rates_of_a_month_are_pay_times_the_coefficient_or_the_flat_fee(api: Api) -> None:
    """January: 12,00 € × 1,87 = 22,44 € for the crèche (default), × 1,6 = 19,20 € for the
    club (its own coefficient), 23,00 € flat for the maison des associations."""
    last = post(api, "/ge/rate-cards", CARD)
    rates = api.client.get("/ge/rates", params={"month": "2026-01", "after": last},
                           headers=api.headers("coordinator")).json()["rates"]
    assert [(r["partner_id"], Decimal(r["hours"]), r["rate_cents"], r["basis"]) for r in rates] == [
        ("club-b", Decimal("3.5"), 1920, "coefficient"),
        ("creche-a", Decimal(7), 2244, "coefficient"),
        ("mda", Decimal("2.25"), 2300, "flat_fee"),
    ]
    february = api.client.get("/ge/rates", params={"month": "2026-02", "after": last},
                              headers=api.headers("auditor")).json()["rates"]
    # 12,50 € × 1,87 = 23,375 € → 23,38 € (half up, to the cent).
    assert [(r["partner_id"], r["rate_cents"], r["hourly_pay_cents"]) for r in february] == [("creche-a", 2338, 1250)]


def test_the_terms_as_of_a_position_show_what_was_in_force_then(api: Api) -> None:
    """Before the second contract version, the terms list holds one version only."""
    terms = api.client.get("/ge/terms", headers=api.headers("auditor")).json()
    first = min(c["position"] for c in terms["contracts"])
    then = api.client.get("/ge/terms", params={"as_of": str(first)}, headers=api.headers("auditor")).json()
    assert [c["hourly_pay_cents"] for c in then["contracts"]] == [1200]
    assert [c["hourly_pay_cents"] for c in terms["contracts"]] == [1200, 1250]
    assert terms["profile"]["siren"] == "732829320" and terms["members"][0]["partner_id"] == "creche-a"


@pytest.mark.parametrize("path, body, field", [
    ("/ge/profile", {**PROFILE, "siren": "732829321"}, "siren"),
    ("/ge/profile", {**PROFILE, "vat_regime": "liable"}, "vat_rate_bp"),
    ("/ge/profile", {**PROFILE, "payment_days": 90}, "payment_days"),
    ("/ge/contracts", {**CONTRACT, "weekly_hours": "24"}, "working_time"),
    ("/ge/rate-cards", {**CARD, "member_coefficients": {"mda": "1.6"}}, "member_flat_fees_cents"),
    ("/ge/rate-cards", {**CARD, "default_coefficient": "0.9"}, "default_coefficient"),
])
def test_bad_terms_are_refused_naming_the_field(api: Api, path: str, body: dict, field: str) -> None:
    """A wrong SIREN, a VAT regime without its rate, 90 days to pay, 24 h called full time,
    a member with both a coefficient and a flat fee, a coefficient below 1."""
    assert refused(api, path, body)["field"] == field


@pytest.mark.parametrize("path, body, status, field", [
    ("/ge/contracts", {**CONTRACT, "employee_id": "salle-vercors"}, 422, "employee_id"),
    ("/ge/contracts", {**CONTRACT, "employee_id": "nobody"}, 404, "employee_id"),
    ("/ge/rate-cards", {**CARD, "member_coefficients": {"inconnu": "1.6"}}, 404, "member_coefficients.inconnu"),
    ("/ge/members", {"partner_id": "inconnu", "legal_name": "X", "address": "Y"}, 404, "partner_id"),
])
def test_terms_naming_what_does_not_exist_are_refused(api: Api, path: str, body: dict, status: int, field: str) -> None:
    """A contract for a room or for no one, a coefficient for an unknown member."""
    assert refused(api, path, body, status)["field"] == field


def test_only_the_coordinator_sets_terms_and_partners_do_not_read_them(api: Api) -> None:
    """A partner may neither set the rate card nor read the GE's terms (403)."""
    refused(api, "/ge/rate-cards", CARD, 403, who="creche")
    assert api.client.get("/ge/terms", headers=api.headers("creche")).status_code == 403


def test_statements_say_whether_their_amounts_are_ht_or_ttc_as_in_force_for_their_month(api: Api) -> None:
    """Never said: the document says so; TTC from January, HT from February: January's
    statement prints TTC, February's HT, in the HTML and in the CSV."""
    def document(month: str, kind: str, after: int | None = None) -> str:
        response = api.client.get(f"/partners/creche-a/statements/{month}/document" + (".csv" if kind == "csv" else ""),
                                  params={"after": after} if after else {}, headers=api.headers("creche"))
        assert response.status_code == 200, response.text
        return html.unescape(response.text)
    assert "n'a pas indiqué s'ils sont HT ou TTC" in document("2026-01", "html")
    post(api, "/pool/cost-basis", {"applies_from": "2026-01", "basis": "ttc"})
    last = post(api, "/pool/cost-basis", {"applies_from": "2026-02", "basis": "ht"})
    assert "Montants TTC : la mutualisation ne récupère pas la TVA" in document("2026-01", "html", last)
    assert "Montants HT : la mutualisation récupère la TVA" in document("2026-02", "html", last)
    assert "HT ou TTC;TTC;" in document("2026-01", "csv", last)


def test_the_local_authorities_share_of_each_employee_is_shown_against_the_cap(api: Api) -> None:
    """The club as a local authority: Anne's 2026 has 16,75 h, 3,5 h of them for it, against
    three quarters of a full-time year (1 607 h → 1 205,25 h)."""
    last = post(api, "/ge/members", {"partner_id": "club-b", "legal_name": "Club", "address": "Stade",
                                     "local_authority": True})
    found = api.client.get("/ge/local-authority-share", params={"year": 2026, "after": last},
                           headers=api.headers("auditor")).json()
    assert (found["share"], found["refuses"]) == ("0.75", True)
    assert [(e["employee_id"], e["hours"], e["local_authority_hours"], e["contract_hours"], e["cap_hours"], e["over"])
            for e in found["employees"]] == [("anne", "16.750", "3.500", "1607.00", "1205.25", False)]


def test_each_members_exposure_is_its_share_of_the_outstanding_debts_by_hours(api: Api) -> None:
    """January's salaries, 1 000,00 €, shared by January's hours 7 / 3,5 / 2,25 (worked out by
    hand below); once settled the debt is no longer outstanding, but reading as of before the
    settlement still shows it; settling it twice is refused."""
    recorded = post(api, "/ge/debts", {"creditor_kind": "employees", "creditor": "Salariés", "amount_cents": 100_000,
                                       "first_month": "2026-01", "last_month": "2026-01", "due_on": "2026-02-05",
                                       "reference": "paie janvier"})
    # 100 000 × 7 / 12,75 = 54 901,96; × 3,5 / 12,75 = 27 450,98; × 2,25 / 12,75 = 17 647,05:
    # floors 54 901 + 27 450 + 17 647 = 99 998, the 2 cents left go to the two largest
    # remainders (,98 the club and ,96 the crèche).
    exposure = api.client.get("/ge/exposure", params={"after": recorded}, headers=api.headers("auditor")).json()
    assert exposure["members"] == {"club-b": 27_451, "creche-a": 54_902, "mda": 17_647}
    assert exposure["debts"][0]["unallocated_cents"] == 0
    settled = post(api, "/ge/debts/d1/settle", {"settled_on": "2026-02-05", "reference": "virement"})
    now = api.client.get("/ge/exposure", params={"after": settled}, headers=api.headers("auditor")).json()
    assert now["debts"] == [] and now["members"] == {}
    then = api.client.get("/ge/exposure", params={"as_of": str(recorded)}, headers=api.headers("auditor")).json()
    assert then["members"] == exposure["members"]
    again = refused(api, "/ge/debts/d1/settle", {"settled_on": "2026-02-06", "reference": "x"}, status=409)
    assert again["field"] == "debt_id"
