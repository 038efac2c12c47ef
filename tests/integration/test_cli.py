"""The `encommun` command line, in process (Typer's CliRunner), on real SQLite and DuckDB files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

import duckdb
import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli import main as cli
from cli import support as cli_support
from application.exporting import ANALYST_TABLES
from application.importing import import_file, read_rows, row_key
from bootstrap import bootstrap
from domain.events import StaffHoursLogged
from application.tokens import find_token, token_keys
from application.ledger import Ledger
from settings import Settings
from tests.history import ACTOR, setup

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as wide as they need, so that assertions do not depend on wrapping."""
    monkeypatch.setattr(cli_support, "out", Console(width=250, highlight=False))
    monkeypatch.setattr(cli_support, "err", Console(width=250, highlight=False, stderr=True))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A SQLite store holding the small pool of tests/history.py."""
    path = tmp_path / "ledger.sqlite"
    with bootstrap(Settings(sqlite_path=path)) as ledger:
        ledger.execute_batch(setup(), actor=ACTOR)
    return path


@pytest.fixture
def ledger(store: Path) -> Iterator[Ledger]:
    with bootstrap(Settings(sqlite_path=store)) as app:
        yield app


def encommun(*args: str | Path):
    result = runner.invoke(cli.app, [str(a) for a in args])
    # Expected failures end in SystemExit with a status, never in an exception.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def count(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def hours_logged(ledger: Ledger) -> list[StaffHoursLogged]:
    from demo.load import stored_events

    return list(stored_events(ledger, StaffHoursLogged))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


HOURS = """employee_id,partner_id,work_date,hours
anne,creche-a,2026-03-02,3.5
anne,mda,2026-03-02,4
anne,club-b,2026-03-02,3
anne,creche-a,2026-03-03,abc
anne,creche-a,2026-03-02,3.50
bob,creche-a,2026-03-03,2
anne,club-b,2026-03-03,2
"""


def rows_of(output: str) -> dict[int, str]:
    """The table of rows not recorded: line number -> the rest of its table row."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"^│\s*(\d+)\s*│(.*)$", line)
        if match:
            found[int(match[1])] = match[2]
    return found


# import -----------------------------------------------------------------------------------


def test_a_csv_import_records_the_good_rows_once_and_lists_the_bad_ones(
    store: Path, ledger: Ledger, tmp_path: Path
) -> None:
    """Accepted rows land with their receipt; rejected rows record nothing and are listed
    with their line and reason; a second import of the same file records nothing new."""
    before = count(ledger)
    csv_file = write(tmp_path / "hours.csv", HOURS)

    first = encommun("import", csv_file, "--store", store)

    assert first.exit_code == 1, first.output  # rows were rejected
    assert "3 accepted" in first.output and "3 rejected" in first.output
    assert "1 duplicate in the file" in first.output
    rejected = rows_of(first.stdout)
    assert sorted(rejected) == [4, 5, 6, 7]
    assert "working-time-exceeded" in rejected[4] and "10.50 h" in rejected[4]
    assert "invalid-command" in rejected[5] and "hours" in rejected[5]
    assert "duplicate of line 2" in rejected[6]
    assert "not-found" in rejected[7] and "bob" in rejected[7]
    assert count(ledger) == before + 3 * 2  # an event and its receipt for each good row
    assert sorted((e.partner_id, str(e.hours)) for e in hours_logged(ledger)) == [
        ("club-b", "2"), ("creche-a", "3.5"), ("mda", "4"),
    ]

    again = encommun("import", csv_file, "--store", store)

    assert again.exit_code == 1
    assert "0 accepted" in again.output and "3 already imported" in again.output
    assert sorted(rows_of(again.stdout)) == [4, 5, 6, 7]
    assert count(ledger) == before + 6


