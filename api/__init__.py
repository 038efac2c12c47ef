"""HTTP API and command line (next issues)."""
