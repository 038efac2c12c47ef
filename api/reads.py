"""What every query route shares: who may read, `as_of`, read-your-writes, one snapshot.

A read runs in one DuckDB transaction on a cursor of its own, so the tracked position it
reports and the rows it returns come from the same committed page. `after=<position>`
(the position a write returned) waits, boundedly, until the projections include it;
`as_of=<position or time>` answers as the projections stood just after that position.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Annotated, Any, Iterator

import duckdb
from fastapi import HTTPException, Query

from api.services import Services
from domain.allocation import LINE_KIND_ORDER
from domain.errors import InvalidCommand, NotFound
from domain.periods import check_utc
from projections.as_of import position_at, statement_as_of, trace_as_of
from projections import read_model
from projections.closing import month_lines
from projections.runner import APPLICATION

# Log positions are 64-bit integers in every store; a larger one is a typing error.
MAX_POSITION = 2**62

AsOf = Annotated[
    str | None,
    Query(max_length=64,
          description="Answer as the projections stood just after this log position (an integer) "
                      "or at this time (ISO 8601 with a timezone). Omitted: as things stand now.",
          examples=["4812", "2026-04-05T00:00:00+02:00"]),
]
After = Annotated[
    int | None,
    Query(ge=0, le=MAX_POSITION,
          description="A position a write returned: answer only once the projections include it "
                      "(503 with Retry-After if they do not in time, at once if they are stalled "
                      "on an event before it: see GET /ready).",
          examples=[4812]),
]

_POSITION = re.compile(r"^\d{1,18}$")


def parse_as_of(value: str | None) -> int | datetime | None:
    """An integer log position, or an aware time; anything else is a 422 naming `as_of`."""
    if value is None:
        return None
    value = value.strip()
    if _POSITION.match(value):
        return int(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidCommand(
            f"as_of must be a log position (e.g. 4812) or an ISO 8601 time with a timezone "
            f"(e.g. 2026-04-05T00:00:00+02:00), got {value!r}", field="as_of") from None
    try:
        return check_utc(moment)
    except ValueError as error:
        raise InvalidCommand(f"as_of: {error}", field="as_of") from None


def wait_for(services: Services, position: int | None) -> None:
    """Read-your-writes: block until the projections include `position`, or answer 503 —
    at once, naming the event, if they are stalled before it (ProjectionStalled, a problem
    document of api/problems.py)."""
    if position is None:
        return
    end = log_end(services)
    if position > end:
        # No write ever returned this position: waiting for it would only hold a worker.
        raise InvalidCommand(f"after position {position} is in the future: the log ends at {end}",
                             field="after")
    if not services.follower.wait_for(position, services.settings.read_wait_s):
        raise HTTPException(
            503,
            f"the projections have not reached position {position} yet (they are at "
            f"{services.follower.position}); retry shortly",
            headers={"Retry-After": "1"},
        )


def log_end(services: Services) -> int:
    return services.ledger.recorder.max_notification_id() or 0


@dataclass(frozen=True)
class Reading:
    """One read: its cursor, and the log position its figures reflect."""

    conn: duckdb.DuckDBPyConnection
    position: int
    as_of: bool


@contextmanager
def reading(services: Services, *, after: int | None = None, as_of: str | None = None) -> Iterator[Reading]:
    """A snapshot of the projections, once they include `after` (and `as_of`)."""
    wait_for(services, after)
    wanted = parse_as_of(as_of)
    if isinstance(wanted, int):
        end = log_end(services)
        if wanted > end:
            raise InvalidCommand(f"as_of position {wanted} is in the future: the log ends at {end}",
                                 field="as_of")
        wait_for(services, wanted)
    elif isinstance(wanted, datetime):
        now = datetime.now(timezone.utc)
        if wanted > now:
            raise InvalidCommand(
                f"as_of time {wanted.isoformat()} is in the future (now is {now.isoformat(timespec='seconds')})",
                field="as_of")
        # Everything recorded by that time is in the log now: let the projections hold it.
        wait_for(services, log_end(services))
    conn = services.follower.cursor()
    try:
        conn.begin()
        tracked = read_model.tracked_position(conn, APPLICATION)
        if wanted is None:
            position = tracked
        elif isinstance(wanted, int):
            position = wanted
        else:
            position = position_at(conn, wanted)
        yield Reading(conn, position, as_of=wanted is not None)
    finally:
        try:
            conn.rollback()
        except duckdb.Error:
            pass
        conn.close()


def known_partner_name(read: Reading, partner_id: str) -> str:
    """The partner's name; 404 if no such partner was ever registered."""
    name = read_model.partner_name(read.conn, partner_id)
    if name is None:
        raise NotFound(f"no partner '{partner_id}'", field="partner_id")
    return name


