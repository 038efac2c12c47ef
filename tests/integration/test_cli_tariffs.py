"""`encommun tariff show|settle` on real SQLite and DuckDB files: the copier's year of
tests/settlement_fixtures.py (worked out by hand there: 1,36 € owed by the crèche, 0,64 €
by the club), a refusal with nothing stored, the settlement on December's statements."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from bootstrap import bootstrap
from cli.main import app
from settings import Settings
from tests.settlement_fixtures import copier_year

runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    settings = Settings(sqlite_path=tmp_path / "ledger.sqlite", projection_path=tmp_path / "projections.duckdb")
    with bootstrap(settings) as ledger:
        copier_year(ledger)
    built = runner.invoke(app, ["rebuild", "--store", str(settings.sqlite_path),
                                "--projections", str(settings.projection_path)])
    assert built.exit_code == 0, built.output
    return ["--store", str(settings.sqlite_path), "--projections", str(settings.projection_path)]


def log_end(files: list[str]) -> int:
    with bootstrap(Settings(sqlite_path=Path(files[1]))) as ledger:
        return ledger.recorder.max_notification_id()


def said(output: str) -> str:
    """The output with its spaces (amounts print with a no-break space) and wrapping joined."""
    return " ".join(output.split())


def rows(output: str) -> dict[str, list[str]]:
    """The table's rows by partner, each cell as printed, spaces joined."""
    found = {}
    for line in output.splitlines():
        cells = [said(c) for c in line.strip("│ ").split("│")]
        if cells and cells[0] in ("creche-a", "club-b"):
            found[cells[0]] = cells[1:]
    return found


def test_show_prints_each_partners_units_charge_share_and_difference(files: list[str]) -> None:
    shown = runner.invoke(app, ["tariff", "show", "copieur", "2026", *files])
    assert shown.exit_code == 0, shown.output
    assert "costs 90,00 €, charged 88,00 €, settled 0,00 €" in said(shown.output)
    assert rows(shown.output) == {"creche-a": ["1500", "60,00 €", "0,00 €", "61,36 €", "1,36 €"],
                                  "club-b": ["700", "28,00 €", "0,00 €", "28,64 €", "0,64 €"]}
    assert "to settle: 2,00 € in all (owed by the partners)" in said(shown.output)


def test_settle_refuses_a_month_before_december_and_stores_nothing(files: list[str]) -> None:
    before = log_end(files)
    refused = runner.invoke(app, ["tariff", "settle", "copieur", "2026", "--month", "2026-11", *files])
    assert refused.exit_code == 2
    assert "settled in its last month or later, not in 2026-11 (field month)" in said(refused.output)
    assert log_end(files) == before


def test_settle_puts_each_difference_on_decembers_statements_and_the_year_at_zero(files: list[str]) -> None:
    before = log_end(files)
    settled = runner.invoke(app, ["tariff", "settle", "copieur", "2026", "--month", "2026-12", *files])
    assert settled.exit_code == 0, settled.output
    assert f"copieur 2026 settled on the statements of 2026-12 at position {before + 1}" in said(settled.output)
    with duckdb.connect(files[3], read_only=True) as conn:
        lines = dict(conn.execute("SELECT partner_id, amount_cents FROM statement_lines WHERE month = '2026-12' "
                                  "AND resource_id = 'copieur' AND line_kind = 'settlement'").fetchall())
    assert lines == {"creche-a": 136, "club-b": 64}
    again = runner.invoke(app, ["tariff", "show", "copieur", "2026", *files])
    assert rows(again.output)["creche-a"][2:] == ["1,36 €", "61,36 €", "0,00 €"]
    assert "nothing to settle" in again.output
