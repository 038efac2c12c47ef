"""Benchmarks (`make bench-write` runs `python -m bench.write`)."""
