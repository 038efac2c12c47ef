"""Money is an integer number of euro cents; this module only formats and bounds it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# A single cost above 100 million euros is a typing error, not a pooled expense.
MAX_AMOUNT_CENTS = 10_000_000_000

Cents = Annotated[int, Field(gt=0, le=MAX_AMOUNT_CENTS, strict=True)]


def format_eur(cents: int) -> str:
    """French rendering: 123456 -> '1 234,56 €' (narrow no-break space between thousands)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d}\u00a0€"
