"""Each .sql file of the projections names each of its statements once: a second block of
one name would silently replace the first."""

from __future__ import annotations

import pytest

from projections.queries import SQL_DIR, named


@pytest.mark.parametrize("filename", sorted(p.name for p in SQL_DIR.glob("*.sql")))
def test_every_statement_of_a_file_has_a_name_of_its_own(filename: str) -> None:
    named.cache_clear()
    named(filename)


def test_a_name_given_twice_is_refused_naming_it(tmp_path, monkeypatch) -> None:
    (tmp_path / "twice.sql").write_text("-- name: a\nSELECT 1;\n\n-- name: b\nSELECT 2;\n\n-- name: a\nSELECT 3;\n")
    monkeypatch.setattr("projections.queries.SQL_DIR", tmp_path)
    named.cache_clear()
    with pytest.raises(ValueError, match="twice.sql names more than one statement a"):
        named("twice.sql")
    named.cache_clear()
