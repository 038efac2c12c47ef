"""The arithmetic of a GE's invoices and credit notes, in integer cents, and how their
numbers are printed.

Rounding, stated once (docs/schema.md and every printed invoice say the same):

- a line's amount HT is its hours × its unit price HT, rounded to the cent, half up
  (2,25 h × 22,44 € = 50,49 €);
- the VAT is computed once, on the invoice's total HT — total HT × rate, rounded to the
  cent, half up — not line by line (CGI art. 242 nonies A, 14°: "par taux d'imposition, le
  total hors taxe et la taxe correspondante");
- the total TTC is total HT + VAT, exactly;
- a credit note's VAT is its HT × the corrected invoice's rate, half up, but never more than
  the VAT left on that invoice; the credit note of all that is left takes all the VAT left,
  so that an invoice wholly credited nets to zero to the cent.

Numbers: one continuous sequence for the GE's whole life, invoices and credit notes alike,
printed `FA-000123`. CGI annexe II art. 242 nonies A, 7°, asks for "un numéro unique basé
sur une séquence chronologique et continue"; a sequence reset each year is admitted only
with the year in the number, and one that never resets needs no such care: no two
documents can share a number, and a gap is visible at a glance.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PREFIX = "FA-"
# Six digits: a GE issuing 100 invoices a month takes 800 years to need a seventh, and the
# printed number then simply grows.
DIGITS = 6


def reference(number: int) -> str:
    """The printed number of the n-th document of the sequence: 123 -> 'FA-000123'."""
    return f"{PREFIX}{number:0{DIGITS}d}"


def parse_reference(text: str) -> int | None:
    """'FA-000123' -> 123; None if it is not a reference of this sequence."""
    if not text.startswith(PREFIX) or not text[len(PREFIX):].isdigit() or len(text) < len(PREFIX) + DIGITS:
        return None
    number = int(text[len(PREFIX):])
    return number if number >= 1 and reference(number) == text else None


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def line_amount_cents(hours: Decimal, rate_cents: int) -> int:
    """Hours × unit price HT, to the cent, half up."""
    return half_up(Decimal(hours) * rate_cents)


def vat_cents(total_ht_cents: int, vat_rate_bp: int | None) -> int:
    """The VAT on a total HT at a rate in basis points (2000 = 20 %), half up; 0 when the
    GE is exempt (no rate)."""
    if vat_rate_bp is None:
        return 0
    return half_up(Decimal(total_ht_cents) * vat_rate_bp / 10_000)


def credit_vat_cents(credit_ht_cents: int, vat_rate_bp: int | None, *, ht_left: int, vat_left: int) -> int:
    """The VAT of a credit note of `credit_ht_cents` on an invoice with `ht_left` and
    `vat_left` still to credit: all the VAT left for all the HT left, else HT × rate half up
    within the VAT left."""
    if credit_ht_cents == ht_left:
        return vat_left
    return min(vat_cents(credit_ht_cents, vat_rate_bp), vat_left)
