"""A member's regularisation traced back to its costs and hours, on real SQLite and DuckDB files
(tests/regularisation_fixtures.py: January invoiced, then the year's actual costs). By hand, for
the crèche: the costs 300,00 + 80,00 + 20,00 € = 400,00 €; its invoice lines 230,01 + 85,80 €
= 315,81 €; the GE billed 434,76 € in all, a difference of −34,76 €. Anne's 300,00 € over 16 h:
the crèche's 10,25 h give exactly 192,1875 €, floor 192,18 €, and one of the 2 cents left over
(its remainder ,75 is among the two largest): 192,19 €; Bruno's 80,00 € are all its own; the
running costs' 20,00 € over 20 h give its 14,25 h 14,25 €. Real cost 286,44 €, difference
−29,37 €: a credit note. The members' differences sum to the year's. A member reads its own
trace only; before the regularisation was issued, no document; after, the same figures, as issued."""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application import regularisation
from application.regularisation_trace import member_trace
from application.tokens import issue_token, token_keys
from tests.integration.test_pages_ge_money import text_of
from tests.page_fixtures import browser, log_end, sign_in
from tests.regularisation_fixtures import PEOPLE, year_end_store

COORDINATION = "/coordination/ge/regularisation/2026"
ACTOR = "coordinator@test"


@pytest.fixture(scope="module")
def coordinator(tmp_path_factory) -> Iterator[TestClient]:
    settings = year_end_store(tmp_path_factory.mktemp("regularisation-trace"))
    client = TestClient(create_app(settings))
    client.__enter__()
    keys = token_keys(settings)
    ledger = client.app.state.services.ledger
    client.tokens = {who: issue_token(ledger, role, partner_id=partner, label=who, keys=keys)
                     for who, role, partner in (("coordinator", "coordinator", None), ("creche", "partner", "creche-a"))}
    sign_in(client, PEOPLE["coordinator"][0])
    yield client
    client.__exit__(None, None, None)


def _trace(client: TestClient, partner_id: str):
    services = client.app.state.services
    services.follower.catch_up()
    with services.follower.view.transaction() as conn:
        return member_trace(conn, 2026, partner_id, services.follower.runner.position)


def _largest_remainder(amount: int, weights: dict[str, Fraction]) -> tuple[dict[str, Fraction], dict[str, int]]:
    """Written here again from the rule: the exact shares, and the floors plus a cent each to the
    largest remainders (ties to the smaller id)."""
    total = sum(weights.values())
    exact = {p: amount * w / total for p, w in weights.items()}
    shares = {p: int(x) for p, x in exact.items()}
    for p in sorted(exact, key=lambda p: (-(exact[p] - shares[p]), p))[:amount - sum(shares.values())]:
        shares[p] += 1
    return exact, shares


def test_the_traces_figures_are_those_worked_out_by_hand(coordinator: TestClient) -> None:
    """Costs less billed is the difference; the crèche's shares from its hours; the members'
    differences sum to the year's, to the cent; the cost events and invoice lines sum to the totals."""
    trace = _trace(coordinator, "creche-a")
    year = trace.read.regularisation
    assert sum(c["amount_cents"] for c in trace.costs) == year.costs_cents == 30_000 + 8_000 + 2_000
    assert sum(line["amount_cents"] for line in trace.billed_lines) == trace.member.billed_cents == 23_001 + 8_580
    assert year.costs_cents - year.billed_cents == year.difference_cents == 40_000 - 43_476
    exact, shares = _largest_remainder(30_000, {"creche-a": Fraction(41, 4), "club-b": Fraction(7, 2),
                                                "mda": Fraction(9, 4)})
    anne = trace.splits["anne"].shares["creche-a"]
    assert (anne.exact, anne.floor_cents, anne.leftover_cent, anne.cents) == (exact["creche-a"], 19_218, True, 19_219)
    assert shares["creche-a"] == 19_219 and trace.splits["bruno"].shares["creche-a"].cents == 8_000
    assert trace.running_split.shares["creche-a"].cents == 2_000 * Fraction(57, 4) / 20 == 1_425
    assert trace.member.real_cost_cents == 19_219 + 8_000 + 1_425
    assert trace.member.difference_cents == 28_644 - 31_581 == -2_937
    assert sum(m.difference_cents for m in year.members) == year.difference_cents
    assert sum(h["hours"] for h in trace.hours) == trace.member.units == Fraction(57, 4)
    assert trace.document is None