def test_a_clean_csv_exits_0_and_a_semicolon_file_with_decimal_commas_is_read(
    store: Path, ledger: Ledger, tmp_path: Path
) -> None:
    """The kind comes from the header (any column order); a French spreadsheet's ';' and
    '3,5' are understood."""
    uses = write(tmp_path / "copieur.csv",
                 "partner_id;used_on;resource_id;quantity;unit\n"
                 "creche-a;2026-03-02;copieur;120;page\n"
                 "\n"
                 "mda;2026-03-02;copieur;12,5;page\n")
    result = encommun("import", uses, "--store", store)
    assert result.exit_code == 0, result.output
    assert "2 accepted" in result.output and "0 rejected" in result.output

    bookings = write(tmp_path / "salle.csv",
                     "resource_id,partner_id,starts_at,ends_at\n"
                     "salle-vercors,creche-a,2026-03-02T14:00:00+01:00,2026-03-02T16:00:00+01:00\n"
                     "salle-vercors,mda,2026-03-02T15:00:00+01:00,2026-03-02T17:00:00+01:00\n"
                     # The first booking again, written in UTC: the same row.
                     "salle-vercors,creche-a,2026-03-02T13:00:00Z,2026-03-02T15:00:00Z\n")
    result = encommun("import", bookings, "--store", store)
    assert result.exit_code == 1
    rejected = rows_of(result.stdout)
    assert "booking-overlap" in rejected[3] and "duplicate of line 2" in rejected[4]


def test_a_jsonl_import_takes_any_command_and_shares_keys_with_csv(
    store: Path, ledger: Ledger, tmp_path: Path
) -> None:
    """One command a line; later lines see what earlier ones recorded; the same staff
    hours from a CSV file afterwards are already imported."""
    lines = [
        {"command": "join_partner", "partner_id": "epicerie", "name": "Épicerie solidaire",
         "joined_on": "2026-01-01"},
        None,  # a blank line
        {"command": "log_staff_hours", "employee_id": "anne", "partner_id": "epicerie",
         "work_date": "2026-03-04", "hours": "2"},
        "not json {",
        {"command": "fly_away"},
        {"command": "book_slot", "resource_id": "salle-vercors", "partner_id": "mda",
         "starts_at": "2026-03-04T10:00:00+01:00", "ends_at": "2026-03-04T09:00:00+01:00"},
    ]
    text = "\n".join("" if x is None else x if isinstance(x, str) else json.dumps(x) for x in lines)
    jsonl = write(tmp_path / "commands.jsonl", text + "\n")
    before = count(ledger)

    result = encommun("import", jsonl, "--store", store, "--actor", "import-test")

    assert result.exit_code == 1, result.output
    assert "2 accepted" in result.output and "3 rejected" in result.output
    rejected = rows_of(result.stdout)
    assert sorted(rejected) == [4, 5, 6]
    assert "not JSON" in rejected[4]
    assert "invalid-command" in rejected[5] and "command" in rejected[5]
    assert "must end after it starts" in rejected[6]
    assert count(ledger) == before + 4
    assert [(e.partner_id, e.actor) for e in hours_logged(ledger)] == [("epicerie", "import-test")]

    csv_file = write(tmp_path / "hours.csv", "employee_id,partner_id,work_date,hours\n"
                                             "anne,epicerie,2026-03-04,2.00\n")
    result = encommun("import", csv_file, "--store", store)
    assert result.exit_code == 0 and "1 already imported" in result.output
    assert count(ledger) == before + 4


@pytest.mark.parametrize("chunk_size", [1, 3, 500])
def test_chunks_decide_each_row_as_row_by_row_does(
    store: Path, ledger: Ledger, tmp_path: Path, chunk_size: int
) -> None:
    """A refused row in the middle of a chunk is set aside and the rows after it see the
    state without it; the receipts are those `Ledger.execute` writes, so a keyed execute
    of an imported row is a replay."""
    csv_file = write(tmp_path / "hours.csv", "employee_id,partner_id,work_date,hours\n"
                     "anne,creche-a,2026-03-02,6\n"
                     "anne,mda,2026-03-02,6\n"  # 12 h: refused
                     "anne,mda,2026-03-02,4\n"  # 10 h: fits once the refused row is set aside
                     "anne,club-b,2026-03-02,0.5\n"  # 10.5 h: refused
                     "anne,club-b,2026-03-03,8\n")
    report = import_file(ledger, csv_file, actor=ACTOR, chunk_size=chunk_size)

    assert (report.accepted, [r.line for r in report.rejected]) == (3, [3, 5])
    assert {r.rule for r in report.rejected} == {"working-time-exceeded"}
    logged = hours_logged(ledger)
    assert [(e.entry_id, e.partner_id, str(e.hours)) for e in logged] == [
        ("anne:2026-W10:1", "creche-a", "6"), ("anne:2026-W10:2", "mda", "4"),
        ("anne:2026-W10:3", "club-b", "8"),
    ]
    rows = [row for row in read_rows(csv_file, "staff-hours")]
    outcome = ledger.execute(rows[0].command, actor=ACTOR, idempotency_key=row_key(rows[0].command))
    assert outcome.replayed and outcome.events[0].entry_id == "anne:2026-W10:1"
    again = import_file(ledger, csv_file, actor=ACTOR, chunk_size=501 - chunk_size)
    assert (again.accepted, again.replayed, len(again.rejected)) == (0, 3, 2)


