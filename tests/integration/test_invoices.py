"""GE invoices on real SQLite and DuckDB files: the month's invoices hold the figures worked
out by hand (tests/invoice_fixtures.py), numbered 1, 2, 3…; each rule refuses with its
domain error naming the field, and nothing is stored (events counted before and after)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from application import invoicing
from application.ledger import Ledger
from application.outcome import BatchRefused
from bootstrap import bootstrap
from domain.errors import DomainError, NotFound, RuleViolation
from domain.invoices import IssueCreditNote, NotBillable
from projections import billing_reads
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings
from tests import invoice_fixtures as ge
from tests.ledger_fixtures import event_count

MONTH = "2026-01"


class Ge:
    def __init__(self, tmp: Path) -> None:
        self.ledger = bootstrap(Settings(sqlite_path=tmp / "ledger.sqlite"))
        self.follower = Follower(self.ledger.recorder, DuckDBTrackingRecorder(tmp / "projections.duckdb"))

    def register(self, at: int | None = None, **filters) -> list[dict]:
        self.follower.catch_up()
        with self.follower.view.transaction() as conn:
            return billing_reads.invoices_at(conn, self.follower.runner.position if at is None else at, **filters)

    def issue(self, partner_id: str, **options):
        return invoicing.issue_invoice(self.ledger, self.follower, partner_id, MONTH, actor=ge.ACTOR, **options)

    def credit(self, number: int, amount: int | None = None):
        return invoicing.issue_credit_note(self.ledger, self.follower, number, reason="Erreur d'heures",
                                           amount_ht_cents=amount, actor=ge.ACTOR)

    def refused(self, act: Callable[[], object], error: type[DomainError] = RuleViolation) -> DomainError:
        """The error that refused `act`, after checking that nothing was stored."""
        before = event_count(self.ledger)
        with pytest.raises(error) as refusal:
            act()
        assert event_count(self.ledger) == before
        return refusal.value


def make(tmp: Path, *, signed: bool = True, **terms) -> Ge:
    found = Ge(tmp)
    ge.pool(found.ledger)
    ge.terms(found.ledger, **terms)
    if signed:
        ge.sign_sheets(found.ledger, found.follower)
    return found


@pytest.fixture
def signed(tmp_path: Path) -> Iterator[Ge]:
    found = make(tmp_path)
    yield found
    found.ledger.close()


def test_the_month_s_invoices_hold_the_hours_at_their_rates_worked_out_by_hand(signed: Ge) -> None:
    """Issued for every member at once: numbers 1, 2, 3 in member order, totals HT as by hand,
    no VAT (CGI 261 B), the 40 € indemnity for professionals only, due 30 days after issue."""
    invoicing.issue_month(signed.ledger, signed.follower, MONTH, actor=ge.ACTOR)
    rows = signed.register()
    assert [(r["reference"], r["partner_id"], r["total_ht_cents"], r["vat_cents"], r["total_ttc_cents"])
            for r in rows] == [("FA-000001", "club-b", 6_720, 0, 6_720), ("FA-000002", "creche-a", 31_581, 0, 31_581),
                               ("FA-000003", "mda", 5_175, 0, 5_175)]
    assert [r["recovery_indemnity"] for r in rows] == [True, True, False]
    assert all((r["due_on"] - r["issued_on"]).days == 30 and not r["unsigned_sheets"] for r in rows)
    with signed.follower.view.transaction() as conn:
        lines = conn.execute("SELECT employee_id, hours, rate_cents, amount_cents, sheet_status FROM invoice_lines "
                             "WHERE number = 2 ORDER BY line_no").fetchall()
    assert [(e, str(h), r, a, s) for e, h, r, a, s in lines] == [
        ("anne", "10.250", 2244, 23_001, "countersigned"), ("bruno", "4.000", 2145, 8_580, "countersigned")]


@pytest.mark.parametrize("missing, field", [("profile", "profile"), ("members", "partner_id"), ("card", "rate_card")])
def test_an_invoice_needs_the_profile_the_member_s_details_and_a_rate_card(tmp_path: Path, missing: str,
                                                                            field: str) -> None:
    """Without the GE's profile, the member's billing details or a rate card: refused, naming it."""
    found = make(tmp_path, **{missing: False})
    error = found.refused(lambda: found.issue("creche-a"), NotBillable)
    assert error.field == field
    assert found.refused(lambda: invoicing.issue_month(found.ledger, found.follower, MONTH, actor=ge.ACTOR),
                         NotBillable).field == field


def test_an_invoice_needs_a_contract_for_each_employee_and_names_the_one_missing(tmp_path: Path) -> None:
    """Hours of an employee with no contract: refused, naming the employee."""
    found = make(tmp_path)
    found.ledger.execute_batch([ge.RegisterResource(resource_id="chloe", name="Chloé Petit", kind="staff",
                                                    unit="hour"),
                                ge.LogStaffHours(employee_id="chloe", partner_id="club-b", work_date="2026-01-08",
                                                 hours="2")], actor=ge.ACTOR)
    error = found.refused(lambda: found.issue("club-b", accept_unsigned_sheets=True), NotBillable)
    assert error.field == "lines" and "'chloe' has no contract in force in 2026-01" in error.message


def test_unsigned_sheets_are_invoiced_only_when_accepted_and_the_invoice_says_so(tmp_path: Path) -> None:
    """A sheet submitted but not countersigned: refused; accepted, the invoice carries the mark."""
    found = Ge(tmp_path)
    ge.pool(found.ledger)
    ge.terms(found.ledger)
    ge.sign_sheets(found.ledger, found.follower, leave={"anne:mda:2026-01"})
    assert found.refused(lambda: found.issue("mda")).field == "accept_unsigned_sheets"
    found.issue("mda", accept_unsigned_sheets=True)
    found.issue("club-b")
    assert [(r["partner_id"], r["unsigned_sheets"]) for r in found.register()] == [("mda", True), ("club-b", False)]


def test_one_invoice_per_member_and_month_until_it_is_wholly_credited(signed: Ge) -> None:
    """A second invoice of the month is refused; after a partial credit still refused; once
    the rest is credited, the month is invoiced again under the next number."""
    signed.issue("creche-a")
    assert signed.refused(lambda: signed.issue("creche-a")).field == "month"
    signed.credit(1, 1_000)
    assert signed.refused(lambda: signed.issue("creche-a")).field == "month"
    signed.credit(1)
    signed.issue("creche-a")
    assert [(r["reference"], r["kind"], r["total_ht_cents"], r["wholly_credited"]) for r in signed.register()] == [
        ("FA-000001", "invoice", 31_581, True), ("FA-000002", "credit_note", -1_000, False),
        ("FA-000003", "credit_note", -30_581, False), ("FA-000004", "invoice", 31_581, False)]


def test_a_credit_note_never_exceeds_what_is_left_of_its_invoice(signed: Ge) -> None:
    """31 581 cents invoiced, 30 000 credited: 1 582 more is refused, 1 581 accepted, then nothing is left."""
    signed.issue("creche-a")
    signed.credit(1, 30_000)
    assert signed.refused(lambda: signed.credit(1, 1_582)).field == "amount_ht_cents"
    signed.credit(1, 1_581)
    assert signed.refused(lambda: signed.credit(1)).field == "corrects"
    assert signed.register(partner_id="creche-a")[0]["wholly_credited"]


def test_a_credit_note_corrects_an_existing_invoice_of_the_same_member(signed: Ge) -> None:
    """No such invoice (404), a credit note (not an invoice), another member's invoice: refused."""
    signed.issue("creche-a")
    signed.credit(1, 100)
    assert signed.refused(lambda: signed.credit(9), NotFound).field == "corrects"
    assert signed.refused(lambda: signed.credit(2)).field == "corrects"
    other = IssueCreditNote(corrects=1, partner_id="club-b", reason="Erreur")
    assert signed.refused(lambda: signed.ledger.execute(other, actor=ge.ACTOR)).field == "partner_id"


