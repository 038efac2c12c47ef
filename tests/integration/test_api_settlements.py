"""GET and POST /resources/{id}/settlements over HTTP on real SQLite and DuckDB files
(tests/settlement_fixtures.py's copier): the year's figures as worked out by hand, a partner
its own line with the totals, the settlement recorded and on December's JSON statements, and
each refusal a problem naming its field with nothing stored."""

from __future__ import annotations

from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.tokens import issue_token, token_keys
from bootstrap import bootstrap
from tests.page_fixtures import log_end
from tests.settlement_fixtures import copier_store

PATH = "/resources/copieur/settlements"


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    settings = copier_store(tmp_path_factory.mktemp("settlement-api"))
    keys = token_keys(settings)
    with bootstrap(settings) as ledger:
        tokens = {who: issue_token(ledger, role, partner_id=partner, label=who, keys=keys)
                  for who, role, partner in (("coordinator", "coordinator", None), ("auditor", "auditor", None),
                                             ("creche", "partner", "creche-a"), ("analyst", "analyst", None))}
    client = TestClient(create_app(settings))
    client.__enter__()
    yield client, {who: {"Authorization": f"Bearer {token}"} for who, token in tokens.items()}
    client.__exit__(None, None, None)


def test_the_years_figures_and_a_partners_own_line(api) -> None:
    """The coordinator: both partners' lines; the crèche: its own, with the year's totals; an analyst: 403."""
    client, headers = api
    year = client.get(f"{PATH}/2026", headers=headers["coordinator"]).json()
    assert (year["costs_cents"], year["charged_cents"], year["difference_cents"], year["total_units"]) == (
        9_000, 8_800, 200, "2200.000000")
    assert {p["partner_id"]: (p["share_cents"], p["leftover_cent"], p["amount_cents"], p["exact_share_cents"])
            for p in year["partners"]} == {"creche-a": (6_136, False, 136, "6136.363636"),
                                           "club-b": (2_864, True, 64, "2863.636364")}
    own = client.get(f"{PATH}/2026", headers=headers["creche"]).json()
    assert [p["partner_id"] for p in own["partners"]] == ["creche-a"] and own["difference_cents"] == 200
    assert "club-b" not in str(own)
    assert client.get(f"{PATH}/2026", headers=headers["analyst"]).status_code == 403


@pytest.mark.parametrize(("body", "field"), [
    ({"year": 2026, "month": "2026-11"}, "month"),
    ({"year": 2025, "month": "2025-12"}, "year"),
    ({"year": 2026, "month": "2026-12", "as_of_position": 10**9}, "as_of_position"),
])
def test_each_refusal_is_a_problem_naming_its_field_and_stores_nothing(api, body, field) -> None:
    """A month before December, a year with no tariff key, a position past the log's end."""
    client, headers = api
    before = log_end(client)
    position = client.get(f"{PATH}/2026", headers=headers["coordinator"]).json()["position"]
    response = client.post(PATH, headers=headers["coordinator"], json={"as_of_position": position} | body)
    assert response.status_code in (409, 422), response.text
    assert response.json()["field"] == field
    assert log_end(client) == before


def test_the_settlement_reaches_decembers_json_statement(api) -> None:
    """Recorded as one TariffYearSettled; December's statement of the crèche has the 1,36 € line,
    not as of the position before it, where the year is still to settle; a partner's token is
    refused the write."""
    client, headers = api
    position = client.get(f"{PATH}/2026", headers=headers["coordinator"]).json()["position"]
    body = {"year": 2026, "month": "2026-12", "as_of_position": position}
    assert client.post(PATH, headers=headers["creche"], json=body).status_code == 403
    recorded = client.post(PATH, headers=headers["coordinator"], json=body)
    assert recorded.status_code == 201, recorded.text
    assert [e["type"] for e in recorded.json()["events"]] == ["TariffYearSettled"]
    statement = client.get("/partners/creche-a/statements/2026-12", headers=headers["creche"],
                           params={"after": recorded.json()["position"]}).json()
    assert [(l["line_kind"], l["amount_cents"]) for l in statement["lines"] if l["resource_id"] == "copieur"] == [
        ("tariff", 2_000), ("settlement", 136)]
    again = client.get(f"{PATH}/2026", headers=headers["coordinator"]).json()
    assert (again["settled_cents"], again["difference_cents"]) == (200, 0)
    before = client.get("/partners/creche-a/statements/2026-12", headers=headers["creche"],
                        params={"as_of": str(recorded.json()["position"] - 1)}).json()
    assert [l["line_kind"] for l in before["lines"] if l["resource_id"] == "copieur"] == ["tariff"]
    as_then = client.get(f"{PATH}/2026", headers=headers["coordinator"],
                         params={"as_of": str(recorded.json()["position"] - 1)}).json()
    assert (as_then["settled_cents"], as_then["difference_cents"]) == (0, 200)