def test_a_file_that_cannot_be_imported_is_an_error_and_records_nothing(
    store: Path, ledger: Ledger, tmp_path: Path
) -> None:
    before = count(ledger)
    missing = encommun("import", tmp_path / "nowhere.csv", "--store", store)
    assert missing.exit_code == 2 and "no such file" in missing.output

    unknown = write(tmp_path / "odd.csv", "who,when,what\nanne,2026-03-02,3\n")
    result = encommun("import", unknown, "--store", store)
    assert result.exit_code == 2 and "none of the known kinds" in result.output

    # A good first row, then a byte that is not UTF-8: the whole file is read first.
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"employee_id,partner_id,work_date,hours\nanne,creche-a,2026-03-02,2\n"
                      b"anne,cr\xe8che,2026-03-03,2\n")
    result = encommun("import", latin, "--store", store)
    assert result.exit_code == 2 and "line 3 is not UTF-8" in result.output

    wrong = write(tmp_path / "hours.csv", "employee_id,partner_id,work_date,hours\n")
    result = encommun("import", wrong, "--store", store, "--kind", "bookings")
    assert result.exit_code == 2 and "missing resource_id, starts_at, ends_at" in " ".join(result.output.split())
    assert count(ledger) == before


# rebuild, sql, export -------------------------------------------------------------------


def rebuilt(store: Path, tmp_path: Path) -> Path:
    """The store with staff hours and their month's cost, and its projections."""
    encommun("import", write(tmp_path / "hours.csv", HOURS), "--store", store)
    cost = {"command": "record_cost", "resource_id": "anne", "month": "2026-03",
            "amount_cents": 320_017, "category": "salaire", "document_ref": "FAC-2026-03"}
    encommun("import", write(tmp_path / "cost.jsonl", json.dumps(cost)), "--store", store)
    projections = tmp_path / "projections.duckdb"
    result = encommun("rebuild", "--store", store, "--projections", projections)
    assert result.exit_code == 0, result.output
    return projections


def test_export_writes_every_analyst_table_with_its_rows(store: Path, tmp_path: Path) -> None:
    projections = rebuilt(store, tmp_path)
    out = tmp_path / "export"

    result = encommun("export", "--format", "parquet", out, "--projections", projections)

    assert result.exit_code == 0, result.output
    with duckdb.connect(str(projections), read_only=True) as conn, duckdb.connect() as files:
        for name in ANALYST_TABLES:
            expected = conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            got = files.execute(f"SELECT count(*) FROM read_parquet('{out / name}.parquet')").fetchone()[0]
            # The store of these tests closes no month: the closing tables stay empty.
            assert got == expected and (expected > 0 or name in CLOSING_TABLES | SHEET_TABLES | GE_TABLES), name
            assert re.search(rf"│ {name}\s+│\s+{expected:,} │", result.stdout), name
        assert conn.execute("SELECT count(*) FROM usage").fetchone()[0] == 3

    assert sorted(p.name for p in out.iterdir()) == sorted(f"{name}.parquet" for name in ANALYST_TABLES)

    csv_out = tmp_path / "csv"
    assert encommun("export", "--format", "csv", csv_out, "--projections", projections).exit_code == 0
    assert sorted(p.stem for p in csv_out.glob("*.csv")) == sorted(ANALYST_TABLES)


