"""The read side's answers to the application's preconditions (application/preconditions.py)."""

from __future__ import annotations

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
