"""Haut-Val's twelve months (`make demo`): the communauté de communes, the GE's local-authority
member, takes most of the IT technician's time, close to the cap of C. trav. L1253-20 (three
quarters of his contract time of the year) and under it, as « Temps pour les collectivités »
shows; no other employee comes near."""

from __future__ import annotations

from fractions import Fraction

import pytest

from application.billing_rates import local_authority_shares
from bootstrap import bootstrap
from domain.local_authority_cap import FULL_TIME_WEEKLY_HOURS, FULL_TIME_YEARLY_HOURS, LocalAuthorityCap
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory):
    from demo.haut_val import generate
    from demo.load import load

    tmp = tmp_path_factory.mktemp("demo-cap")
    ledger = bootstrap(Settings(sqlite_path=tmp / "demo.sqlite"))
    assert load(ledger, generate(months=12)).problem is None
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "projections.duckdb"))
    follower.catch_up()
    with follower.view.transaction() as conn:
        yield {s.employee_id: s for s in local_authority_shares(conn, 2026, follower.runner.position,
                                                                 LocalAuthorityCap())}
    follower.view.close()
    ledger.close()


def test_the_communaute_de_communes_is_near_its_cap_with_the_it_technician_and_under_it(year) -> None:
    """17,5 h a week all year: 803,5 h of contract (1 607 h × 17,5 / 35), a cap of 602,625 h; the
    CC's hours are 70 % to 75 % of the contract, so above 93 % of the cap, and not past it."""
    share = year["technicien-informatique"]
    contract = Fraction(FULL_TIME_YEARLY_HOURS) * Fraction(35, 2) / FULL_TIME_WEEKLY_HOURS
    assert share.contract_hours == contract == Fraction(1607, 2)
    assert share.cap_hours == contract * Fraction(3, 4)
    used = Fraction(share.local_authority_hours) / contract
    assert Fraction(70, 100) <= used < Fraction(75, 100)
    assert Fraction(share.local_authority_hours) <= share.cap_hours


def test_no_other_employee_comes_near_the_cap(year) -> None:
    """The four others work for the CC less than half of their contract time."""
    others = [s for e, s in year.items() if e != "technicien-informatique"]
    assert len(others) == 4
    assert all(Fraction(s.local_authority_hours) < s.contract_hours / 2 for s in others)
