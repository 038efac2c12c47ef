"""Invoice numbers under concurrent issuers, on SQLite and on PostgreSQL: every issuer is
its own application (as on separate nodes); the numbers come out 1..n with no gap and no
duplicate, each the version of the one invoice book that took it."""

from __future__ import annotations

from pathlib import Path

from application import invoicing
from application.ledger import Ledger
from bootstrap import bootstrap
from domain.commands import LogStaffHours
from domain.invoices import invoice_book_aggregate_id
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings
from tests import invoice_fixtures as ge
from tests.integration.test_concurrency import race

MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04")
WRITERS = 6


def test_concurrent_issuers_number_invoices_without_gap_or_duplicate(store_settings: Settings, tmp_path: Path) -> None:
    """Six issuers at one signal, two invoices each (12 members × months): numbers 1..12, once each."""
    with bootstrap(store_settings) as setup:
        ge.pool(setup)
        setup.execute_batch([LogStaffHours(employee_id="anne", partner_id=p, work_date=f"{m}-0{d}", hours="2")
                             for m in MONTHS[1:] for d, p in enumerate(("creche-a", "club-b", "mda"), start=2)],
                            actor=ge.ACTOR)
        ge.terms(setup)
        follower = Follower(setup.recorder, DuckDBTrackingRecorder(tmp_path / "projections.duckdb"))
        follower.catch_up()
        with follower.view.transaction() as conn:
            commands = [d.command(accept_unsigned_sheets=True) for month in MONTHS
                        for d in invoicing.drafts(conn, month, follower.runner.position)]
        follower.view.close()
    assert len(commands) == 2 * WRITERS

    def issue_two(app: Ledger, i: int) -> list[int]:
        return [app.execute(command, actor=f"node-{i}").position for command in commands[2 * i:2 * i + 2]]

    done, refused = race(store_settings, WRITERS, issue_two)
    assert refused == [] and len(done) == WRITERS
    with bootstrap(store_settings) as check:
        book = list(check.events.get(invoice_book_aggregate_id()))
    assert sorted(e.number for e in book) == list(range(1, 2 * WRITERS + 1))
    assert [e.number for e in book] == [e.originator_version for e in book]
    assert [e.reference for e in book] == [f"FA-{n:06d}" for n in range(1, 2 * WRITERS + 1)]
    assert len({(e.partner_id, e.month) for e in book}) == 2 * WRITERS
    # Chronological as well as continuous: a later number is never issued on an earlier day.
    assert [e.issued_on for e in book] == sorted(e.issued_on for e in book)
