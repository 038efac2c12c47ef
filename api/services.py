"""What a running API holds: the ledger, the projections that follow it, the settings."""

from __future__ import annotations

from dataclasses import dataclass

from bootstrap import bootstrap, follow
from application.ledger import Ledger
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from projections.snapshot import SnapshotPublisher
from settings import Settings


@dataclass
class Services:
    settings: Settings
    ledger: Ledger
    follower: Follower
    snapshots: SnapshotPublisher  # the analysts' read-only copy of the projections

    @classmethod
    def start(cls, settings: Settings) -> Services:
        ledger = bootstrap(settings)
        settings.projection_path.parent.mkdir(parents=True, exist_ok=True)
        view = DuckDBTrackingRecorder(settings.projection_path)
        follower = follow(ledger, Follower(ledger.recorder, view))
        follower.start()  # catches up first: nothing older than the log at start is served
        snapshots = SnapshotPublisher.from_settings(follower, settings)
        snapshots.start()
        return cls(settings, ledger, follower, snapshots)

    def stop(self) -> None:
        self.snapshots.stop()
        self.follower.stop()
        self.follower.view.close()
        self.ledger.close()
