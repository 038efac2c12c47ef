"""A GE member's fees and deposit, on real SQLite and DuckDB files over HTTP: a year's fee
called once, a deposit of months of forecast billing worked out by hand, a deposit returned
after the member leaves (less what it owes, with the reason), as of any position, and each
refusal naming its field with nothing stored."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.api_fixtures import Api, start


def post(api: Api, path: str, body: dict) -> int:
    response = api.client.post(path, json=body, headers=api.headers("coordinator"))
    assert response.status_code == 201, response.text
    return response.json()["position"]


def log_end(api: Api) -> int:
    """The store's last position (not the projections', which may lag a write)."""
    return api.client.app.state.services.ledger.recorder.max_notification_id()


def funds(api: Api, **params) -> dict[str, dict]:
    found = api.client.get("/ge/member-funds", params=params, headers=api.headers("auditor"))
    assert found.status_code == 200, found.text
    return {m["partner_id"]: m for m in found.json()["members"]}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The crèche and the club have member files (the maison des associations has none); the
    club leaves a deposit of 3 000,00 €, then leaves the GE after 15 March."""
    api = start(tmp_path_factory.mktemp("funds"))
    for partner in ("creche-a", "club-b"):
        post(api, "/ge/members", {"partner_id": partner, "legal_name": partner, "address": "Haut-Val"})
    api.positions = {"deposit": post(api, "/ge/deposits", {"partner_id": "club-b", "amount_cents": 300_000})}
    post(api, "/partners/club-b/leave", {"day": "2026-03-15"})
    yield api
    api.client.__exit__(None, None, None)


def test_fees_and_a_deposit_of_months_of_forecast_billing(api: Api) -> None:
    """150,00 € of fee for 2026; 2,5 months of a 1 234,57 € forecast = 3 086,425 € → 3 086,43 €
    (half up to the cent)."""
    post(api, "/ge/fees", {"partner_id": "creche-a", "year": 2026, "amount_cents": 15_000})
    last = post(api, "/ge/deposits", {"partner_id": "creche-a", "months": "2.5", "monthly_forecast_cents": 123_457})
    creche = funds(api, after=last)["creche-a"]
    assert (creche["fees"], creche["deposit_held_cents"]) == ({"2026": 15_000}, 308_643)


def test_a_former_members_deposit_is_returned_less_what_it_owes(api: Api) -> None:
    """2 913,57 € returned on 1 April, 86,43 € kept for an unpaid invoice: 86,43 € stay held;
    as of before the return, the whole deposit was held."""
    returned = post(api, "/ge/deposits/return", {"partner_id": "club-b", "amount_cents": 291_357,
                                                 "returned_on": "2026-04-01", "reason": "facture FA-000012 impayée"})
    club = funds(api, after=returned)["club-b"]
    assert (club["deposit_called_cents"], club["deposit_returned_cents"], club["deposit_held_cents"]) == (
        300_000, 291_357, 8_643)
    assert funds(api, as_of=str(api.positions["deposit"]))["club-b"]["deposit_held_cents"] == 300_000


@pytest.mark.parametrize("path, body, status, field", [
    ("/ge/fees", {"partner_id": "club-b", "year": 2027, "amount_cents": 15_000}, 409, "year"),
    ("/ge/fees", {"partner_id": "mda", "year": 2026, "amount_cents": 15_000}, 404, "partner_id"),
    ("/ge/deposits", {"partner_id": "club-b", "amount_cents": 10_000}, 409, "partner_id"),
    ("/ge/deposits", {"partner_id": "creche-a", "amount_cents": 10_000, "months": "2"}, 422, "amount_cents"),
    ("/ge/deposits", {"partner_id": "creche-a", "months": "2"}, 422, "monthly_forecast_cents"),
    ("/ge/deposits/return", {"partner_id": "creche-a", "amount_cents": 1, "returned_on": "2026-04-01"}, 409,
     "returned_on"),
    ("/ge/deposits/return", {"partner_id": "club-b", "amount_cents": 1, "returned_on": "2026-03-15"}, 409,
     "returned_on"),
    ("/ge/deposits/return", {"partner_id": "club-b", "amount_cents": 10**8, "returned_on": "2026-04-02"}, 409,
     "amount_cents"),
])
def test_each_rule_is_refused_naming_its_field_and_nothing_is_stored(
        api: Api, path: str, body: dict, status: int, field: str) -> None:
    """A fee for a year the club is not a member; a partner with no member file; a deposit from
    a former member; an amount and months at once, or months without a forecast; a return to
    a member still in the GE, or on its last day; a return above what is held."""
    before = log_end(api)
    response = api.client.post(path, json=body, headers=api.headers("coordinator"))
    assert (response.status_code, response.json()["field"]) == (status, field), response.text
    assert log_end(api) == before


def test_a_fee_is_called_once_a_year_and_a_partial_return_says_why(api: Api) -> None:
    """The crèche's 2026 fee a second time; a partial return without a reason."""
    post(api, "/ge/fees", {"partner_id": "club-b", "year": 2026, "amount_cents": 15_000})
    for path, body, field in (("/ge/fees", {"partner_id": "club-b", "year": 2026, "amount_cents": 15_000}, "year"),
                              ("/ge/deposits/return", {"partner_id": "club-b", "amount_cents": 1,
                                                       "returned_on": "2026-04-02"}, "reason")):
        before = log_end(api)
        response = api.client.post(path, json=body, headers=api.headers("coordinator"))
        assert (response.status_code, response.json()["field"]) == (409, field), response.text
        assert log_end(api) == before