def known_resource_name(read: Reading, resource_id: str) -> str:
    """The resource's current name; 404 if no such resource was ever registered."""
    name = read_model.resource_name(read.conn, resource_id)
    if name is None:
        raise NotFound(f"no resource '{resource_id}'", field="resource_id")
    return name


def resource_names(read: Reading, resource_ids: set[str]) -> dict[str, str]:
    """Names of resources as they stood at the reading's position (as registered, otherwise)."""
    if not resource_ids:
        return {}
    names = (read_model.resource_names_at(read.conn, read.position, sorted(resource_ids)) if read.as_of
             else read_model.resource_names(read.conn, sorted(resource_ids)))
    missing = resource_ids - names.keys()
    if missing:  # a pool can only exist for a registered resource; be safe all the same
        names |= read_model.resource_names(read.conn, sorted(missing))
    return names


def line_order(line: dict[str, Any]) -> tuple:
    """The order `cost_shares` lines are computed in: by pool, part, kind, then partner."""
    part = line["part"]
    return (line["month"], line["resource_id"], -1 if part is None else part,
            LINE_KIND_ORDER.get(line["line_kind"], 9), line["partner_id"] or "")


def partner_statement_lines(read: Reading, partner_id: str, month: str) -> tuple[list[dict[str, Any]], dict | None]:
    """The partner's lines (shares, adjustments, credits), and the month's seal if it was
    closed by the position read: a closed month is served as issued."""
    seals = read_model.partner_seals(read.conn, partner_id, month, read.position)
    seal = seals[0] if seals else None
    at = seal["as_of_position"] if seal else read.position
    if seal is None and not read.as_of:
        lines = read_model.partner_lines(read.conn, partner_id, month)
    else:
        shares_at = statement_as_of(read.conn, partner_id, month, at)
        lines = [line for line in month_lines(read.conn, month, at, shares_at) if line["partner_id"] == partner_id]
    status = {(d["resource_id"], d["line_kind"], d["part"]): d["status"]
              for d in read_model.partner_dispute_statuses(read.conn, partner_id, month, read.position)}
    for line in lines:
        line["dispute_status"] = status.get((line["resource_id"], line["line_kind"], line["part"]))
    lines.sort(key=lambda line: (*line_order(line), line.get("origin_month") or "", line.get("dispute_id") or ""))
    return lines, seal


def line_trace_rows(read: Reading, partner_id: str, month: str, resource_id: str, part: int | None,
                    statement: list[dict[str, Any]] | None = None) -> tuple[list[dict[str, Any]], list[tuple]]:
    """A partner's charge lines of a pool (one part, or all) and the events behind them, in
    log order: (source, entry_id, position, event_type, actor, recorded_at, payload as JSON
    text). NotFound if the partner's statement has no such line (adjustments and credits
    trace elsewhere). As of a position, the events recorded by then. `statement`: the
    partner's lines of the month, if the caller has read them already."""
    if statement is None:
        statement = partner_statement_lines(read, partner_id, month)[0]
    lines = [line for line in statement
             if line["resource_id"] == resource_id and (part is None or line["part"] == part)
             and line["basis_kind"] is not None]
    if not lines:
        which = f" (part {part})" if part is not None else ""
        raise NotFound(f"partner '{partner_id}' has no line for resource '{resource_id}'{which} "
                       f"in {month}" + (f" as of position {read.position}" if read.as_of else ""),
                       field="resource_id")
    if read.as_of:
        rows: set[tuple] = set()
        for line in lines:
            rows.update(trace_as_of(read.conn, partner_id=partner_id, month=month, resource_id=resource_id,
                                    line_kind=line["line_kind"], part=line["part"],
                                    basis_kind=line["basis_kind"], key_version=line["key_version"],
                                    position=read.position))
    else:
        rows = set(read_model.line_trace(read.conn, month=month, resource_id=resource_id,
                                         partner_id=partner_id, part=part))
    return lines, sorted(rows, key=lambda row: (row[2], row[0], row[1] or ""))
