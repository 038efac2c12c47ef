"""`verify`: prove from the log alone that nothing was rewritten.

It reads every stored event and checks its checksum (naming the exact event whose bytes
changed), rebuilds every projection into a scratch file (recomputing the hash chain),
then for every closed month compares the chain hash at its seal and the digest of its
statements as of its seal with what the PeriodClosed event recorded. The first mismatch,
in log order, is reported with its position, event and month.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.persistence import ApplicationRecorder

from event_store.mapper import ChecksumMismatch
from projections import closing
from projections.rebuild import rebuild
from projections.recorder import connect


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

    @property
    def ok(self) -> bool:
        return self.mismatch is None

    def __str__(self) -> str:
        if self.mismatch is None:
            return f"{self.events} events, {self.closed_months} closed months verified"
        return f"verification FAILED at {self.mismatch}"


def verify(recorder: ApplicationRecorder, *, page_size: int = 50_000, progress: bool = False) -> Verification:
    with tempfile.TemporaryDirectory(prefix="encommun-verify-") as scratch:
        db = Path(scratch) / "verify.duckdb"
        try:
            # The rebuild checks each stored event's checksum as it reads it.
            events = rebuild(recorder, db, page_size=page_size, progress=progress, check_checksums=True)
        except ChecksumMismatch as error:
            return Verification(0, 0, Mismatch(
                error.position, (error.topic or "").rsplit(":", 1)[-1], None,
                "its stored bytes do not match their checksum: the event was altered"))
        except Exception as error:  # an event altered along with its checksum may not parse
            raise RuntimeError(f"the log cannot be replayed: {error}") from error
        conn = connect(db)
        try:
            seals = conn.execute(
                "SELECT p.month, p.as_of_position, p.statements_sha256, p.chain_hash, p.position "
                "FROM periods p ORDER BY p.month"
            ).fetchall()
            mismatches: list[Mismatch] = []
            for month, as_of, digest, chain_hash, position in seals:
                if closing.chain_hash_at(conn, as_of) != chain_hash and as_of > 0:
                    mismatches.append(Mismatch(
                        as_of, "chain", month,
                        f"the hash chain at position {as_of} differs from the one sealed when "
                        f"{month} was closed (at position {position}): an event at or before it "
                        "was altered, removed or reordered"))
                    break
                if closing.statements_digest(conn, month, as_of) != digest:
                    mismatches.append(Mismatch(
                        position, "PeriodClosed", month,
                        f"the statements of {month} as of position {as_of} differ from those sealed"))
                    break
        finally:
            conn.close()
    mismatch = min(mismatches, key=lambda m: m.position) if mismatches else None
    return Verification(events, len(seals), mismatch)
