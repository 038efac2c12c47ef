"""`encommun sql` and `encommun export` run in the analysts' sandbox: bounded, and reading
nothing but the projection file (real SQLite store, real DuckDB file, real worker processes)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.integration.test_cli import encommun, rebuilt, store, wide_consoles  # noqa: F401 (fixtures)


def test_the_operator_s_sql_reads_no_local_file(store: Path, tmp_path: Path) -> None:
    """The projection file only: read_text, read_csv, glob and ATTACH are refused, and nothing
    of the file reaches the output."""
    projections = rebuilt(store, tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the CLI")
    for query in (f"SELECT * FROM read_text('{secret}')", f"SELECT * FROM read_csv('{secret}')",
                  f"SELECT * FROM glob('{tmp_path}/*')", "SELECT * FROM read_text('/etc/passwd')"):
        refused = encommun("sql", query, "--projections", projections)
        assert refused.exit_code == 2 and "sql-forbidden" in refused.output, (query, refused.output)
        assert "not for the CLI" not in refused.output and "root:" not in refused.output
    named = encommun("sql", "SELECT name FROM resources WHERE resource_id = 'anne'", "--format", "csv",
                     "--projections", projections)
    assert named.stdout.splitlines() == ["name", "Anne Martin"]  # the operator sees names


@pytest.mark.parametrize("query, rule", [
    ("SELECT sum(hash(i)) FROM range(10000000000) t(i)", "sql-timeout"),
    ("SELECT length(repeat('x', 1000000000))", "sql-out-of-memory"),
    ("SELECT repeat('x', 60000000) AS s FROM range(100)", "sql-out-of-memory"),
])
def test_the_operator_s_sql_is_stopped_at_the_analysts_limits(store: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              query: str, rule: str) -> None:
    """ENCOMMUN_SQL_TIMEOUT_S and ENCOMMUN_SQL_MEMORY_LIMIT bound `encommun sql` as they bound
    POST /sql: a red line naming the rule, exit status 2, within the time limit + 1 s."""
    projections = rebuilt(store, tmp_path)
    monkeypatch.setenv("ENCOMMUN_SQL_TIMEOUT_S", "2")
    monkeypatch.setenv("ENCOMMUN_SQL_MEMORY_LIMIT", "256MB")
    started = time.monotonic()
    result = encommun("sql", query, "--projections", projections)
    elapsed = time.monotonic() - started
    assert result.exit_code == 2 and rule in result.output, result.output
    assert elapsed < 3, elapsed


def test_an_export_is_bounded_by_the_analysts_memory_limit(store: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The export's copies run in a worker with the analysts' memory limit: below what one
    table needs, the export stops with the rule's name and leaves no partial copy behind."""
    projections = rebuilt(store, tmp_path)
    monkeypatch.setenv("ENCOMMUN_SQL_MEMORY_LIMIT", "1MB")
    out = tmp_path / "export"
    result = encommun("export", "--format", "parquet", out, "--projections", projections)
    assert result.exit_code == 2 and "sql-out-of-memory" in result.output, result.output
    assert not any(p.name.startswith(".encommun-") for p in out.iterdir())