def test_an_export_names_no_employee_unless_asked(store: Path, tmp_path: Path) -> None:
    """As in the API's analyst snapshot, employees are employee-<n> in every exported file."""
    projections = rebuilt(store, tmp_path)
    pseudonymised, named = tmp_path / "analysts", tmp_path / "named"
    assert encommun("export", "--format", "csv", pseudonymised, "--projections", projections).exit_code == 0
    assert encommun("export", "--format", "csv", named, "--employee-names",
                    "--projections", projections).exit_code == 0

    def mentions(directory: Path) -> set[str]:
        return {p.stem for p in directory.glob("*.csv") if "Anne Martin" in p.read_text()}

    assert mentions(pseudonymised) == set()
    assert {"events", "resources", "resource_versions"} <= mentions(named)
    assert "employee-1" in (pseudonymised / "resources.csv").read_text()


CLOSING_TABLES = {"periods", "statement_numbers", "adjustments", "disputes", "dispute_events", "credits"}
# Nor does it submit an hour sheet: their tables stay empty too.
SHEET_TABLES = {"hour_sheets", "hour_sheet_versions"}
# Neither has it a GE's terms, register or debts, nor says whether its costs are HT or TTC
# (tests/integration/test_pseudonyms.py exports a demo that has them).
CLOSING_TABLES |= {"cost_bases", "contract_terms", "rate_cards", "group_profiles", "member_details", "ge_debts",
                   "register_notifications", "member_funds"}
# Nor does the GE invoice anyone (tests/integration/test_pseudonyms.py and test_invoices.py do).
GE_TABLES = {"invoices", "invoice_lines", "invoice_payments", "credit_note_refunds"}
# Nor does it settle a tariff's year.
CLOSING_TABLES |= {"tariff_settlements"}


def test_every_table_of_the_schema_document_is_exported() -> None:
    documented = re.findall(r"^### (?:View )?`(\w+)`(?:, (?:view|table) `(\w+)`)?",
                            (ROOT / "docs" / "schema.md").read_text(), re.MULTILINE)
    names = {name for pair in documented for name in pair if name} - {"tracking"}
    assert names == set(ANALYST_TABLES)


