"""The ledger's one retry loop: decide again after a version conflict, give up named."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError

from application import ledger
from domain.errors import ConcurrencyConflict, RuleViolation


def conflicting(times: int):
    attempts: list[int] = []

    def attempt() -> str:
        attempts.append(len(attempts))
        if len(attempts) <= times:
            raise IntegrityError("another writer saved first")
        return "saved"

    return attempt, attempts


def test_an_attempt_that_loses_to_other_writers_is_decided_again_until_it_saves() -> None:
    """Three conflicts, then the fourth attempt saves: its answer comes back."""
    attempt, attempts = conflicting(3)
    assert ledger.retrying(attempt, "gave up after {n}") == "saved"
    assert len(attempts) == 4


def test_after_max_attempts_the_loop_gives_up_with_a_concurrency_conflict() -> None:
    """Every attempt conflicts: MAX_ATTEMPTS tries, then ConcurrencyConflict naming the count."""
    attempt, attempts = conflicting(ledger.MAX_ATTEMPTS)
    with pytest.raises(ConcurrencyConflict, match=f"gave up after {ledger.MAX_ATTEMPTS}"):
        ledger.retrying(attempt, "gave up after {n}")
    assert len(attempts) == ledger.MAX_ATTEMPTS


def test_a_refusal_is_not_retried() -> None:
    """A domain error is the answer, at the first attempt."""
    calls = []

    def refused() -> None:
        calls.append(1)
        raise RuleViolation("no")

    with pytest.raises(RuleViolation):
        ledger.retrying(refused, "{n}")
    assert calls == [1]
