"""The GE's refunds of its regularisation credit notes, on real SQLite and DuckDB files: what
is left to refund as of any position; each rule refused naming its field with nothing stored.
The year of tests/integration/test_regularisation.py: FA-000005 a credit note of 29,37 € to
the crèche, FA-000006 one of 7,31 € to the mda (exempt from VAT: TTC is HT), FA-000004 a
complementary invoice to the club."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

import pytest

from application import invoicing, regularisation
from bootstrap import bootstrap
from domain.errors import NotFound, RuleViolation
from domain.invoice_payments import RecordCreditNoteRefund
from projections import billing_reads
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings
from tests import invoice_fixtures as ge
from tests.ledger_fixtures import event_count
from tests.regularisation_fixtures import invoiced_year


@pytest.fixture
def regularised(tmp_path: Path) -> Iterator[tuple]:
    ledger = bootstrap(Settings(sqlite_path=tmp_path / "ledger.sqlite"))
    follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp_path / "projections.duckdb"))
    invoiced_year(ledger, follower)
    follower.catch_up()
    regularisation.issue_regularisation(ledger, follower, 2026, actor=ge.ACTOR)
    yield ledger, follower
    follower.view.close()
    ledger.close()


def owed(follower: Follower, at: int | None = None) -> dict[str, tuple]:
    follower.catch_up()
    with follower.view.transaction() as conn:
        rows = billing_reads.refunds_owed_at(conn, follower.runner.position if at is None else at)
    return {r["reference"]: (r["partner_id"], r["total_ttc_cents"], r["refunded_cents"], r["left_cents"])
            for r in rows}


def refund(number: int, amount: int, days: int = 0, reference: str = "vir.") -> RecordCreditNoteRefund:
    return RecordCreditNoteRefund(number=number, amount_cents=amount, refunded_on=date.today() + timedelta(days=days),
                                  reference=reference)


def test_what_is_left_to_refund_as_of_each_position(regularised) -> None:
    """Both credit notes owed in full; the crèche refunded 10,00 € then the 19,37 € left, the
    mda nothing: only the mda's is left; as of before the first refund, both in full; the
    refunds listed newest first with their events' positions."""
    ledger, follower = regularised
    assert owed(follower) == {"FA-000005": ("creche-a", 2_937, 0, 2_937), "FA-000006": ("mda", 731, 0, 731)}
    first = ledger.execute(refund(5, 1_000, reference="vir. 1"), actor=ge.ACTOR)
    assert owed(follower)["FA-000005"] == ("creche-a", 2_937, 1_000, 1_937)
    second = ledger.execute(refund(5, 1_937, reference="vir. 2"), actor=ge.ACTOR)
    assert owed(follower) == {"FA-000006": ("mda", 731, 0, 731)}
    assert owed(follower, at=first.position - 1)["FA-000005"] == ("creche-a", 2_937, 0, 2_937)
    with follower.view.transaction() as conn:
        refunds = billing_reads.credit_note_refunds_at(conn, follower.runner.position)
    assert [(r["reference"], r["amount_cents"], r["refund_reference"], r["position"]) for r in refunds] == [
        ("FA-000005", 1_937, "vir. 2", second.position), ("FA-000005", 1_000, "vir. 1", first.position)]


@pytest.mark.parametrize("number, amount, days, error, field", [
    (99, 100, 0, NotFound, "number"),
    (4, 100, 0, RuleViolation, "number"),
    (1, 100, 0, RuleViolation, "number"),
    (5, 2_938, 0, RuleViolation, "amount_cents"),
    (5, 100, -1, RuleViolation, "refunded_on"),
    (5, 100, 2, RuleViolation, "refunded_on"),
])
def test_a_refund_is_refused_naming_its_field(regularised, number, amount, days, error, field) -> None:
    """No such document; the complementary invoice; January's invoice; more than the credit
    note's TTC; refunded before it was issued; refunded on a day to come."""
    ledger, _ = regularised
    before = event_count(ledger)
    with pytest.raises(error) as refused:
        ledger.execute(refund(number, amount, days), actor=ge.ACTOR)
    assert refused.value.field == field and event_count(ledger) == before


def test_a_credit_note_on_an_invoice_is_not_refunded(regularised) -> None:
    """It is deducted from the invoice it corrects: a refund on it is refused, nothing stored;
    it is not among the credit notes owed."""
    ledger, follower = regularised
    invoicing.issue_credit_note(ledger, follower, 1, reason="erreur", amount_ht_cents=100, actor=ge.ACTOR)
    before = event_count(ledger)
    with pytest.raises(RuleViolation) as refused:
        ledger.execute(refund(7, 100), actor=ge.ACTOR)
    assert refused.value.field == "number" and event_count(ledger) == before
    assert set(owed(follower)) == {"FA-000005", "FA-000006"}


def test_more_than_is_left_after_a_refund_is_refused(regularised) -> None:
    """After 7,00 € of the mda's 7,31 €, 32 cents are refused and nothing stored."""
    ledger, _ = regularised
    ledger.execute(refund(6, 700), actor=ge.ACTOR)
    before = event_count(ledger)
    with pytest.raises(RuleViolation) as refused:
        ledger.execute(refund(6, 32), actor=ge.ACTOR)
    assert refused.value.field == "amount_cents" and event_count(ledger) == before
