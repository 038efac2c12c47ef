"""The demo territory Haut-Val: a deterministic generator that loads into a real store
with exactly the refusals it expects."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from bootstrap import bootstrap
from demo.__main__ import main
from demo.haut_val import generate
from demo.steps import Step
from demo.load import load, stored_events, summarize
from domain.commands import JoinPartner, RegisterResource
from domain.events import EntryCorrected, EntryVoided, EquipmentUsed, StaffHoursLogged
from application.ledger import Ledger
from settings import Settings

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
EVENTS_A_MONTH = (350, 460)  # at scale 1, setup included (the GE's terms, fees and deposits in the first)


@pytest.fixture
def sqlite_ledger(tmp_path: Path):
    ledger = bootstrap(Settings(store="sqlite", sqlite_path=tmp_path / "haut-val.sqlite"))
    yield ledger
    ledger.close()


def recorded_per_month(steps: list[Step]) -> Counter[str]:
    """Events the steps will record: one per command of each step not meant to be refused."""
    counts: Counter[str] = Counter()
    for step in steps:
        if step.expect_refusal is None:
            counts[step.month] += len(step.commands)
    return counts


def test_the_same_seed_gives_the_same_commands_and_a_longer_run_extends_a_shorter_one() -> None:
    two = list(generate(months=2, seed=7))
    assert two == list(generate(months=2, seed=7))
    assert two != list(generate(months=2, seed=8))
    assert list(generate(months=3, seed=7))[: len(two)] == two


def test_two_months_load_with_the_expected_refusals_and_no_other(sqlite_ledger: Ledger) -> None:
    steps = list(generate(months=2))
    report = load(sqlite_ledger, steps)

    assert report.problem is None
    assert len(report.refusals) == sum(1 for s in steps if s.expect_refusal)
    assert {r.rule for r in report.refusals} == {
        "working-time-exceeded", "booking-overlap", "not-a-member",
    }
    assert all(r.rule == r.step.expect_refusal and r.message for r in report.refusals)
    # Every other step recorded one event per command, under the predicted entry ids.
    assert report.events_by_month == recorded_per_month(steps)
    assert report.events == sqlite_ledger.recorder.max_notification_id()

    summary = summarize(sqlite_ledger)
    assert summary.events == report.events
    assert summary.months == ["2026-01", "2026-02"]
    assert len(summary.partners) == 24  # the SISA joins in April
    assert len(summary.resources) == 16
    methods = {row.resource_id: row.keys.split(" ")[0] for row in summary.resources}
    assert set(methods.values()) == {"usage", "fixed", "equal", "mixed", "tariff"}


def test_corrections_point_at_the_entries_they_mean(sqlite_ledger: Ledger) -> None:
    """Hours corrected lose half an hour; a voided copier reading duplicates another one."""
    assert load(sqlite_ledger, generate(months=2)).problem is None
    entries = {
        e.entry_id: e for e in stored_events(sqlite_ledger, StaffHoursLogged, EquipmentUsed)
    }
    corrected = list(stored_events(sqlite_ledger, EntryCorrected))
    hours = [c for c in corrected if isinstance(entries.get(c.entry_id), StaffHoursLogged)]
    assert len(hours) == 2
    assert all(c.quantity == entries[c.entry_id].hours - Decimal("0.5") for c in hours)

    voided = list(stored_events(sqlite_ledger, EntryVoided))
    assert len(voided) == 2
    for void in voided:
        dup = entries[void.entry_id]
        assert dup.resource_id == "copieur"
        assert any(
            other.entry_id != dup.entry_id
            and (other.resource_id, other.partner_id, other.used_on, other.quantity)
            == (dup.resource_id, dup.partner_id, dup.used_on, dup.quantity)
            for other in entries.values()
            if isinstance(other, EquipmentUsed)
        )


def test_scale_two_doubles_partners_and_resources_with_distinct_ids(sqlite_ledger: Ledger) -> None:
    one, two = list(generate(months=1, scale=1)), list(generate(months=1, scale=2))

    def ids(steps: list[Step]) -> tuple[list[str], list[str]]:
        commands = [c for s in steps for c in s.commands]
        return (
            [c.partner_id for c in commands if isinstance(c, JoinPartner)],
            [c.resource_id for c in commands if isinstance(c, RegisterResource)],
        )

    partners_1, resources_1 = ids(one)
    partners_2, resources_2 = ids(two)
    assert len(partners_2) == len(set(partners_2)) == 2 * len(partners_1)
    assert len(resources_2) == len(set(resources_2)) == 2 * len(resources_1)
    assert set(partners_2) == set(partners_1) | {f"{p}-k2" for p in partners_1}
    assert set(resources_2) == set(resources_1) | {f"{r}-k2" for r in resources_1}
    assert all(SLUG.match(i) for i in partners_2 + resources_2)
    # Copy 1 is the territory at scale 1: the copies are independent.
    assert [s for s in two if not s.actor.endswith("-k2")] == one

    report = load(sqlite_ledger, two)
    assert report.problem is None
    assert report.events == sum(recorded_per_month(two).values())
    assert {r.rule for r in report.refusals if r.step.actor.endswith("-k2")} == {
        "working-time-exceeded", "booking-overlap", "not-a-member",
    }


def test_events_per_month_are_within_the_target_range() -> None:
    per_month = recorded_per_month(list(generate(months=12)))
    assert len(per_month) == 12
    low, high = EVENTS_A_MONTH
    assert all(low <= n <= high for n in per_month.values()), per_month


def test_the_command_line_refuses_a_non_empty_store_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "demo.sqlite"
    assert main(["--store", str(store), "--months", "1"]) == 0
    out = capsys.readouterr().out
    assert "Refused commands (3, all expected" in out and "events/s" in out

    assert main(["--store", str(store), "--months", "1"]) == 2
    assert "--force" in capsys.readouterr().out

    assert main(["--store", str(store), "--months", "1", "--force"]) == 0
