"""What the pages say of an invoice's payment (api/pages/payment_status.py), from its row of
the invoices left to pay: each wording, the late ones marked late."""

from __future__ import annotations

from datetime import date

import pytest

from api.pages.payment_status import payment_status, refund_status


def unpaid(left: int, paid: int, days_late: int) -> dict:
    return {"left_cents": left, "paid_cents": paid, "days_late": days_late, "due_on": date(2026, 3, 1)}


@pytest.mark.parametrize("row, words, late", [
    (None, "payée", False),
    (unpaid(31_581, 0, 0), "à payer au plus tard le 1er mars 2026", False),
    (unpaid(11_581, 20_000, 0), "partiellement payée (reste 115,81 €), à payer au plus tard le 1er mars 2026", False),
    (unpaid(31_581, 0, 1), "en retard de 1 jour", True),
    (unpaid(11_581, 20_000, 12), "en retard de 12 jours (partiellement payée, reste 115,81 €)", True),
])
def test_each_status_in_french(row, words, late) -> None:
    """Nothing left: paid; else partly paid (what is left), then its due day or its days late."""
    status = payment_status(row)
    assert (status.words.replace("\u202f", " ").replace("\u00a0", " "), status.late) == (words, late)


def test_a_regularisation_credit_note_is_to_refund_until_nothing_is_left() -> None:
    """What is left to refund, then refunded."""
    assert refund_status({"left_cents": 1_234}).words.replace("\u202f", " ").replace("\u00a0", " ") \
        == "à rembourser (reste 12,34 €)"
    assert refund_status(None).words == "remboursé"
