"""The lists the pages need, over HTTP: GET /partners, /resources (with every key version)
and /months, for each role (TestClient, real SQLite and DuckDB files)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pytest

from tests.api_fixtures import Api, start


def post(api: Api, path: str, body: dict | None = None, who: str = "coordinator") -> int:
    response = api.client.post(path, json=body, headers=api.headers(who))
    assert response.status_code == 201, response.text
    return response.json()["position"]


def get(api: Api, path: str, who: str = "coordinator", **params) -> list[dict]:
    response = api.client.get(path, params=params, headers=api.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The small pool of tests/history.py: January's room shared by bookings and closed,
    February open with a dispute on January; club-b leaves in March and rejoins in June; the
    rent's key changes from February; the forum's key is set twice for January."""
    api = start(tmp_path_factory.mktemp("directory"))
    post(api, "/costs", {"resource_id": "salle-vercors", "month": "2026-01", "amount_cents": 50_000,
                         "category": "loyer", "document_ref": "FAC-1"})
    post(api, "/costs", {"resource_id": "salle-vercors", "month": "2026-02", "amount_cents": 51_000,
                         "category": "loyer", "document_ref": "FAC-2"})
    for partner, day in (("creche-a", "05"), ("club-b", "06")):
        post(api, "/bookings", {"resource_id": "salle-vercors", "partner_id": partner,
                                "starts_at": f"2026-01-{day}T09:00:00+01:00", "ends_at": f"2026-01-{day}T11:00:00+01:00"})
    post(api, "/partners/club-b/leave", {"day": "2026-03-15"})
    post(api, "/partners/club-b/rejoin", {"day": "2026-06-01"})
    post(api, "/resources/loyer/keys", {"applies_from": "2026-02", "key": {
        "method": "fixed", "weights": {"creche-a": 100, "club-b": 65.5, "mda": 80}}})
    post(api, "/resources/forum/keys", {"applies_from": "2026-01", "key": {
        "method": "equal", "partners": ["creche-a", "mda"]}})
    post(api, "/periods/2026-01/close")
    last = post(api, "/disputes", {"partner_id": "creche-a", "month": "2026-01", "resource_id": "salle-vercors",
                                   "reason": "réunion annulée"}, who="creche")
    get(api, "/months", after=last)  # the projections hold it all from here on
    yield api
    api.client.__exit__(None, None, None)


def test_partners_are_listed_with_their_memberships_and_their_status_on_a_day(api: Api) -> None:
    """club-b left on 15 March and rejoined on 1 June: two memberships, and its status is
    member, left, then member again; the others are members since 1 January."""
    def club_on(day: str) -> dict:
        return next(p for p in get(api, "/partners", on=day) if p["partner_id"] == "club-b")

    rows = get(api, "/partners", on="2026-04-01")
    assert [p["partner_id"] for p in rows] == ["club-b", "creche-a", "mda"]
    club = club_on("2026-04-01")
    assert club["name"] == "Club de foot"
    assert club["memberships"] == [{"first_day": "2026-01-01", "last_day": "2026-03-15"},
                                   {"first_day": "2026-06-01", "last_day": None}]
    assert (club["joined_on"], club["left_on"]) == ("2026-06-01", None)
    assert [club_on(day)["status"] for day in ("2026-03-15", "2026-04-01", "2026-06-01")] == [
        "member", "joining", "member"]
    assert club_on("2025-12-31")["status"] == "joining"
    mda = next(p for p in rows if p["partner_id"] == "mda")
    assert (mda["status"], mda["joined_on"], mda["left_on"]) == ("member", "2026-01-01", None)


def test_a_partner_that_left_for_good_is_left(api: Api, tmp_path: Path) -> None:
    """A partner whose last membership ended before the day asked is `left`."""
    other = start(tmp_path)
    try:
        left = post(other, "/partners/mda/leave", {"day": "2026-02-28"})
        mda = next(p for p in get(other, "/partners", on="2026-03-01", after=left) if p["partner_id"] == "mda")
        assert (mda["status"], mda["left_on"]) == ("left", "2026-02-28")
    finally:
        other.client.__exit__(None, None, None)


