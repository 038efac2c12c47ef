"""The GE's member register over HTTP (real SQLite and DuckDB files): its members on three
days and as of an earlier position, its changes with their deadline to notify, worked out
by hand, and notifications refused when they would go back, lie ahead or point past the log."""

from __future__ import annotations

from datetime import date
from typing import Iterator

import pytest

from tests.api_fixtures import Api, start

CRECHE = {"partner_id": "creche-a", "legal_name": "Association Les Marmots", "address": "1 rue des Écoles, 38000 Haut-Val",
          "siren": "443061841", "establishments": ["Crèche, 3 chemin des Prés, 38000 Haut-Val"],
          "activity": "accueil de jeunes enfants", "headcount": 12}
CLUB = {"partner_id": "club-b", "legal_name": "Football club du Haut-Val", "address": "Stade, 38000 Haut-Val",
        "activity": "club sportif", "headcount": 2}


def post(api: Api, path: str, body: dict, who: str = "coordinator") -> int:
    response = api.client.post(path, json=body, headers=api.headers(who))
    assert response.status_code == 201, response.text
    return response.json()["position"]


def get(api: Api, path: str, who: str = "auditor", **params) -> dict:
    response = api.client.get(path, params=params, headers=api.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


def log_end(api: Api) -> int:
    """The store's last position (not the projections', which may lag a write)."""
    return api.client.app.state.services.ledger.recorder.max_notification_id()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """creche-a, club-b and mda join on 1 January (tests/history.py); the crèche and the club
    have a member file, the maison des associations none (it is a partner, not a GE member);
    the club leaves after 15 March and comes back on 1 June."""
    api = start(tmp_path_factory.mktemp("register"))
    api.positions = {"creche_file": post(api, "/ge/members", CRECHE), "club_file": post(api, "/ge/members", CLUB),
                     "leave": post(api, "/partners/club-b/leave", {"day": "2026-03-15"}),
                     "rejoin": post(api, "/partners/club-b/rejoin", {"day": "2026-06-01"})}
    post(api, "/ge/register/notifications", {"up_to_position": api.positions["leave"], "notified_on": "2026-04-10",
                                             "reference": "LRAR 1A 234"})
    yield api
    api.client.__exit__(None, None, None)


@pytest.mark.parametrize("on, members", [
    ("2026-02-01", ["club-b", "creche-a"]),
    ("2026-04-01", ["creche-a"]),
    ("2026-06-15", ["club-b", "creche-a"]),
])
def test_the_register_lists_the_members_of_a_day(api: Api, on: str, members: list[str]) -> None:
    """On 1 February both members; on 1 April the club has left; on 15 June it is back; the
    maison des associations, a partner with no member file, never."""
    found = get(api, "/ge/register", on=on, after=api.positions["rejoin"])["members"]
    assert sorted(m["partner_id"] for m in found) == members


def test_a_member_is_listed_with_the_fields_of_d1253_1(api: Api) -> None:
    """Head office, establishments, activity and headcount, as the file gave them."""
    creche = next(m for m in get(api, "/ge/register", on="2026-02-01")["members"] if m["partner_id"] == "creche-a")
    assert (creche["address"], creche["establishments"], creche["activity"], creche["headcount"], creche["first_day"]) == (
        CRECHE["address"], CRECHE["establishments"], "accueil de jeunes enfants", 12, "2026-01-01")


def test_the_register_as_of_an_earlier_position_is_as_it_stood_then(api: Api) -> None:
    """Before the club's file was recorded, the register of 1 February holds the crèche alone;
    before its departure was recorded, the club is still listed on 1 April."""
    earlier = get(api, "/ge/register", on="2026-02-01", as_of=str(api.positions["creche_file"]))["members"]
    assert [m["partner_id"] for m in earlier] == ["creche-a"]
    before_leave = get(api, "/ge/register", on="2026-04-01", as_of=str(api.positions["club_file"]))["members"]
    assert sorted(m["partner_id"] for m in before_leave) == ["club-b", "creche-a"]


def test_changes_are_due_within_the_month_and_overdue_once_it_has_passed(api: Api) -> None:
    """Joins of 1 January due 1 February; the departure of 15 March due 15 April, both
    notified on 10 April by a notification up to the departure; the return of 1 June, due
    1 July, not notified: overdue."""
    changes = get(api, "/ge/register/changes", after=log_end(api))["changes"]
    memberships = [(c["event_type"], c["partner_id"], c["change_on"], c["due_on"], c["notified_on"], c["overdue"])
                   for c in changes if c["event_type"] != "MemberDetailsSet"]
    assert memberships == [
        ("PartnerJoined", "creche-a", "2026-01-01", "2026-02-01", "2026-04-10", False),
        ("PartnerJoined", "club-b", "2026-01-01", "2026-02-01", "2026-04-10", False),
        ("PartnerLeft", "club-b", "2026-03-15", "2026-04-15", "2026-04-10", False),
        ("PartnerRejoined", "club-b", "2026-06-01", "2026-07-01", None, date.today() > date(2026, 7, 1)),
    ]
    files = [c for c in changes if c["event_type"] == "MemberDetailsSet"]
    assert [c["partner_id"] for c in files] == ["creche-a", "club-b"] and all(c["notified_on"] for c in files)


@pytest.mark.parametrize("up_to, notified_on, field", [
    ("past the end", "2026-04-30", "up_to_position"),
    ("the departure", "2026-04-30", "up_to_position"),
    ("the end", "2099-01-01", "notified_on"),
    ("the end", "2026-04-01", "notified_on"),
])
def test_a_notification_going_back_ahead_or_past_the_log_is_refused(
        api: Api, up_to: str, notified_on: str, field: str) -> None:
    """Past the log's end; covering nothing new (the departure was notified on 10 April);
    dated in the future; dated before the last notification — refused, nothing stored."""
    end = log_end(api)
    position = {"past the end": end + 1, "the departure": api.positions["leave"], "the end": end}[up_to]
    response = api.client.post("/ge/register/notifications", headers=api.headers("coordinator"), json={
        "up_to_position": position, "notified_on": notified_on, "reference": "LRAR"})
    assert (response.status_code, response.json()["field"]) == (409, field), response.text
    assert log_end(api) == end


def test_partners_neither_read_the_register_nor_notify(api: Api) -> None:
    """The register is the GE's: a member's token gets 403."""
    assert api.client.get("/ge/register", headers=api.headers("creche")).status_code == 403
    response = api.client.post("/ge/register/notifications", headers=api.headers("creche"), json={
        "up_to_position": 1, "notified_on": "2026-04-30", "reference": "x"})
    assert response.status_code == 403
