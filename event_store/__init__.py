"""The write side's adapter: the eventsourcing application and its persistence."""