def test_resources_carry_every_key_version_in_readable_form(api: Api) -> None:
    """Rent: fixed weights with their percentages, a second version from February; the
    cleaning's mixed key in two parts; the copier's tariff; the forum's January key set twice,
    the first replaced by the second."""
    resources = {r["resource_id"]: r for r in get(api, "/resources")}
    assert set(resources) == {"salle-vercors", "anne", "copieur", "loyer", "menage", "forum"}
    assert (resources["copieur"]["unit"], resources["copieur"]["kind"]) == ("page", "equipment")

    rent = resources["loyer"]["keys"]
    assert [(k["key_version"], k["applies_from"], k["method"]) for k in rent] == [
        (1, "2026-01", "fixed"), (2, "2026-02", "fixed")]
    part = rent[0]["parts"][0]
    assert (part["percent"], Decimal(part["total_weight"])) == (100, Decimal("245.5"))
    assert {w["partner_id"]: (Decimal(w["weight"]), Decimal(w["percent"])) for w in part["weights"]} == {
        "creche-a": (Decimal(120), Decimal("48.88")), "club-b": (Decimal("45.5"), Decimal("18.53")),
        "mda": (Decimal(80), Decimal("32.59"))}
    assert rent[0]["summary"] == ("fixed weights: creche-a 120 (48.88 %), club-b 45.5 (18.53 %), "
                                  "mda 80 (32.59 %) of 245.5")

    cleaning = resources["menage"]["keys"][0]
    assert cleaning["method"] == "mixed"
    assert [(p["method"], p["percent"], p["partner_count"]) for p in cleaning["parts"]] == [
        ("equal", 30, 3), ("fixed", 70, None)]
    assert cleaning["summary"].startswith("30 % equal among 3 partners: creche-a, club-b, mda; 70 % fixed weights")

    copier = resources["copieur"]["keys"][0]
    assert Decimal(copier["parts"][0]["unit_price_cents"]) == 4
    assert copier["summary"] == "tariff: 4 cents per page"
    assert resources["anne"]["keys"][0]["summary"] == "pro rata of the units used (hour)"

    forum = resources["forum"]["keys"]
    assert [(k["key_version"], k["replaced_by"]) for k in forum] == [(1, 2), (2, None)]
    assert forum[1]["parts"][0]["partners"] == ["creche-a", "mda"]


def test_a_partner_sees_its_own_weight_and_the_totals_not_the_others(api: Api) -> None:
    """creche-a: its weight and percentage, the total weight, its place in equal splits
    with the number of partners sharing them; no other partner's id anywhere."""
    answer = api.client.get("/resources", headers=api.headers("creche"))
    assert answer.status_code == 200 and "club-b" not in answer.text and '"mda"' not in answer.text
    resources = {r["resource_id"]: r for r in answer.json()}
    part = resources["loyer"]["keys"][0]["parts"][0]
    assert [(w["partner_id"], Decimal(w["percent"])) for w in part["weights"]] == [("creche-a", Decimal("48.88"))]
    assert Decimal(part["total_weight"]) == Decimal("245.5")
    assert resources["loyer"]["keys"][0]["summary"] == "fixed weights: creche-a 120 (48.88 %) of 245.5"
    equal = resources["menage"]["keys"][0]["parts"][0]
    assert (equal["partners"], equal["partner_count"]) == (["creche-a"], 3)
    assert resources["forum"]["keys"][0]["summary"] == "equal among 3 partners, creche-a among them"


def test_months_are_listed_open_or_closed_with_the_seal_of_get_periods(api: Api) -> None:
    """January closed (its seal as GET /periods has it, two statements numbered, one open
    dispute); February open; a partner sees its own statement number and disputes."""
    months = {m["month"]: m for m in get(api, "/months")}
    assert list(months) == ["2026-01", "2026-02"]
    january, february = months["2026-01"], months["2026-02"]
    assert (january["status"], february["status"]) == ("closed", "open")
    assert (january["costs_cents"], february["costs_cents"]) == (50_000, 51_000)
    (period,) = get(api, "/periods")
    seal = january["seal"]
    assert (seal["position"], seal["as_of_position"], seal["statements_sha256"], seal["chain_hash"],
            seal["closed_by"]) == (period["position"], period["as_of_position"], period["statements_sha256"],
                                   period["chain_hash"], period["actor"])
    assert (january["statements"], january["open_disputes"], january["statement_number"]) == (2, 1, None)
    assert (february["seal"], february["statements"], february["open_disputes"]) == (None, 0, 0)

    for who, disputes in (("creche", 1), ("club", 0)):
        mine = {m["month"]: m for m in get(api, "/months", who=who)}["2026-01"]
        assert mine["open_disputes"] == disputes
        assert mine["statement_number"] == 1  # numbers run per partner: each one's first statement


def test_the_lists_show_a_write_at_once_with_after(api: Api) -> None:
    """A partner registered just now is listed when `after` names its position."""
    position = post(api, "/partners", {"partner_id": "zz-nouveau", "name": "Nouvelle association",
                                       "joined_on": "2026-05-01"})
    rows = get(api, "/partners", after=position, on="2026-05-01")
    assert rows[-1]["partner_id"] == "zz-nouveau" and rows[-1]["status"] == "member"


@pytest.mark.parametrize("path", ["/partners", "/resources", "/months"])
def test_the_lists_need_a_reader_token(api: Api, path: str) -> None:
    """No token: 401; an analyst's (whose data is pseudonymised): 403; the auditor's: 200."""
    assert api.client.get(path).status_code == 401
    assert api.client.get(path, headers=api.headers("analyst")).status_code == 403
    assert api.client.get(path, headers=api.headers("auditor")).status_code == 200
