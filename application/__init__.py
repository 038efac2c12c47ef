"""The use cases: commands decided by their handlers in one unit of work, retried against
concurrent writers, made idempotent by receipts, checked against their preconditions and
the permission policy. Every entry point (api/, cli/, demo/) goes through here."""
