"""What the pages say of an invoice's payment, from the read of the invoices left to pay
(projections' unpaid_invoices_at, the one GET /ge/unpaid answers with): paid, partly paid
and what is left, to pay by its due date, or so many days late. The coordinator's
« Paiements et impayés » and the member's « Mes factures » say it in the same words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.french import date_fr, euros


@dataclass(frozen=True)
class PaymentStatus:
    words: str
    css: str          # the status badge's class (api/static/pages.css)

    @property
    def late(self) -> bool:
        return self.css == "status-late"


PAID = PaymentStatus("payée", "status-credit")


def days_fr(days: int) -> str:
    return f"{days} jour{'s' if days > 1 else ''}"


def payment_status(unpaid: dict[str, Any] | None) -> PaymentStatus:
    """An invoice's status: `unpaid` is its row of the invoices left to pay, None when nothing
    is left (paid, or wholly credited: the invoice list says which)."""
    if unpaid is None:
        return PAID
    partly = f"partiellement payée (reste {euros(unpaid['left_cents'])})" if unpaid["paid_cents"] else ""
    if unpaid["days_late"] > 0:
        late = f"en retard de {days_fr(unpaid['days_late'])}"
        return PaymentStatus(f"{partly}, {late}" if partly else late, "status-late")
    due = f"à payer au plus tard le {date_fr(unpaid['due_on'])}"
    return PaymentStatus(f"{partly}, {due}" if partly else due, "status-open")
