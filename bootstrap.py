"""The composition root: builds the ledger from settings. Nothing is built at import."""

from __future__ import annotations

from settings import Settings
from domain.timesheets import WorkingTimeLimits
from event_store.ledger import Ledger


def bootstrap(settings: Settings | None = None) -> Ledger:
    settings = settings or Settings()
    if settings.store == "sqlite":
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    limits = WorkingTimeLimits(settings.max_day_hours, settings.max_week_hours)
    return Ledger(settings.eventsourcing_env(), limits)
