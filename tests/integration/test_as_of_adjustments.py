"""Adjustments read as of a position: a statement as it stood before a late event of a
closed month shows no adjustment of it, and as of that event exactly its own (HTTP over
real SQLite and DuckDB files)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from projections import closing
from tests.api_fixtures import Api, start

ROOM = "salle-vercors"


def post(api: Api, path: str, body: dict) -> dict:
    response = api.client.post(path, headers=api.headers("coordinator"), json=body)
    assert response.status_code == 201, response.text
    return response.json()


def adjustments(api: Api, month: str, as_of: int | None = None) -> list[tuple[str, int]]:
    """creche-a's adjustment lines of a month: (origin month, cents)."""
    params = {} if as_of is None else {"as_of": str(as_of)}
    statement = api.client.get(f"/partners/creche-a/statements/{month}", headers=api.headers("creche"),
                               params=params)
    assert statement.status_code == 200, statement.text
    return [(l["origin_month"], l["amount_cents"]) for l in statement.json()["lines"]
            if l["line_kind"] == "adjustment"]


@pytest.fixture
def late(tmp_path: Path) -> Iterator[tuple[Api, dict[str, int]]]:
    """January's room (500 €, three partners booking 2 h each) closed; then, at different
    positions, its invoice corrected to 470 €, a late 60 € invoice for it, February closed,
    and that late invoice corrected to 30 €."""
    api = start(tmp_path)
    for month in ("2026-01", "2026-02", "2026-03"):
        post(api, "/costs", {"resource_id": ROOM, "month": month, "amount_cents": 50_000,
                             "category": "loyer", "document_ref": f"FAC-{month}"})
        for partner, day in (("creche-a", "05"), ("club-b", "06"), ("mda", "07")):
            post(api, "/bookings", {"resource_id": ROOM, "partner_id": partner,
                                    "starts_at": f"{month}-{day}T09:00:00+01:00",
                                    "ends_at": f"{month}-{day}T11:00:00+01:00"})
    at = {"close_january": post(api, "/periods/2026-01/close", {})["position"]}
    at["correction"] = post(api, f"/entries/{ROOM}:2026-01:1/corrections",
                            {"amount_cents": 47_000, "reason": "avoir"})["position"]
    invoice = post(api, "/costs", {"resource_id": ROOM, "month": "2026-01", "amount_cents": 6_000,
                                   "category": "charges", "document_ref": "FAC-2026-01-bis"})
    at["invoice"] = invoice["position"]
    at["close_february"] = post(api, "/periods/2026-02/close", {})["position"]
    at["second_correction"] = post(api, f"/entries/{invoice['events'][0]['entry_id']}/corrections",
                                   {"amount_cents": 3_000, "reason": "avoir partiel"})["position"]
    assert api.client.app.state.services.follower.wait_for(at["second_correction"], 30)
    yield api, at
    api.client.__exit__(None, None, None)


def test_as_of_before_a_late_correction_a_statement_shows_no_adjustment_of_it(late) -> None:
    """February as of the position just before January's correction has no adjustment line."""
    api, at = late
    assert adjustments(api, "2026-02", at["correction"] - 1) == []


def test_as_of_a_late_correction_a_statement_shows_exactly_its_adjustment(late) -> None:
    """As of the correction, -10 € (a third of -30 €), without the later invoice's +20 €."""
    api, at = late
    assert adjustments(api, "2026-02", at["correction"]) == [("2026-01", -1_000)]
    assert adjustments(api, "2026-02", at["invoice"] - 1) == [("2026-01", -1_000)]


def test_as_of_the_second_late_event_both_count_as_they_do_now(late) -> None:
    """As of the late invoice: -10 € + 20 € = +10 €; the same once February is issued."""
    api, at = late
    assert adjustments(api, "2026-02", at["invoice"]) == [("2026-01", 1_000)]
    assert adjustments(api, "2026-02", at["close_february"]) == [("2026-01", 1_000)]
    assert adjustments(api, "2026-02") == [("2026-01", 1_000)]


def test_a_late_event_after_the_next_close_is_booked_into_the_month_after_from_its_position(late) -> None:
    """The late invoice corrected after February closed: March shows -10 € from its position
    on, nothing before it, and February as issued does not move."""
    api, at = late
    assert adjustments(api, "2026-03", at["close_february"]) == []
    assert adjustments(api, "2026-03", at["second_correction"] - 1) == []
    assert adjustments(api, "2026-03", at["second_correction"]) == [("2026-01", -1_000)]
    assert adjustments(api, "2026-03") == [("2026-01", -1_000)]
    assert adjustments(api, "2026-02", at["second_correction"]) == [("2026-01", 1_000)]


def test_every_partner_s_adjustments_as_of_each_position_are_the_pool_s_difference_then(late) -> None:
    """At every position from January's close on, the adjustments booked into February are
    the difference between January's lines then (up to February's seal) and as issued."""
    api, at = late
    conn = api.client.app.state.services.follower.cursor()
    try:
        sealed = dict(closing.closed_months(conn))
        issued = _by_line(closing.month_lines(conn, "2026-01", sealed["2026-01"]))
        for position in range(at["close_january"], at["second_correction"] + 1):
            window_end = min(position, sealed["2026-02"]) if position >= at["close_february"] else position
            then = _by_line(l for l in closing.month_lines(conn, "2026-01", window_end)
                            if l["line_kind"] != "adjustment")
            expected = {k: then.get(k, 0) - issued.get(k, 0) for k in then.keys() | issued.keys()}
            booked = {(l["resource_id"], l["partner_id"], l["part"]): l["amount_cents"]
                      for l in closing.month_lines(conn, "2026-02", position) if l["line_kind"] == "adjustment"}
            assert booked == {k: v for k, v in expected.items() if v}, position
    finally:
        conn.close()


def _by_line(lines) -> dict[tuple, int]:
    return {(l["resource_id"], l["partner_id"], l["part"]): l["amount_cents"] for l in lines
            if l["line_kind"] != "credit"}
