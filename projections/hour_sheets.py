"""Hour sheets on the read side: what a sheet covers at a position (the hours a submission
sends, and its entries: what the employee submits), one sheet as it stood, and the entries
a submission named (what the member signs).
The month's list of sheets is `read_model.hour_sheets_of_month`."""

from __future__ import annotations

from typing import Any

import duckdb

from projections.queries import named

Row = dict[str, Any]


def _rows(conn: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[Row]:
    cursor = conn.execute(named("hour_sheets.sql")[name], params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def sheet_hours_at(conn: duckdb.DuckDBPyConnection, employee_id: str, partner_id: str, month: str,
                   position: int) -> Row | None:
    """{hours, entries, entries_sha256} of the employee's open staff hours for the member in
    the month at `position`; None if there are none (then there is no sheet to submit)."""
    rows = _rows(conn, "sheet_hours_at", {"employee": employee_id, "partner": partner_id, "month": month,
                                          "p": position})
    return rows[0] if rows else None


def sheet_at(conn: duckdb.DuckDBPyConnection, sheet_id: str, position: int) -> Row | None:
    """The sheet's row of `hour_sheet_versions` in force at `position` (and the position its
    hours were read at, `as_of_position`); None if it was not submitted by then."""
    rows = _rows(conn, "sheet_at", {"sheet": sheet_id, "p": position})
    return rows[0] if rows else None


def submitted_entries(conn: duckdb.DuckDBPyConnection, submitted_position: int) -> list[Row]:
    """The entries the submission at that position named, as they stood when its hours were
    read: entry_id, happened_on, quantity, starts_at, ends_at (None without a start)."""
    return _rows(conn, "submitted_entries", {"submitted": submitted_position})


def sheet_entries_at(conn: duckdb.DuckDBPyConnection, employee_id: str, partner_id: str, month: str,
                     position: int) -> list[Row]:
    """The entries `sheet_hours_at` sums, as they stand at `position` (what a submission
    would name): entry_id, happened_on, quantity, starts_at, ends_at."""
    return _rows(conn, "sheet_entries_at", {"employee": employee_id, "partner": partner_id, "month": month,
                                            "p": position})


def staff_hour_months(conn: duckdb.DuckDBPyConnection, partner_id: str | None = None,
                      employee_id: str | None = None) -> list[str]:
    """The months with staff hours or a sheet, of one partner, one employee, or all, latest first."""
    return [row["month"] for row in _rows(conn, "staff_hour_months", {"partner": partner_id,
                                                                      "employee": employee_id})]
