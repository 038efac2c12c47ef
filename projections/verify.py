"""`verify`: prove from the log, and from anchors noted outside it, that nothing was rewritten.

It reads every stored event and checks each row against itself (projections/row_checks.py:
checksum, payload against row, versions, positions, topic), naming the first row that
fails. It rebuilds every projection into a scratch file, recomputing the hash chain, and
checks it at every checkpoint: each closed month's seal (the chain hash recorded by its
PeriodClosed event) and each anchor the auditor gives (`POSITION:HASH`, noted earlier from
`encommun anchor`, `GET /audit/anchor` or a statement's seal). The first checkpoint that
fails, and the last one before it that holds, bound where the chain departs; where that
leaves one event, or (SQLite) a missing row, it is named. Last, each closed month's
statements as of its seal are compared with the digest it recorded.

What this proves, and what it cannot:
- A checksum is no secret: an edit with its checksum recomputed passes the row checks.
  The chain catches it up to the last checkpoint that holds.
- Seals are stored in the log they seal: someone who rewrites events before a seal can
  rewrite the seal too. Only an anchor held outside the store proves against that.
- After the last checkpoint nothing is proved: an edit there (checksum recomputed), an
  event appended, or events removed from the end. `Verification.unproved` says so.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import duckdb
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from projections import chain, closing
from projections.queries import named
from projections.rebuild import rebuild
from projections.recorder import connect
from projections.row_checks import RowMismatch, event_name

_ANCHOR = re.compile(r"^(\d{1,18}):([0-9a-f]{64})$")


@dataclass(frozen=True)
class Anchor:
    """A head of the hash chain noted at some time: the event at `position` had `chain_hash`."""

    position: int
    chain_hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        found = _ANCHOR.match(text.strip().lower())
        if found is None:
            raise ValueError(f"an anchor is POSITION:HASH (a position and 64 hex digits), not {text!r}")
        return cls(int(found[1]), found[2])

    def __str__(self) -> str:
        return f"{self.position}:{self.chain_hash}"


@dataclass(frozen=True)
class Checkpoint:
    position: int
    chain_hash: str
    source: str
    month: str | None = None  # the month whose seal it is; None for an anchor given
    closed_at: int | None = None  # the position of that month's PeriodClosed

    @property
    def anchored(self) -> bool:
        return self.month is None


@dataclass(frozen=True)
class Mismatch:
    position: int
    event: str
    month: str | None
    problem: str

    def __str__(self) -> str:
        where = f" (month {self.month})" if self.month else ""
        return f"position {self.position}, {self.event}{where}: {self.problem}"


@dataclass(frozen=True)
class Verification:
    events: int
    closed_months: int
    mismatch: Mismatch | None
    last_position: int = 0
    proved: Checkpoint | None = None  # the furthest checkpoint that holds, all before it holding
    unproved_events: int = 0  # events after it
    anchors: int = 0
    anchored_upto: int = 0  # the furthest anchor given that holds

    @property
    def ok(self) -> bool:
        return self.mismatch is None

    def __str__(self) -> str:
        if self.mismatch is None:
            return f"{self.events} events, {self.closed_months} closed months verified"
        return f"verification FAILED at {self.mismatch}"

    @property
    def unproved(self) -> list[str]:
        """What this verification could not prove, in sentences."""
        lines: list[str] = []
        if self.proved is None:
            lines.append(f"not proved: all {self.events} events (no closed month and no anchor): an edit "
                         "with its checksum recomputed cannot be detected without an anchor "
                         "(`encommun anchor`, later `encommun verify --anchor POSITION:HASH`)")
        elif self.unproved_events:
            events = "1 event" if self.unproved_events == 1 else f"{self.unproved_events} events"
            lines.append(f"not proved: the {events} after position {self.proved.position} "
                         f"({self.proved.source}), up to position {self.last_position}: an edit there with its "
                         "checksum recomputed, an event appended, or events removed from the end cannot be "
                         "detected without an anchor noted after them (`encommun anchor`, later "
                         "`encommun verify --anchor POSITION:HASH`)")
        if self.proved is not None and self.anchored_upto < self.proved.position:
            lines.append(f"positions {self.anchored_upto + 1}–{self.proved.position} are covered by seals only, "
                         "which are stored in the log they seal: events rewritten together with the seals after "
                         "them are detected only against an anchor kept outside the store (a statement's seal, "
                         "or `encommun anchor`)")
        return lines


def verify(recorder: ApplicationRecorder, *, anchors: Sequence[Anchor] = (), page_size: int = 50_000,
           progress: bool = False) -> Verification:
    with tempfile.TemporaryDirectory(prefix="encommun-verify-") as scratch:
        db = Path(scratch) / "verify.duckdb"
        try:
            # The rebuild checks each stored row against itself as it reads it.
            events = rebuild(recorder, db, page_size=page_size, progress=progress, check_checksums=True)
        except RowMismatch as error:
            return Verification(0, 0, Mismatch(error.position, event_name(error.topic), None, error.problem),
                                anchors=len(anchors))
        except Exception as error:  # an event altered along with its checksum may not parse
            raise RuntimeError(f"the log cannot be replayed: {error}") from error
        conn = connect(db)
        try:
            return _check_seals_and_anchors(conn, events, anchors, numbered=_numbers_rows(recorder))
        finally:
            conn.close()


def _numbers_rows(recorder: ApplicationRecorder) -> bool:
    """Whether the store numbers its rows 1, 2, 3… (SQLite): PostgreSQL's ids may have gaps."""
    return isinstance(recorder, SQLiteApplicationRecorder)