def test_issuing_the_whole_month_is_all_or_nothing(tmp_path: Path) -> None:
    """One member's sheet unsigned: the month's batch is refused whole, no number is spent;
    accepted, every member is invoiced, and the month has none left to invoice."""
    found = Ge(tmp_path)
    ge.pool(found.ledger)
    ge.terms(found.ledger)
    ge.sign_sheets(found.ledger, found.follower, leave={"anne:club-b:2026-01"})
    month = lambda **o: invoicing.issue_month(found.ledger, found.follower, MONTH, actor=ge.ACTOR, **o)  # noqa: E731
    assert found.refused(month, BatchRefused).index == 0
    month(accept_unsigned_sheets=True)
    assert [r["number"] for r in found.register()] == [1, 2, 3]
    assert found.refused(month).field == "month"


def test_the_register_as_of_a_position_shows_what_was_issued_and_credited_then(signed: Ge) -> None:
    """Before the credit note, the invoice stands whole; after, it is wholly credited."""
    position = signed.issue("creche-a").position
    signed.credit(1)
    then, now = signed.register(at=position), signed.register()
    assert [(r["reference"], r["wholly_credited"]) for r in then] == [("FA-000001", False)]
    assert [(r["reference"], r["wholly_credited"]) for r in now] == [("FA-000001", True), ("FA-000002", False)]
