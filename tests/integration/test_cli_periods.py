"""`encommun verify`, `period close|diff`, `dispute open|resolve` on a real demo store."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from demo.__main__ import main as load_demo
from tests.tampering import replace_in

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Four months of Haut-Val, the first two closed, with a late credit note and disputes."""
    tmp = tmp_path_factory.mktemp("cli-periods")
    store, db = tmp / "demo.sqlite", tmp / "demo.duckdb"
    assert load_demo(["--store", str(store), "--months", "4", "--batch", "500", "--close",
                      "--projections", str(db)]) == 0
    return {"store": store, "db": db, "tmp": tmp}


def test_verify_passes_on_the_demo_and_names_a_tampered_event(demo: dict, tmp_path: Path) -> None:
    """Exit 0 with the count; on a copy with one byte changed, exit 1 naming its position."""
    ok = runner.invoke(app, ["verify", "--store", str(demo["store"])])
    assert ok.exit_code == 0, ok.output
    assert "2 closed months verified" in ok.output
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(demo["store"]) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        position, state = target.execute(
            "SELECT rowid, state FROM stored_events WHERE topic LIKE '%StaffHoursLogged' LIMIT 1 OFFSET 50").fetchone()
        index = state.index(b'"hours":"') + len(b'"hours":"')
        target.execute("UPDATE stored_events SET state = ? WHERE rowid = ?",
                       (state[:index] + bytes([state[index] ^ 1]) + state[index + 1:], position))
    bad = runner.invoke(app, ["verify", "--store", str(copy)])
    assert bad.exit_code == 1
    assert f"position {position}" in bad.output and "StaffHoursLogged" in bad.output


def test_anchor_is_held_by_verify_which_then_catches_an_edit_after_the_last_seal(demo: dict, tmp_path: Path) -> None:
    """`anchor` prints POSITION:HASH; verify --anchor holds it with nothing unproved; on a copy
    with the last event edited (after the last seal) (checksum recomputed), verify alone exits 0 saying
    what it could not prove, and with the anchor exits 1 naming where the chain departs."""
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(demo["store"]) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    printed = runner.invoke(app, ["anchor", "--store", str(copy)])
    assert printed.exit_code == 0, printed.output
    anchor = printed.stdout.strip()
    assert re.fullmatch(r"\d+:[0-9a-f]{64}", anchor)
    held = runner.invoke(app, ["verify", "--store", str(copy), "--anchor", anchor])
    assert held.exit_code == 0, held.output
    assert f"proved: positions 1–{anchor.split(':')[0]}" in held.output and "not proved" not in held.output

    with sqlite3.connect(copy) as db:
        (rowid,), = db.execute("SELECT max(rowid) FROM stored_events").fetchall()
        replace_in(db, rowid, b'"actor":"', b'"actor":"someone else than ')
    alone = runner.invoke(app, ["verify", "--store", str(copy)])
    assert alone.exit_code == 0 and "2 closed months verified" in alone.output
    assert "not proved: the" in alone.output.replace("\n", " ")
    anchored = runner.invoke(app, ["verify", "--store", str(copy), "--anchor", anchor])
    assert anchored.exit_code == 1, anchored.output
    assert "FAILED" in anchored.output and "the seal of 2026-02 still holds" in " ".join(anchored.output.split())


def test_verify_refuses_an_anchor_that_is_not_position_hash(demo: dict) -> None:
    """Exit 2 naming --anchor, before reading anything."""
    bad = runner.invoke(app, ["verify", "--store", str(demo["store"]), "--anchor", "12:abc"])
    assert bad.exit_code == 2 and "--anchor" in bad.output and "POSITION:HASH" in bad.output


def test_period_diff_lists_the_late_difference_and_writes_both_versions(demo: dict, tmp_path: Path) -> None:
    """The late credit note on February's rent shows, with its cause, and the CSV has every line."""
    target = tmp_path / "diff.csv"
    result = runner.invoke(app, ["period", "diff", "2026-02", "--store", str(demo["store"]),
                                 "--projections", str(demo["db"]), "--csv", str(target)])
    assert result.exit_code == 0, result.output
    assert "2026-02: 4 of" in result.output
    header, *lines = target.read_text(encoding="utf-8").splitlines()
    assert any(line.split(";")[2] == "loyer-batiment" and line.split(";")[-1] for line in lines)
    assert header.startswith("month;partner_id;resource_id") and len(lines) > 10
    missing = runner.invoke(app, ["period", "diff", "2026-04", "--store", str(demo["store"]),
                                  "--projections", str(demo["db"])])
    assert missing.exit_code == 2 and "not closed" in missing.output


def test_closing_out_of_order_is_refused_and_the_next_month_closes(demo: dict) -> None:
    """April cannot close before March; March can."""
    options = ["--store", str(demo["store"]), "--projections", str(demo["db"])]
    early = runner.invoke(app, ["period", "close", "2026-04", *options])
    assert early.exit_code == 2 and "close in order" in early.output
    done = runner.invoke(app, ["period", "close", "2026-03", *options])
    assert done.exit_code == 0, done.output
    assert "statements SHA-256" in done.output


def test_a_dispute_opened_and_resolved_from_the_command_line(demo: dict) -> None:
    """Open, then accept with a credit: the events are recorded and named."""
    store = ["--store", str(demo["store"])]
    opened = runner.invoke(app, ["dispute", "open", "--partner", "cc-haut-val", "--month", "2026-02",
                                 "--resource", "forum-emploi", "--reason", "stand non occupé", *store])
    assert opened.exit_code == 0, opened.output
    assert "DisputeOpened" in opened.output and "cc-haut-val:2026-02:d1" in opened.output
    resolved = runner.invoke(app, ["dispute", "resolve", "cc-haut-val:2026-02:d1", "--outcome", "accepted",
                                   "--reason", "stand libéré", "--credit-cents", "5000", *store])
    assert resolved.exit_code == 0, resolved.output
    assert "CreditGranted" in resolved.output


def test_a_dispute_on_a_line_the_statement_lacks_is_refused_from_the_command_line(demo: dict) -> None:
    """With the projections given, the CLI checks the line as the API does: exit 2, nothing recorded."""
    refused = runner.invoke(app, ["dispute", "open", "--partner", "cc-haut-val", "--month", "2026-02",
                                  "--resource", "forum-emploi", "--line-kind", "tariff", "--reason", "x",
                                  "--store", str(demo["store"]), "--projections", str(demo["db"])])
    assert refused.exit_code == 2, refused.output
    assert "tariff line for 'forum-emploi'" in refused.output and "[not-found]" in refused.output
