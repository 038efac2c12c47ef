"""Haut-Val's twelve months (`make demo`): the copier's 2026 tariff (0,04 € a page) settled to
its actual cost on December's statements, as the demo's aftermath does it (demo/aftermath.py):
the tariff recovered more than the copier cost, so each partner who printed is refunded its
part of the difference, pro rata of its pages, and the copier's year ends at exactly zero."""

from __future__ import annotations

import pytest

from bootstrap import bootstrap
from demo.aftermath import settle_copier
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory):
    from demo.haut_val import generate
    from demo.load import load

    tmp = tmp_path_factory.mktemp("demo-copier")
    ledger = bootstrap(Settings(sqlite_path=tmp / "demo.sqlite"))
    assert load(ledger, generate(months=12)).problem is None
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "projections.duckdb"))
    notes = settle_copier(ledger, follower, "2026-01", 12, [f"2026-{m:02d}" for m in range(1, 11)])
    follower.catch_up()
    yield notes, follower.view.connection
    follower.view.close()
    ledger.close()


def test_the_copiers_year_is_settled_on_december_and_ends_at_zero(year) -> None:
    """One settlement on December's statements; the year's recovery lines (the tariff's
    over-recovery, negative) less the settlement lines are zero to the cent."""
    notes, conn = year
    assert len(notes) == 1 and "statements of 2026-12" in notes[0]
    recovery = conn.execute("SELECT sum(amount_cents) FROM cost_shares WHERE resource_id = 'copieur' "
                            "AND line_kind = 'recovery' AND month LIKE '2026-%'").fetchone()[0]
    settled = conn.execute("SELECT sum(amount_cents) FROM statement_lines WHERE resource_id = 'copieur' "
                           "AND line_kind = 'settlement' AND month = '2026-12'").fetchone()[0]
    assert recovery < 0 and recovery - settled == 0


def test_each_partner_who_printed_is_refunded_pro_rata_of_its_pages(year) -> None:
    """Every partner with pages has a negative line; the shares of the real cost follow the
    pages (largest remainder: each within a cent of the exact share) and sum to the cost."""
    _, conn = year
    rows = conn.execute("SELECT partner_id, units, exact_share_cents, share_cents, charged_cents, amount_cents, "
                        "costs_cents FROM tariff_settlements WHERE resource_id = 'copieur'").fetchall()
    assert len(rows) >= 4
    assert all(amount < 0 and amount == share - charged for _, _, _, share, charged, amount, _ in rows)
    assert all(abs(share - exact) < 1 for _, _, exact, share, _, _, _ in rows)
    assert sum(share for _, _, _, share, _, _, _ in rows) == rows[0][6]
