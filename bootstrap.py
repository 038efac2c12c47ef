"""The composition root: builds the ledger from settings, and gives it the read side's
answers once projections follow it. Nothing is built at import."""

from __future__ import annotations

from application.ledger import Ledger
from domain.local_authority_cap import LocalAuthorityCap
from domain.timesheets import WorkingTimeLimits
from event_store.store import EventStore
from projections.follower import Follower
from projections.lookups import ProjectedStatementLines
from settings import Settings


def bootstrap(settings: Settings | None = None) -> Ledger:
    """The ledger on the configured event store, for writing: with no read side yet, the
    preconditions that need one are checked once `follow` gives it."""
    settings = settings or Settings()
    if settings.store == "sqlite":
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    limits = WorkingTimeLimits(**settings.working_time_limits())
    cap = LocalAuthorityCap(settings.local_authority_share, settings.local_authority_cap_refuses)
    return Ledger(EventStore(settings.eventsourcing_env()), limits, cap=cap)


def follow(ledger: Ledger, follower: Follower) -> Follower:
    """The projections `follower` keeps (of this ledger's log) now answer its preconditions."""
    ledger.lines = ProjectedStatementLines(follower, ledger.recorder)
    return follower
