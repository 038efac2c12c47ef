"""The entry points (api/, cli/) run only the named queries of projections/: no SQL string
of the product's own is written in them. The read model's queries are all run by a
function of projections/read_model.py."""

from __future__ import annotations

import re
from pathlib import Path

from projections.queries import named

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINTS = ("api", "cli")

# A line that starts a SQL string, or holds a statement's opening words.
SQL = re.compile(r'"""?\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b|\b(SELECT|INSERT INTO|DELETE FROM)\s')

# The lines that look like SQL but are data: the analysts' SQL given as an example or named
# in help text. (file, the line stripped): each must still be there, so the list stays exact.
ALLOWED = {
    # The route's docstring and summary, the request field's description (its example query
    # is the first of projections/sql/examples.sql).
    ("api/routers/sql.py",
     '"""The analysts\' SQL: one SELECT over a read-only, pseudonymised snapshot of the projections."""'),
    ("api/routers/sql.py",
     'sql: str = Field(min_length=1, max_length=100_000, description="Exactly one SELECT statement")'),
    ("api/routers/sql.py",
     'summary="Run one SELECT over a read-only snapshot of the projections (analysts)",'),
    # The demo prints a query the reader can try on the file it built.
    ("cli/demo.py",
     'support.out.print(f"  encommun sql --projections {db} \\"SELECT resource_name, amount_cents '
     'FROM statement_lines "'),
    # The usage text of `encommun`, and the help of `encommun sql`.
    ("cli/main.py", 'encommun sql "SELECT …" [--format table|csv|json]'),
    ("cli/projection_file.py",
     'query: Annotated[str, typer.Argument(help="One SELECT statement (WITH … SELECT included).")],'),
    ("cli/projection_file.py",
     '"""Run one SELECT on a read-only connection to the projection file (docs/schema.md).'),
}


def sql_lines(root: Path) -> list[tuple[str, int, str]]:
    """(file relative to root, line number, line stripped) of each line that looks like SQL."""
    found = []
    for package in ENTRY_POINTS:
        for path in sorted((root / package).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if SQL.search(line):
                    found.append((path.relative_to(root).as_posix(), number, line.strip()))
    return found


def test_api_and_cli_hold_no_sql_but_the_listed_examples_and_help() -> None:
    """Every SQL-looking line of api/ and cli/ is an allowed example or help text."""
    offenders = [f"{path}:{number}: {line}" for path, number, line in sql_lines(ROOT)
                 if (path, line) not in ALLOWED]
    assert offenders == [], "SQL in an entry point: make it a named query of projections/\n" + "\n".join(offenders)


def test_every_allowed_line_is_still_there() -> None:
    """The allow-list names exactly the example and help lines that exist, none stale."""
    present = {(path, line) for path, _, line in sql_lines(ROOT)}
    assert sorted(ALLOWED - present) == []


def test_the_scan_finds_inline_sql_in_routers_and_commands(tmp_path: Path) -> None:
    """An inline query in a router and a triple-quoted one in a command are both named with their line."""
    (tmp_path / "api" / "routers").mkdir(parents=True)
    (tmp_path / "cli").mkdir()
    (tmp_path / "api" / "routers" / "things.py").write_text(
        'x = 1\nrows = conn.execute("SELECT name FROM partners WHERE partner_id = ?", [p])\n')
    (tmp_path / "cli" / "things.py").write_text('Q = """\n'
                                                 'WITH a AS (SELECT 1) SELECT * FROM a"""\n'
                                                 'R = """DELETE FROM usage"""\n')
    assert [(path, number) for path, number, _ in sql_lines(tmp_path)] == [
        ("api/routers/things.py", 2), ("cli/things.py", 2), ("cli/things.py", 3)]


def test_every_named_query_of_the_read_model_is_run_by_a_function() -> None:
    """Each `-- name:` of sql/read_model.sql is asked for by projections/read_model.py."""
    source = (ROOT / "projections" / "read_model.py").read_text()
    unused = [name for name in named("read_model.sql") if f'"{name}"' not in source]
    assert unused == []
