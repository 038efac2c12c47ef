"""The read model of the GE's member register: one function per named query of
sql/ge_register.sql, on the caller's cursor, as of a log position."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from projections.queries import named

Row = dict[str, Any]


def _dicts(conn: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[Row]:
    cursor = conn.execute(named("ge_register.sql")[name], params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def register_on(conn: duckdb.DuckDBPyConnection, day: date, at: int) -> list[Row]:
    """The members on `day` as the register stood at `at`."""
    return _dicts(conn, "register_on", {"day": day, "at": at})


def register_changes(conn: duckdb.DuckDBPyConnection, at: int) -> list[Row]:
    """Every change of the register by `at`, with the day its first notification was sent."""
    return _dicts(conn, "register_changes", {"at": at})


def register_notifications_at(conn: duckdb.DuckDBPyConnection, at: int) -> list[Row]:
    """The notifications recorded by `at`, latest first."""
    return _dicts(conn, "register_notifications_at", {"at": at})
