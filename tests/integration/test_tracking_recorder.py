"""The DuckDB projection database honours the library's TrackingRecorder contract."""

from __future__ import annotations

from eventsourcing.tests.persistence import TrackingRecorderTestCase

from projections.recorder import DuckDBTrackingRecorder


class TestDuckDBTrackingRecorder(TrackingRecorderTestCase):
    def create_recorder(self) -> DuckDBTrackingRecorder:
        return DuckDBTrackingRecorder(":memory:")
