"""Read models in DuckDB, rebuilt from the event log (next issue)."""
