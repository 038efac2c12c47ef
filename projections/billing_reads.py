"""The read model of a groupement d'employeurs' billing: one function per named query of
sql/billing.sql, on the caller's cursor, as of a log position."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from projections.queries import named

Row = dict[str, Any]


def _dicts(conn: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[Row]:
    cursor = conn.execute(named("billing.sql")[name], params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def contract_terms_at(conn: duckdb.DuckDBPyConnection, at: int) -> list[Row]:
    """Every version of every employee's contract terms recorded by `at`."""
    return _dicts(conn, "contract_terms_at", {"at": at})


def rate_cards_at(conn: duckdb.DuckDBPyConnection, at: int) -> list[Row]:
    """Every version of the rate card recorded by `at` (JSON columns as text)."""
    return _dicts(conn, "rate_cards_at", {"at": at})


def group_profile_at(conn: duckdb.DuckDBPyConnection, at: int) -> Row | None:
    """The GE's profile as it stood at `at`; None before the first."""
    rows = _dicts(conn, "group_profile_at", {"at": at})
    return rows[0] if rows else None


def member_details_at(conn: duckdb.DuckDBPyConnection, at: int) -> list[Row]:
    """Each member's billing details as they stood at `at`."""
    return _dicts(conn, "member_details_at", {"at": at})


def staff_hours_of_month_at(conn: duckdb.DuckDBPyConnection, month: str, at: int) -> list[Row]:
    """(employee_id, partner_id, hours, entries) of the month's open staff hours at `at`."""
    return _dicts(conn, "staff_hours_of_month_at", {"month": month, "at": at})


def local_authority_hours_of_year(conn: duckdb.DuckDBPyConnection, year: int, at: int) -> list[Row]:
    """(employee_id, employee_name, hours, local_authority_hours) of the year's open hours at `at`."""
    return _dicts(conn, "local_authority_hours_of_year", {"year": year, "at": at})


def outstanding_debts_at(conn: duckdb.DuckDBPyConnection, at: int) -> list[Row]:
    """The GE's debts recorded by `at` and not settled by then, oldest first."""
    return _dicts(conn, "outstanding_debts_at", {"at": at})


def member_hours_of_months(conn: duckdb.DuckDBPyConnection, first: str, last: str, at: int) -> dict[str, object]:
    """Each member's open staff hours in months `first`..`last` at `at`."""
    return {row["partner_id"]: row["hours"]
            for row in _dicts(conn, "member_hours_of_months", {"first": first, "last": last, "at": at})}


def employee_costs_of_year(conn: duckdb.DuckDBPyConnection, year: int, at: int) -> dict[str, int]:
    """Each GE employee's open costs of the year's months at `at`."""
    rows = _dicts(conn, "employee_costs_of_year", {"year_prefix": f"{year:04d}-%", "at": at})
    return {row["employee_id"]: int(row["cost_cents"]) for row in rows}


def costs_of_resources_of_year(conn: duckdb.DuckDBPyConnection, resources: list[str], year: int, at: int) -> int:
    """The open costs of `resources` for the year's months at `at`."""
    rows = _dicts(conn, "costs_of_resources_of_year", {"resources": resources, "year_prefix": f"{year:04d}-%", "at": at})
    return int(rows[0]["cost_cents"])


def employee_member_hours_of_year(conn: duckdb.DuckDBPyConnection, year: int, at: int) -> list[Row]:
    """(employee_id, partner_id, hours) of the year's open staff hours at `at`."""
    return _dicts(conn, "employee_member_hours_of_year", {"year": year, "at": at})


def member_funds_at(conn: duckdb.DuckDBPyConnection, at: int) -> list[Row]:
    """Every member's fee and deposit movements recorded by `at`."""
    return _dicts(conn, "member_funds_at", {"at": at})


def partner_names(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """(partner_id, name) of every partner."""
    return _dicts(conn, "partner_names", {})


def invoices_at(conn: duckdb.DuckDBPyConnection, at: int, *, month: str | None = None,
                partner_id: str | None = None) -> list[Row]:
    """The invoice register at `at` (credit notes' amounts negative), each invoice with what
    credit notes took off it by then and whether it is wholly credited."""
    return _dicts(conn, "invoices_at", {"at": at, "month": month, "partner": partner_id})


def invoice_at(conn: duckdb.DuckDBPyConnection, number: int, at: int) -> Row | None:
    """The register row of document `number` with its event's `payload` (JSON text); None
    if it was not issued by `at`."""
    rows = _dicts(conn, "invoice_at", {"number": number, "at": at})
    return rows[0] if rows else None


def billed_of_year(conn: duckdb.DuckDBPyConnection, year: int, at: int) -> dict[str, int]:
    """Each member's net billing HT for the year's months at `at` (credit notes deducted)."""
    rows = _dicts(conn, "billed_of_year", {"year_prefix": f"{year:04d}-%", "at": at})
    return {row["partner_id"]: int(row["billed_cents"]) for row in rows}


def documents_at(conn: duckdb.DuckDBPyConnection, at: int) -> int:
    """How many invoices and credit notes were issued by `at`."""
    return int(_dicts(conn, "documents_at", {"at": at})[0]["documents"])


def unpaid_invoices_at(conn: duckdb.DuckDBPyConnection, at: int, today: date) -> list[Row]:
    """Every invoice with something left to pay at `at`, oldest due first, with its days late on `today`."""
    return _dicts(conn, "unpaid_invoices_at", {"at": at, "today": today})


def refunds_owed_at(conn: duckdb.DuckDBPyConnection, at: int) -> list[Row]:
    """Every regularisation credit note with something left to refund at `at`, oldest first."""
    return _dicts(conn, "refunds_owed_at", {"at": at})


def year_costs_of_resources(conn: duckdb.DuckDBPyConnection, resources: list[str], year: int, at: int) -> list[Row]:
    """Each open cost of `resources` for the year's months at `at`, with the event behind it."""
    return _dicts(conn, "year_costs_of_resources_at",
                  {"resources": resources, "year_prefix": f"{year:04d}-%", "at": at})


def member_billed_lines_of_year(conn: duckdb.DuckDBPyConnection, partner_id: str, year: int, at: int) -> list[Row]:
    """The lines of the member's documents for the year's months issued by `at` (credit notes negative)."""
    return _dicts(conn, "member_billed_lines_of_year", {"partner": partner_id, "year_prefix": f"{year:04d}-%", "at": at})


def member_staff_hours_of_year(conn: duckdb.DuckDBPyConnection, partner_id: str, year: int, at: int) -> list[Row]:
    """The member's open staff hours of the year at `at`, by employee and month, with each month's sheet."""
    return _dicts(conn, "member_staff_hours_of_year", {"partner": partner_id, "year": year, "at": at})


def invoice_payments_at(conn: duckdb.DuckDBPyConnection, at: int) -> list[Row]:
    """Every payment on an invoice recorded by `at`, newest first, with its event's position."""
    return _dicts(conn, "invoice_payments_at", {"at": at})


def credit_note_refunds_at(conn: duckdb.DuckDBPyConnection, at: int) -> list[Row]:
    """Every refund on a regularisation credit note recorded by `at`, newest first, with its event's position."""
    return _dicts(conn, "credit_note_refunds_at", {"at": at})
