"""The read model of tariff pools' year settlements: one function per named query of
sql/tariff_settlements.sql, on the caller's cursor, as of a log position."""

from __future__ import annotations

from typing import Any

import duckdb

from projections.queries import named

Row = dict[str, Any]


def _dicts(conn: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[Row]:
    cursor = conn.execute(named("tariff_settlements.sql")[name], params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def settled_of_year(conn: duckdb.DuckDBPyConnection, resource_id: str, year: int, at: int) -> dict[str, int]:
    """What the year's settlements recorded by `at` settled with each partner."""
    return {r["partner_id"]: r["settled_cents"]
            for r in _dicts(conn, "settled_of_year", {"resource": resource_id, "year": year, "at": at})}


def settlements_count(conn: duckdb.DuckDBPyConnection, resource_id: str, at: int) -> int:
    """How many settlements of the resource (any year) were recorded by `at`."""
    return conn.execute(named("tariff_settlements.sql")["settlements_count"],
                        {"resource": resource_id, "at": at}).fetchone()[0]


def settlements_of_year(conn: duckdb.DuckDBPyConnection, resource_id: str, year: int, at: int) -> list[Row]:
    """The year's settlements recorded by `at`, one row per partner of each."""
    return _dicts(conn, "settlements_of_year", {"resource": resource_id, "year": year, "at": at})


def tariff_resources_of_year(conn: duckdb.DuckDBPyConnection, year: int, at: int) -> list[Row]:
    """The resources with a tariff key in some month of the year, with those months and unit prices."""
    return _dicts(conn, "tariff_resources_of_year", {"year": year, "at": at})


def partner_settlements(conn: duckdb.DuckDBPyConnection, partner_id: str, month: str, at: int) -> dict[str, Row]:
    """The partner's settlement lines on the month's statement recorded by `at`, by resource."""
    return {r["resource_id"]: r for r in _dicts(conn, "partner_settlements",
                                                {"partner": partner_id, "month": month, "at": at})}


def settlement_trace(conn: duckdb.DuckDBPyConnection, partner_id: str, resource_id: str, year: int,
                     months: list[str], at: int) -> list[tuple]:
    """The cost, usage and settlement events behind the partner's settlement line, recorded by `at`."""
    return conn.execute(named("tariff_settlements.sql")["settlement_trace"],
                        {"partner": partner_id, "resource": resource_id, "year": year, "months": months,
                         "at": at}).fetchall()
