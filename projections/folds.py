"""Which event types each statement of apply_page.sql folds: the registry that ties every
event of the catalogue (domain/catalogue.py) to the projections.

A fold statement says which event types it takes on the line after its name (see the head
of projections/sql/apply_page.sql): `-- folds page: A, B`, `-- continues: <name>` or
`-- folds each: A, B`. The runner takes its statements, and their order, from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from projections.queries import named

SQL = "apply_page.sql"
_MARKER = re.compile(r"^-- (folds page|folds each|continues): *(.*)$", re.MULTILINE)

# Event types no statement folds (each is still a row of `events`), and why.
NOT_PROJECTED: dict[str, str] = {
    "CommandReceived": "an idempotency receipt: the ledger reads it, the read side has no table for it",
    "TokenIssued": "access tokens are read by the API from the event store, never from the projections",
    "TokenRevoked": "access tokens are read by the API from the event store, never from the projections",
    **{name: "people and their sessions are read by the pages from the event store, never from the projections"
       for name in ("PersonInvited", "InvitationAccepted", "PersonRevoked", "SessionOpened", "SessionClosed")},
}


@dataclass(frozen=True)
class Fold:
    statement: str
    kind: str                 # "folds page", "continues" or "folds each"
    event_types: tuple[str, ...]  # for "continues": the statement it continues


@cache
def folds() -> tuple[Fold, ...]:
    """The marked statements of apply_page.sql, in the file's order."""
    found = []
    for statement, sql in named(SQL).items():
        match = _MARKER.search(sql.split("\n", 1)[0])
        if match:
            names = tuple(name.strip() for name in match[2].split(",") if name.strip())
            found.append(Fold(statement, match[1], names))
    return tuple(found)


@cache
def page_steps() -> tuple[str, ...]:
    """The statements run once per page, in order, for a page holding every event type."""
    return page_steps_for(frozenset(folded()))


@cache
def page_steps_for(event_types: frozenset[str]) -> tuple[str, ...]:
    """The statements run once per page for a page holding these event types: a `folds page`
    statement filters on the types it declares (tests/unit/test_catalogue.py checks it), so
    one whose types are all absent from the page, and what continues it, would fold nothing."""
    steps: list[str] = []
    for f in folds():
        if (f.kind == "folds page" and event_types.intersection(f.event_types)) or (
                f.kind == "continues" and f.event_types[0] in steps):
            steps.append(f.statement)
    return tuple(steps)


@cache
def each_steps() -> dict[str, tuple[str, ...]]:
    """Event type -> the statements run, in order, for each event of that type."""
    steps: dict[str, tuple[str, ...]] = {}
    for f in folds():
        if f.kind == "folds each":
            for event_type in f.event_types:
                steps[event_type] = (*steps.get(event_type, ()), f.statement)
    return steps


def folded() -> dict[str, tuple[str, ...]]:
    """Event type -> every statement that folds it."""
    found: dict[str, tuple[str, ...]] = {}
    for f in folds():
        if f.kind != "continues":
            for event_type in f.event_types:
                found[event_type] = (*found.get(event_type, ()), f.statement)
    return found
