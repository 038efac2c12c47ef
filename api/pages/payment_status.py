"""What the pages say of an invoice's payment, from the read of the invoices left to pay
(projections' unpaid_invoices_at, the one GET /ge/unpaid answers with): paid, partly paid
and what is left, to pay by its due date, or so many days late. The coordinator's
« Paiements et impayés » and the member's « Mes factures » say it in the same words. A
regularisation credit note is the other way round, what the GE pays back (projections'
refunds_owed_at): to refund and what is left, or refunded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.french import date_fr, euros


@dataclass(frozen=True)
class PaymentStatus:
    badge: str        # the status itself, shown as a badge
    detail: str       # what is left, the due day: plain text after the badge
    css: str          # the badge's class (api/static/pages.css)

    @property
    def words(self) -> str:
        return f"{self.badge} {self.detail}".strip()

    @property
    def late(self) -> bool:
        return self.css == "status-late"


PAID = PaymentStatus("payée", "", "status-credit")


def days_fr(days: int) -> str:
    return f"{days} jour{'s' if days > 1 else ''}"


def payment_status(unpaid: dict[str, Any] | None) -> PaymentStatus:
    """An invoice's status: `unpaid` is its row of the invoices left to pay, None when nothing
    is left (paid, or wholly credited: the invoice list says which)."""
    if unpaid is None:
        return PAID
    left = euros(unpaid["left_cents"])
    if unpaid["days_late"] > 0:
        partly = f"(partiellement payée, reste {left})" if unpaid["paid_cents"] else ""
        return PaymentStatus(f"en retard de {days_fr(unpaid['days_late'])}", partly, "status-late")
    due = f"au plus tard le {date_fr(unpaid['due_on'])}"
    if unpaid["paid_cents"]:
        return PaymentStatus("partiellement payée", f"(reste {left}), à payer {due}", "status-open")
    return PaymentStatus("à payer", due, "status-open")


REFUNDED = PaymentStatus("remboursé", "", "status-credit")


def refund_status(owed: dict[str, Any] | None) -> PaymentStatus:
    """A regularisation credit note's status: `owed` is its row of the credit notes left to
    refund, None when nothing is left."""
    if owed is None:
        return REFUNDED
    return PaymentStatus("à rembourser", f"(reste {euros(owed['left_cents'])})", "status-open")