def test_the_coordinations_page_shows_the_split_and_is_linked_from_the_regularisation(coordinator: TestClient) -> None:
    """Each member's line on the regularisation page opens its trace: the events' links, the
    exact share, its floor and the remainder's cent, no document yet."""
    listing = coordinator.get("/coordination/ge/regularisation", params={"annee": "2026"})
    assert f'href="{COORDINATION}/creche-a"' in listing.text
    response = coordinator.get(f"{COORDINATION}/creche-a")
    assert response.status_code == 200
    page = text_of(response)
    assert "Coûts réels de l'année 400,00 €" in page and "(factures moins avoirs) 315,81 €" in page
    assert "Écart à régulariser -34,76 €" in page
    assert "Association Les Marmots 10,25 h 192,1875 € 192,18 € + 0,01 € 192,19 €" in page
    assert "2 centimes aux plus grands restes" in page
    assert "Écart : avoir de 29,37 € -29,37 €" in page
    assert "la régularisation lui adresserait : avoir de 29,37 €" in page
    assert 'href="/controle?avant=32#evenement-31"' in response.text


def test_a_member_reads_its_own_trace_from_mes_factures_and_no_other(coordinator: TestClient) -> None:
    """The crèche: its own trace, other members' rows left out of the splits (their hours in the
    totals); another member's trace and the coordination's door are 403."""
    creche = browser(coordinator, PEOPLE["creche"][0])
    response = creche.get("/factures/regularisation/2026")
    assert response.status_code == 200
    page = text_of(response)
    assert "192,1875 €" in page and "Tous les adhérents 16 h 300,00 €" in page
    assert "Football club" not in page.split("L'écart et sa répartition")[1].split("La ligne")[0]
    assert 'href="/controle' not in response.text
    assert creche.get("/factures/regularisation/2026", params={"partenaire": "club-b"}).status_code == 403
    assert creche.get(f"{COORDINATION}/club-b").status_code == 403
    assert creche.get(f"{COORDINATION}/creche-a").status_code == 403


def test_the_api_trace_is_the_pages_and_a_member_reads_only_its_own(coordinator: TestClient) -> None:
    """GET /ge/regularisations/2026/creche-a/trace: the same figures; the crèche's token reads its
    own, and another member's is 403."""
    def get(who: str, partner: str):
        return coordinator.get(f"/ge/regularisations/2026/{partner}/trace",
                               headers={"Authorization": f"Bearer {coordinator.tokens[who]}"})
    body = get("coordinator", "creche-a").json()
    assert (body["costs_cents"], body["billed_cents"], body["difference_cents"]) == (40_000, 43_476, -3_476)
    assert (body["member_billed_cents"], body["real_cost_cents"], body["member_difference_cents"]) == (
        31_581, 28_644, -2_937)
    anne = next(s for s in body["splits"] if s["employee_id"] == "anne")
    assert (anne["exact_cents"], anne["floor_cents"], anne["leftover_cent"], anne["cents"]) == (
        "76875/4", 19_218, True, 19_219)
    assert sum(c["amount_cents"] for c in body["costs"]) == 40_000 and body["document"] is None
    assert get("creche", "creche-a").status_code == 200
    assert get("creche", "club-b").status_code == 403


def test_before_the_regularisation_no_document_after_it_the_same_figures_as_issued(coordinator: TestClient) -> None:
    """Issued: the crèche's credit note, with the trace's figures read at its computing position;
    the page as it stood at the position before shows no document."""
    before = log_end(coordinator)
    services = coordinator.app.state.services
    regularisation.issue_regularisation(services.ledger, services.follower, 2026, actor=ACTOR)
    trace = _trace(coordinator, "creche-a")
    assert trace.document is not None and trace.document["kind"] == "credit_note"
    assert trace.document["total_ht_cents"] == -2_937 and trace.member.difference_cents == -2_937
    assert trace.read.position == trace.document["as_of_position"] <= before
    page = text_of(coordinator.get(f"{COORDINATION}/creche-a"))
    assert f"Avoir {trace.document['reference']}" in page and "Écart : avoir de 29,37 €" in page
    earlier = coordinator.get(f"{COORDINATION}/creche-a", params={"position": str(before)})
    assert "Aucun document de régularisation 2026 n'est émis pour Association Les Marmots à cette date" \
        in text_of(earlier)
    mine = browser(coordinator, PEOPLE["creche"][0]).get("/factures")
    assert 'href="/factures/regularisation/2026"' in mine.text
