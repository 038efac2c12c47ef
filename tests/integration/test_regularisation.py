"""A GE's year-end regularisation on real SQLite and DuckDB files (tests/invoice_fixtures.py's
GE): January invoiced at the provisional rate, then the year's actual costs; each member's
real cost, its difference and the documents issued are worked out by hand; after them the
year's result is zero; a regularisation read before another document was issued is refused,
and nothing is stored.

By hand — Anne cost 300,00 € over 16 h (crèche 10,25, club 3,5, mda 2,25): 19 218,75 /
6 562,5 / 4 218,75 cents, floors 19 218 / 6 562 / 4 218, the 2 cents left to the largest
remainders (,75 the crèche and ,75 the mda; ,5 the club): 19 219 / 6 562 / 4 219. Bruno cost
80,00 €, all the crèche's. The GE's running costs, 20,00 €, over 20 h (14,25 / 3,5 / 2,25):
1 425 / 350 / 225. Real costs 28 644 / 6 912 / 4 444 cents; billed 31 581 / 6 720 / 5 175
(tests/invoice_fixtures.py EXPECTED_HT): a credit note of 29,37 € to the crèche, a
complementary invoice of 1,92 € to the club, a credit note of 7,31 € to the mda."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from application import invoicing, regularisation
from bootstrap import bootstrap
from domain.commands import RecordCost
from domain.errors import RuleViolation
from projections import billing_reads
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings
from tests import invoice_fixtures as ge
from tests.ledger_fixtures import event_count
from tests.regularisation_fixtures import invoiced_year


@pytest.fixture
def year(tmp_path: Path) -> Iterator[tuple]:
    ledger = bootstrap(Settings(sqlite_path=tmp_path / "ledger.sqlite"))
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp_path / "projections.duckdb"))
    invoiced_year(ledger, follower)
    yield ledger, follower
    follower.view.close()
    ledger.close()


def test_each_members_real_cost_and_difference_worked_out_by_hand(year) -> None:
    """The year read before issuing: the figures of the module's docstring."""
    _, follower = year
    read = regularisation.read_year(follower, 2026)
    members = {m.partner_id: (m.pool_shares, m.running_cost_share, m.real_cost_cents, m.billed_cents,
                              m.difference_cents) for m in read.regularisation.members}
    assert members == {
        "creche-a": ({"anne": 19_219, "bruno": 8_000}, 1_425, 28_644, 31_581, -2_937),
        "club-b": ({"anne": 6_562}, 350, 6_912, 6_720, 192),
        "mda": ({"anne": 4_219}, 225, 4_444, 5_175, -731),
    }
    assert (read.regularisation.costs_cents, read.regularisation.billed_cents) == (40_000, 43_476)
    assert read.regularisation.result_after_cents == 0


def test_issued_regularisation_brings_the_years_result_to_zero(year) -> None:
    """One document per member, numbered after January's three: FA-000004 a complementary
    invoice to the club, FA-000005 and FA-000006 credit notes to the crèche and the mda;
    then nothing is left to regularise, and a second regularisation is refused."""
    ledger, follower = year
    regularisation.issue_regularisation(ledger, follower, 2026, actor=ge.ACTOR)
    follower.catch_up()
    with follower.view.transaction() as conn:
        rows = [r for r in billing_reads.invoices_at(conn, follower.runner.position) if r["number"] > 3]
    assert [(r["reference"], r["kind"], r["partner_id"], r["total_ht_cents"]) for r in rows] == [
        ("FA-000004", "invoice", "club-b", 192), ("FA-000005", "credit_note", "creche-a", -2_937),
        ("FA-000006", "credit_note", "mda", -731)]
    after = regularisation.read_year(follower, 2026).regularisation
    assert all(m.difference_cents == 0 for m in after.members) and after.billed_cents == after.costs_cents
    before = event_count(ledger)
    with pytest.raises(RuleViolation) as refused:
        regularisation.issue_regularisation(ledger, follower, 2026, actor=ge.ACTOR)
    assert refused.value.field == "year" and event_count(ledger) == before


def test_a_regularisation_read_before_another_document_is_refused(year) -> None:
    """Read the year, then a credit note is issued: the regularisation read before it would
    miss it, so the book refuses it; nothing is stored."""
    ledger, follower = year
    stale = regularisation.read_year(follower, 2026).command()
    invoicing.issue_credit_note(ledger, follower, 1, reason="heure facturée deux fois", amount_ht_cents=2_244,
                                actor=ge.ACTOR)
    before = event_count(ledger)
    with pytest.raises(RuleViolation) as refused:
        ledger.execute(stale, actor=ge.ACTOR)
    assert refused.value.field == "documents_seen" and event_count(ledger) == before


def test_a_late_cost_is_settled_by_regularising_again(year) -> None:
    """After the regularisation, a late 10,00 € cost on Anne: only its share is issued the
    second time (crèche 6,41, club 2,19, mda 1,40: 1 000 × 10,25 / 3,5 / 2,25 over 16 =
    640,625 / 218,75 / 140,625, floors 640 / 218 / 140, 2 cents to ,75 and ,625)."""
    ledger, follower = year
    regularisation.issue_regularisation(ledger, follower, 2026, actor=ge.ACTOR)
    ledger.execute(RecordCost(resource_id="anne", month="2026-01", amount_cents=1_000, category="prime",
                              document_ref="P-03"), actor=ge.ACTOR)
    second = {m.partner_id: m.difference_cents for m in regularisation.read_year(follower, 2026).regularisation.members}
    assert second == {"creche-a": 641, "club-b": 219, "mda": 140}


def test_the_documents_say_they_regularise_the_year(year, tmp_path: Path) -> None:
    """The club's complementary invoice is titled as a regularisation of 2026, its period is
    the year, and its lines are the real cost less what was billed."""
    from api.invoice_documents import invoice_document
    ledger, follower = year
    regularisation.issue_regularisation(ledger, follower, 2026, actor=ge.ACTOR)
    follower.catch_up()
    with follower.view.transaction() as conn:
        found = billing_reads.invoice_at(conn, 4, follower.runner.position)
    document = invoice_document(found)
    assert (document.title, document.period) == ("Facture de régularisation 2026 n° FA-000004", "année 2026")
    assert [(line.label, line.amount_cents) for line in document.event.lines] == [
        ("Coût réel 2026 d'Anne Martin, au prorata de vos heures", 6_562),
        ("Frais de fonctionnement du groupement 2026, au prorata de vos heures", 350),
        ("Déjà facturé pour 2026 au taux provisoire (factures moins avoirs, HT)", -6_720)]