def test_sql_runs_one_select_and_refuses_anything_else(store: Path, tmp_path: Path) -> None:
    projections = rebuilt(store, tmp_path)

    selected = encommun("sql", "SELECT partner_id, quantity FROM usage ORDER BY entry_id",
                        "--format", "csv", "--projections", projections)
    assert selected.exit_code == 0, selected.output
    assert selected.stdout.splitlines() == [
        "partner_id,quantity", "creche-a,3.500", "mda,4.000", "club-b,2.000",
    ]
    with bootstrap(Settings(sqlite_path=store)) as ledger:
        events = count(ledger)
    as_json = encommun("sql", "SELECT count(*) AS n FROM events", "--format", "json",
                       "--projections", projections)
    assert json.loads(as_json.stdout) == [{"n": events}]

    for query in ("DELETE FROM events", "SELECT 1; DROP TABLE events", "SELEC 1"):
        refused = encommun("sql", query, "--projections", projections)
        assert refused.exit_code == 2 and "not run" in refused.output, query
    with duckdb.connect(str(projections), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == events


# token ----------------------------------------------------------------------------------


def test_a_token_is_created_listed_and_revoked(store: Path) -> None:
    created = encommun("token", "create", "--role", "partner", "--partner", "creche-a",
                       "--label", "Crèche, accueil", "--store", store)
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("enc_") and "will not be shown again" in created.stderr
    keys = token_keys(Settings(sqlite_path=store))
    with bootstrap(Settings(sqlite_path=store)) as ledger:
        found = find_token(ledger, token, keys)
        assert found is not None and (found.role, found.partner_id) == ("partner", "creche-a")
        prefix = found.token_sha256[:12]

    listed = encommun("token", "list", "--store", store)
    assert listed.exit_code == 0
    row = next(line for line in listed.stdout.splitlines() if prefix in line)
    assert "Crèche, accueil" in row and "creche-a" in row and "cli" in row and row.rstrip().endswith("no")
    assert token not in listed.output

    revoked = encommun("token", "revoke", prefix, "--store", store)
    assert revoked.exit_code == 0 and "revoked token 'Crèche, accueil'" in revoked.output
    with bootstrap(Settings(sqlite_path=store)) as ledger:
        assert find_token(ledger, token, keys) is None
    listed = encommun("token", "list", "--store", store)
    assert next(line for line in listed.stdout.splitlines() if prefix in line).rstrip().endswith("revoked")

    again = encommun("token", "revoke", prefix, "--store", store)
    assert again.exit_code == 2 and "already revoked" in again.output
    no_partner = encommun("token", "create", "--role", "partner", "--label", "x", "--store", store)
    assert no_partner.exit_code == 2 and "partner_id" in no_partner.output


# demo -----------------------------------------------------------------------------------


def test_demo_loads_haut_val_and_prints_a_working_token_per_role(tmp_path: Path) -> None:
    result = encommun("demo", "--months", "3", "--no-serve", "--dir", tmp_path)

    assert result.exit_code == 0, result.output
    tokens = dict(re.findall(r"^  (\w+)[^\n]*?(enc_\S+)$", result.stdout, re.MULTILINE))
    assert set(tokens) == {"coordinator", "auditor", "analyst", "partner"}
    assert "http://127.0.0.1:8000/docs" in result.stdout
    assert "/partners/maison-des-associations/statements/2026-03" in result.stdout
    keys = token_keys(Settings(sqlite_path=tmp_path / "demo.sqlite"))
    with bootstrap(Settings(sqlite_path=tmp_path / "demo.sqlite")) as ledger:
        assert {role: find_token(ledger, t, keys).role for role, t in tokens.items()} == {
            role: role for role in tokens}
        events = count(ledger)
    with duckdb.connect(str(tmp_path / "demo.duckdb"), read_only=True) as conn:
        assert conn.execute("SELECT max(position) FROM events").fetchone()[0] == events


def test_an_import_on_each_store_records_once(store_settings: Settings, tmp_path: Path) -> None:
    """SQLite and PostgreSQL alike: chunks land with their receipts, a re-import replays."""
    csv_file = write(tmp_path / "hours.csv", HOURS)
    with bootstrap(store_settings) as ledger:
        ledger.execute_batch(setup(), actor=ACTOR)
        before = count(ledger)
        first = import_file(ledger, csv_file, actor=ACTOR)
        again = import_file(ledger, csv_file, actor=ACTOR)
        assert (first.accepted, first.replayed, len(first.rejected)) == (3, 0, 3)
        assert (again.accepted, again.replayed, len(again.rejected)) == (0, 3, 3)
        assert len(hours_logged(ledger)) == 3


def test_two_imports_of_one_file_at_once_record_each_row_once(store: Path, tmp_path: Path) -> None:
    """Two processes importing the same file race on the same timesheets and receipts:
    the loser of each chunk decides again on fresh state and finds the rows recorded."""
    import threading

    lines = ["employee_id,partner_id,work_date,hours"] + [
        f"anne,{partner},2026-{month:02d}-{day:02d},1"
        for month in (1, 2, 3) for day in range(1, 29) for partner in ("creche-a", "mda", "club-b")
    ]
    csv_file = write(tmp_path / "hours.csv", "\n".join(lines) + "\n")
    ledgers = [bootstrap(Settings(sqlite_path=store)) for _ in range(2)]
    reports = []
    before = count(ledgers[0])

    def run(ledger: Ledger) -> None:
        reports.append(import_file(ledger, csv_file, actor=ACTOR, chunk_size=20))

    threads = [threading.Thread(target=run, args=(ledger,)) for ledger in ledgers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        rows = len(lines) - 1
        assert [len(r.rejected) for r in reports] == [0, 0]
        assert sum(r.accepted for r in reports) == rows and sum(r.replayed for r in reports) == rows
        assert count(ledgers[0]) == before + 2 * rows
        assert len(hours_logged(ledgers[0])) == rows
    finally:
        for ledger in ledgers:
            ledger.close()
