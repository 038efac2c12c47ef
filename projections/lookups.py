"""Small reads of the projections by key: the answers to the application's preconditions
(application/preconditions.py), and the seals of closed months for the command line."""

from __future__ import annotations

import duckdb

from eventsourcing.persistence import ApplicationRecorder

from projections.follower import Follower
from projections.queries import named


class ProjectedStatementLines:
    """`StatementLines` answered from the projections, brought to the end of the log first."""

    def __init__(self, follower: Follower, recorder: ApplicationRecorder) -> None:
        self._follower = follower
        self._recorder = recorder

    def has_line(self, partner_id: str, month: str, resource_id: str, line_kind: str,
                 part: int | None) -> bool:
        # The line may come from a write just made (ProjectionStalled if the log cannot be
        # folded that far).
        if self._follower.position < (self._recorder.max_notification_id() or 0):
            self._follower.catch_up()
        conn = self._follower.cursor()
        try:
            (count,), = conn.execute(named("lookups.sql")["statement_line_count"],
                                     [partner_id, month, resource_id, line_kind, part]).fetchall()
        finally:
            conn.close()
        return count > 0


def period_seal(conn: duckdb.DuckDBPyConnection, month: str) -> tuple[str, str, int] | None:
    """(statements SHA-256, chain hash, as-of position) of a closed month; None if open."""
    return conn.execute(named("lookups.sql")["period_seal"], [month]).fetchone()


def closed_periods(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(month, as of, closed at, statements SHA-256, chain hash, actor) of each closed month."""
    return conn.execute(named("lookups.sql")["closed_periods"]).fetchall()
