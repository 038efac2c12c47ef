"""Preconditions the write side cannot check alone, checked through the read side's port."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap import bootstrap, follow
from domain.disputes import OpenDispute
from domain.errors import NotFound
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings
from tests.history import ACTOR, history, record


def test_a_ledger_following_its_projections_refuses_a_dispute_on_a_line_the_statement_lacks(
        tmp_path: Path) -> None:
    """Without any route in between (as the CLI and the demo record): no tariff line for the
    rent, NotFound naming resource_id and nothing recorded; its share line can be disputed."""
    ledger = bootstrap(Settings(sqlite_path=tmp_path / "ledger.sqlite"))
    view = DuckDBTrackingRecorder(tmp_path / "view.duckdb")
    try:
        follower = follow(ledger, Follower(ledger.recorder, view))
        for item in history(months=2)[:-1]:
            record(ledger, item, follower)
        follower.catch_up()
        before = ledger.recorder.max_notification_id()
        with pytest.raises(NotFound, match="has no tariff line for 'loyer'") as refused:
            ledger.execute(OpenDispute(partner_id="creche-a", month="2026-02", resource_id="loyer",
                                       line_kind="tariff", reason="r"), actor=ACTOR)
        assert refused.value.field == "resource_id"
        assert ledger.recorder.max_notification_id() == before
        opened = ledger.execute(OpenDispute(partner_id="creche-a", month="2026-02", resource_id="loyer",
                                            reason="r"), actor=ACTOR)
        assert [e.type for e in opened.events] == ["DisputeOpened"]
    finally:
        view.close()
        ledger.close()
