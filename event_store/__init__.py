"""Persistence only: the event store (the eventsourcing application), its pydantic mapper
and the positions of stored events. What to record is decided in application/."""
