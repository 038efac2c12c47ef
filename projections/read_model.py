"""The read model the entry points query: one function per named query of
sql/read_model.sql, run on the caller's cursor (its snapshot), returning rows.

Rows come as dicts (column name -> value) where the caller builds models from them, as
tuples where it unpacks them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

from projections.queries import named

Row = dict[str, Any]


def _sql(name: str) -> str:
    return named("read_model.sql")[name]


def _dicts(conn: duckdb.DuckDBPyConnection, name: str, params: Any) -> list[Row]:
    cursor = conn.execute(_sql(name), params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def tracked_position(conn: duckdb.DuckDBPyConnection, application: str) -> int:
    """The log position the projections of `application` hold (0 before the first page)."""
    row = conn.execute(_sql("tracked_position"), [application]).fetchone()
    return row[0] if row else 0


def partner_name(conn: duckdb.DuckDBPyConnection, partner_id: str) -> str | None:
    """The partner's name; None if no such partner was ever registered."""
    row = conn.execute(_sql("partner_name"), [partner_id]).fetchone()
    return None if row is None else row[0]


def partner_names(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every registered partner's name by id, in order of name."""
    return dict(conn.execute(_sql("partner_names")).fetchall())


def staff_names(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every staff resource's name by id, in order of name (the employees)."""
    return dict(conn.execute(_sql("staff_names")).fetchall())


def resource_name(conn: duckdb.DuckDBPyConnection, resource_id: str) -> str | None:
    """The resource's current name; None if no such resource was ever registered."""
    row = conn.execute(_sql("resource_name"), [resource_id]).fetchone()
    return None if row is None else row[0]


def resource_names(conn: duckdb.DuckDBPyConnection, resource_ids: list[str]) -> dict[str, str]:
    """Current names of the registered resources among `resource_ids`."""
    return dict(conn.execute(_sql("resource_names"), [resource_ids]).fetchall())


def resource_names_at(conn: duckdb.DuckDBPyConnection, position: int, resource_ids: list[str]) -> dict[str, str]:
    """Names of the resources among `resource_ids` registered by `position`, as they stood then."""
    return dict(conn.execute(_sql("resource_names_at"), [position, resource_ids]).fetchall())


def partner_seals(conn: duckdb.DuckDBPyConnection, partner_id: str, month: str, position: int) -> list[Row]:
    """The month's seal (at most one) if it was closed by `position`, with the partner's
    statement number (None if it has no statement that month)."""
    return _dicts(conn, "partner_seal", [partner_id, month, position])


def partner_lines(conn: duckdb.DuckDBPyConnection, partner_id: str, month: str) -> list[Row]:
    """The partner's statement lines of the month as they stand now."""
    return _dicts(conn, "partner_lines", [partner_id, month])


def partner_dispute_statuses(conn: duckdb.DuckDBPyConnection, partner_id: str, month: str,
                             position: int) -> list[Row]:
    """(resource_id, line_kind, part, status) of the partner's disputes on the month opened
    by `position`, oldest first."""
    return _dicts(conn, "partner_dispute_statuses", [partner_id, month, position])


def partner_disputes(conn: duckdb.DuckDBPyConnection, partner_id: str, month: str, position: int) -> list[Row]:
    """The partner's disputes on the month opened by `position`, with their answers, oldest first."""
    return _dicts(conn, "partner_disputes", [partner_id, month, position])


def dispute_credits(conn: duckdb.DuckDBPyConnection, dispute_ids: list[str], position: int) -> list[tuple]:
    """(dispute_id, amount_cents, credited_month) of the credits granted on these disputes by
    `position`, in the order granted."""
    return conn.execute(_sql("dispute_credits"), [dispute_ids, position]).fetchall()


def period_closed_at(conn: duckdb.DuckDBPyConnection, month: str) -> datetime | None:
    """When the month was closed; None if it is open."""
    row = conn.execute(_sql("period_closed_at"), [month]).fetchone()
    return row[0] if row else None


def closed_months(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every closed month with every column of `periods`, in order."""
    return _dicts(conn, "closed_months", [])


def disputes(conn: duckdb.DuckDBPyConnection, *, partner_id: str | None, month: str | None,
             status: str | None) -> list[Row]:
    """The disputes (all but their corrected entries), each filter optional, in the order opened."""
    return _dicts(conn, "disputes", [partner_id, partner_id, month, month, status, status])


def cost_shares(conn: duckdb.DuckDBPyConnection, month: str, resource_id: str | None) -> list[Row]:
    """The month's cost-share lines as they stand now, of one resource or all."""
    return _dicts(conn, "cost_shares", [month, resource_id, resource_id])


def line_trace(conn: duckdb.DuckDBPyConnection, *, month: str, resource_id: str, partner_id: str,
               part: int | None) -> list[tuple]:
    """(source, entry_id, position, event_type, actor, recorded_at, payload as JSON text) of
    the events behind the partner's lines of the pool (one part, or all), as they stand now."""
    return conn.execute(_sql("line_trace"), [month, resource_id, partner_id, part, part]).fetchall()


def audit_events(conn: duckdb.DuckDBPyConnection, *, after: int, upto: int, aggregate_id: str | None,
                 event_type: str | None, actor: str | None, since: datetime | None,
                 until: datetime | None, limit: int, **more: Any) -> list[tuple]:
    """(position, recorded_at, event_type, aggregate_id, aggregate_version, actor, payload as
    JSON text) of at most `limit` events after `after` and up to `upto`, in log order (see
    `audit_page` for the other filters)."""
    rows, _ = audit_page(conn, after=after, upto=upto, aggregate_id=aggregate_id, event_type=event_type,
                         actor=actor, since=since, until=until, limit=limit, **more)
    return rows


def audit_page(conn: duckdb.DuckDBPyConnection, *, after: int, upto: int, aggregate_id: str | None,
               event_type: str | None, actor: str | None, since: datetime | None, until: datetime | None,
               limit: int, partner_id: str | None = None, resource_id: str | None = None,
               before: int | None = None, newest_first: bool = False) -> tuple[list[tuple], int]:
    """The rows of `audit_events` after `after` (and before `before`), in log order or newest
    first, filtered also by the partner or the resource they concern; and how many events
    match the filters in all (on every page)."""
    rows = conn.execute(_sql("audit_events"), {
        "after": after, "upto": upto, "aggregate": aggregate_id, "type": event_type,
        "actor": actor, "since": since, "until": until, "limit": limit, "partner": partner_id,
        "resource": resource_id, "before": before, "newest_first": newest_first,
    }).fetchall()
    total = rows[0][7] if rows else 0
    return [row[:7] for row in rows if row[0] is not None], total


# ---- The coordinator's pages (api/pages/coordination*.py) -----------------------------------

def coordination_months(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """Each month with a cost or usage recorded, or closed, in order: its seal's columns
    (NULL while open), its statements now (`statements`, `total_cents`) and how many were
    numbered when it was closed (`numbered`)."""
    return _dicts(conn, "coordination_months", [])


def resources_without_cost(conn: duckdb.DuckDBPyConnection, month: str) -> list[Row]:
    """The resources in service in `month` with no open cost recorded for it, by name."""
    return _dicts(conn, "resources_without_cost", {"month": month})


def unallocated_pools(conn: duckdb.DuckDBPyConnection, month: str) -> list[Row]:
    """The unallocated lines of the month's pools (method None: no key in force)."""
    return _dicts(conn, "unallocated_pools", {"month": month})


def tariff_recoveries(conn: duckdb.DuckDBPyConnection, month: str) -> list[Row]:
    """The month's tariff pools whose tariffs over- or under-recover the cost (recovery =
    cost - charged: positive is under-recovered), with the key in force as JSON text."""
    return _dicts(conn, "tariff_recoveries", {"month": month})


def usage_outside_membership(conn: duckdb.DuckDBPyConnection, month: str) -> list[Row]:
    """The month's open usage recorded for a partner on days it was not a member: looked for
    only among the partners who were not members all month (most months, none is)."""
    partners = [row[0] for row in conn.execute(_sql("partners_not_members_all_month"), {"month": month}).fetchall()]
    if not partners:
        return []
    return _dicts(conn, "usage_outside_membership", {"month": month, "partners": partners})


def open_disputes_named(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """The open disputes (id, partner, month, resource, with names), in the order opened."""
    return _dicts(conn, "open_disputes_named", [])


def month_partner_totals(conn: duckdb.DuckDBPyConnection, month: str) -> list[Row]:
    """Each partner's statement of the month as it stands (total, number of lines), by name."""
    return _dicts(conn, "month_partner_totals", {"month": month})


def month_costs(conn: duckdb.DuckDBPyConnection, month: str) -> list[Row]:
    """The month's cost entries (every status) with the amount first recorded, when and by whom."""
    return _dicts(conn, "month_costs", {"month": month})


def cost_entry(conn: duckdb.DuckDBPyConnection, entry_id: str) -> Row | None:
    """One cost entry as it stands; None if there is no such cost."""
    rows = _dicts(conn, "cost_entry", [entry_id])
    return rows[0] if rows else None


def resources_with_keys(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every resource with each of its key versions (a row per version; NULLs without key)."""
    return _dicts(conn, "resources_with_keys", [])


def partners_with_memberships(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every partner with each period of its membership (a row per period)."""
    return _dicts(conn, "partners_with_memberships", [])


def pool_months(conn: duckdb.DuckDBPyConnection, resource_id: str) -> list[str]:
    """The months with a cost or a usage recorded for the resource, latest first."""
    return [row[0] for row in conn.execute(_sql("pool_months"), {"resource": resource_id}).fetchall()]


def disputes_to_answer(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every dispute with names, opening time, the line's current amount and its credit:
    open ones first, then the latest opened."""
    return _dicts(conn, "disputes_to_answer", [])

def partner_directory(conn: duckdb.DuckDBPyConnection, on: date) -> list[Row]:
    """Every registered partner: id, name, kind, memberships (first_day, last_day) in order,
    and its status on day `on` (member, joining or left), by id."""
    return _dicts(conn, "partner_directory", {"on": on})


def resource_directory(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every registered resource as it stands now (name, kind, unit, capacity, retired_on), by id."""
    return _dicts(conn, "resource_directory", [])


def key_versions(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every allocation key version (the key as JSON text), by resource, month and version,
    with the version that replaced it for the same month, if any."""
    return _dicts(conn, "key_versions", [])


def months(conn: duckdb.DuckDBPyConnection, partner_id: str | None) -> list[Row]:
    """Every month the ledger holds something for, in order, with its costs, its seal's
    columns (NULL while open), its numbered statements and its open disputes (of
    `partner_id` only, with that partner's statement number, when one is given)."""
    return _dicts(conn, "months", {"partner": partner_id})
# The partner's pages (api/pages/partner*.py, booking.py) -----------------------------------

def partner_statement_months(conn: duckdb.DuckDBPyConnection, partner_id: str) -> list[Row]:
    """A partner's months, latest first: closed, closed_at, number, total_cents (a closed
    month's as issued), line_count, open_disputes."""
    return _dicts(conn, "partner_statement_months", {"partner": partner_id})


def partner_charges_by_resource(conn: duckdb.DuckDBPyConnection, partner_id: str, first: str,
                                last: str) -> list[Row]:
    """(month, resource_id, resource_name, resource_kind, amount_cents) of a partner's charges
    from month `first` to `last`, a closed month's as issued."""
    return _dicts(conn, "partner_charges_by_resource", {"partner": partner_id, "first": first, "last": last})


def pool_costs_at(conn: duckdb.DuckDBPyConnection, month: str, resource_ids: list[str], position: int) -> list[Row]:
    """The costs (entry_id, amount_cents, category, document_ref) of the month's pools of
    these resources, as they stood at `position`."""
    return _dicts(conn, "pool_costs_at", {"month": month, "resources": resource_ids, "p": position})


def resource_details(conn: duckdb.DuckDBPyConnection, resource_ids: list[str]) -> dict[str, Row]:
    """name, kind, unit and capacity of these resources, by id."""
    return {row["resource_id"]: row for row in _dicts(conn, "resource_details", [resource_ids])}


def keys_of_resources(conn: duckdb.DuckDBPyConnection, resource_ids: list[str]) -> list[Row]:
    """Every allocation key version of these resources (key_version, applies_from, method, key as JSON text)."""
    return _dicts(conn, "keys_of_resources", [resource_ids])


def bookable_resources(conn: duckdb.DuckDBPyConnection, day: date) -> list[Row]:
    """The resources booked by the hour and not retired by `day`, by name."""
    return _dicts(conn, "bookable_resources", [day])


def resource_bookings(conn: duckdb.DuckDBPyConnection, resource_id: str, start: datetime,
                      end: datetime) -> list[Row]:
    """The open bookings (entry_id, partner_id, starts_at, ends_at) of a resource overlapping [start, end)."""
    return _dicts(conn, "resource_bookings", [resource_id, end, start])


def partner_dispute_list(conn: duckdb.DuckDBPyConnection, partner_id: str) -> list[Row]:
    """A partner's disputes (every column of `disputes` but corrected_entries), latest
    first, with opened_at and resolved_at."""
    return _dicts(conn, "partner_dispute_list", [partner_id])


def dispute_timeline(conn: duckdb.DuckDBPyConnection, dispute_id: str) -> list[tuple]:
    """(position, event_type, actor, recorded_at, payload as JSON text) of a dispute's events."""
    return conn.execute(_sql("dispute_timeline"), [dispute_id]).fetchall()



def open_dispute_comments(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """(dispute_id, recorded_at, comment) of the comments on the open disputes, oldest first."""
    return _dicts(conn, "open_dispute_comments", [])



# The auditor's and the analyst's pages (api/pages/audit*.py, analysis.py) ------------------

def resource_choices(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every registered resource's current name by id, in order of name."""
    return dict(conn.execute(_sql("resource_choices")).fetchall())


def event_actors(conn: duckdb.DuckDBPyConnection, upto: int) -> list[str]:
    """Everyone who recorded an event up to `upto`, in order."""
    return [actor for actor, in conn.execute(_sql("event_actors"), {"upto": upto}).fetchall()]


def person_names(conn: duckdb.DuckDBPyConnection, person_ids: list[str]) -> dict[str, str]:
    """The name each of these persons (aggregate ids, as text) was last invited under."""
    if not person_ids:
        return {}
    rows = conn.execute(_sql("person_names"), {"ids": person_ids}).fetchall()
    return {str(person_id): name for person_id, name in rows}


def events_at(conn: duckdb.DuckDBPyConnection, positions: list[int]) -> list[tuple]:
    """(position, recorded_at, event_type, aggregate_id, aggregate_version, actor, payload as
    JSON text) of the events at these positions, in log order."""
    if not positions:
        return []
    return conn.execute(_sql("events_at"), {"positions": sorted(set(positions))}).fetchall()


def closed_months_changes(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """Each closed month, latest first, with its seal's positions and what moved after it:
    adjustment_lines, adjustment_cents, credits, credit_cents."""
    return _dicts(conn, "closed_months_changes", {})


def month_seal(conn: duckdb.DuckDBPyConnection, month: str) -> Row | None:
    """The month's seal (every column of `periods`), None if it is not closed."""
    rows = _dicts(conn, "month_seal", {"month": month})
    return rows[0] if rows else None


def adjustments_from(conn: duckdb.DuckDBPyConnection, month: str) -> list[Row]:
    """The adjustment lines booked from `month` into later months, as they stand."""
    return _dicts(conn, "adjustments_from", {"month": month})


def late_credits(conn: duckdb.DuckDBPyConnection, month: str, position: int) -> list[Row]:
    """The credits granted after `position` on disputes of the month's lines, each with the
    positions of its dispute's events (`dispute_events`)."""
    return _dicts(conn, "late_credits", {"month": month, "p": position})


def cost_basis_of_month(conn: duckdb.DuckDBPyConnection, month: str, at: int) -> str | None:
    """'ht' or 'ttc': what the month's costs are, as set by `at`; None if never set."""
    row = conn.execute(_sql("cost_basis_of_month"), {"month": month, "at": at}).fetchone()
    return row[0] if row else None


def hour_sheets_of_month(conn: duckdb.DuckDBPyConnection, month: str, at: int) -> list[Row]:
    """Every (employee, member) with staff hours in the month at position `at`, or a sheet
    then: `hours` and `entries_sha256` of its open entries at `at`, the sheet's `status` at
    `at` ('submitted', 'countersigned', 'contested', or 'not_submitted'), its version,
    submitted hours and digest, who signed and why it was contested, and `stale` when its
    entries changed since the submission. With `at` the tracked position: as things stand."""
    return _dicts(conn, "hour_sheets_of_month", {"month": month, "at": at})
