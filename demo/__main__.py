"""Load the demo territory Haut-Val into a fresh SQLite store.

    python -m demo --store var/demo.sqlite --months 12 [--scale K] [--seed S] [--force]

Every refused command must be refused by the rule the generator expects; an unexpected
refusal, a missing one, or entry ids other than predicted is a bug: exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from demo.run import load_demo
from domain.periods import check_month


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demo", description="Load the demo territory Haut-Val into a SQLite store."
    )
    parser.add_argument("--store", type=Path, required=True, help="SQLite file to create")
    parser.add_argument("--months", type=_positive, default=12, help="months to generate (12)")
    parser.add_argument("--scale", type=_positive, default=1, help="independent copies (1)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    parser.add_argument("--start", type=_month, default="2026-01", help="first month (2026-01)")
    parser.add_argument("--force", action="store_true", help="delete the store first if it exists")
    parser.add_argument("--batch", type=_positive, default=1,
                        help="join steps into transactions of about N commands (1: as generated)")
    parser.add_argument("--close", action="store_true",
                        help="then close every month but the last two, and record a late credit "
                             "note and two disputes (builds the projections beside the store)")
    parser.add_argument("--projections", type=Path,
                        help="DuckDB file for --close (default: the store's name with .duckdb)")
    return parser.parse_args(argv)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _month(text: str) -> str:
    try:
        return check_month(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: Sequence[str] | None = None) -> int:
    return load_demo(**vars(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