def _q(conn: duckdb.DuckDBPyConnection, name: str, **params: object) -> list[tuple]:
    return conn.execute(named("verify.sql")[name], params).fetchall()


def _check_seals_and_anchors(conn: duckdb.DuckDBPyConnection, events: int, anchors: Sequence[Anchor], *,
                             numbered: bool) -> Verification:
    seals = _q(conn, "seals")
    (last,), = _q(conn, "log_end")
    checkpoints = sorted(
        [Checkpoint(as_of, chain_hash, f"the seal of {month}", month, position)
         for month, as_of, _, chain_hash, position in seals if as_of > 0]
        + [Checkpoint(a.position, a.chain_hash, f"the anchor {a.position}:{a.chain_hash[:12]}…")
           for a in anchors],
        key=lambda c: (c.position, c.anchored))
    holding: Checkpoint | None = None
    mismatch: Mismatch | None = None
    anchored_upto = 0
    for checkpoint in checkpoints:
        if _holds(conn, checkpoint):
            holding = checkpoint
            anchored_upto = checkpoint.position if checkpoint.anchored else anchored_upto
            continue
        mismatch = _departure(conn, holding, checkpoint, last, numbered=numbered)
        break
    if mismatch is None:
        for month, as_of, digest, _, position in seals:
            if closing.statements_digest(conn, month, as_of) != digest:
                mismatch = Mismatch(position, "PeriodClosed", month,
                                    f"the statements of {month} as of position {as_of} differ from those sealed")
                break
    if mismatch is None and numbered:
        mismatch = _removed_rows(conn, 0, last)
    after = _q(conn, "count_after", p=holding.position)[0][0] if holding else events
    return Verification(events, len(seals), mismatch, last, holding, after, len(anchors), anchored_upto)


def _holds(conn: duckdb.DuckDBPyConnection, checkpoint: Checkpoint) -> bool:
    if checkpoint.position == 0:
        return checkpoint.chain_hash == chain.GENESIS
    found = _q(conn, "chain_hash_at", p=checkpoint.position)
    return bool(found) and found[0][0] == checkpoint.chain_hash


def _departure(conn: duckdb.DuckDBPyConnection, holding: Checkpoint | None, failing: Checkpoint, last: int,
               *, numbered: bool) -> Mismatch:
    """Where the chain departs: after the last checkpoint that holds, at or before the first
    that fails; named when that is one event or a missing row."""
    lo, hi = (holding.position if holding else 0), failing.position
    if failing.anchored:
        differs = f"the hash chain at position {hi} differs from {failing.source}"
    else:
        differs = (f"the hash chain at position {hi} differs from the one sealed when {failing.month} was "
                   f"closed (at position {failing.closed_at})")
    bound = (f"{holding.source} still holds at position {lo}" if holding
             else "no checkpoint before it holds")
    if hi > last:
        differs += f"; there is no event at position {hi} any more (the log ends at position {last})"
    removed = _removed_rows(conn, lo, hi) if numbered else None
    if removed is not None:
        return Mismatch(removed.position, removed.event, failing.month, f"{differs}: {removed.problem}")
    rows = _q(conn, "events_between", lo=lo, hi=hi)
    if len(rows) == 1 and hi <= last:
        position, event_type, _ = rows[0]
        return Mismatch(position, event_type, failing.month,
                        f"{differs}, and {bound}: this event, the only one between them, was altered (its "
                        "checksum recomputed), inserted or moved")
    count = rows[0][2] if rows else 0
    return Mismatch(rows[0][0] if rows else hi, "chain", failing.month,
                    f"{differs}, and {bound}: one of the {count} events in positions {lo + 1}–{hi} was "
                    "altered (its checksum recomputed), inserted, removed or reordered; the chain cannot "
                    "tell which (an anchor noted in between would narrow it)")


def _removed_rows(conn: duckdb.DuckDBPyConnection, lo: int, hi: int) -> Mismatch | None:
    gap = _q(conn, "first_gap", lo=lo, hi=hi)
    if not gap:
        return None
    first, final = gap[0]
    which = f"position {first} is" if first == final else f"positions {first}–{final} are"
    return Mismatch(first, "removed", None,
                    f"{which} missing from the SQLite log, which numbers its rows without gaps: "
                    "the event there was removed")


def head(recorder: ApplicationRecorder, *, page_size: int = 50_000) -> Anchor:
    """The anchor of the log as it is now: its last position and chain hash, read from the
    store itself (not from projections)."""
    position, chained = 0, chain.GENESIS
    while True:
        notifications = recorder.select_notifications(start=position, limit=page_size, inclusive_of_start=False)
        if not notifications:
            return Anchor(position, chained)
        chained = chain.chain(chained, ((n.id, n.originator_id, n.originator_version, n.topic, n.state)
                                        for n in notifications))[-1]
        position = notifications[-1].id


def anchor_at(conn: duckdb.DuckDBPyConnection, upto: int) -> Anchor:
    """The anchor of the projections at a position they reached (the API's `GET /audit/anchor`)."""
    rows = _q(conn, "head", upto=upto)
    return Anchor(*rows[0]) if rows else Anchor(0, chain.GENESIS)
