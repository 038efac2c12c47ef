"""A small pool written inline, shared by the write-side tests."""

from __future__ import annotations

from application.ledger import Ledger
from domain.commands import JoinPartner, LeavePartner, RegisterResource

COORDINATOR = "coordinator@test"


def small_pool(ledger: Ledger) -> None:
    """Two partners (one leaves on 2026-03-15), a room of capacity 1, a van of capacity 2,
    an employee and a copier."""
    ledger.execute_batch(
        [
            JoinPartner(partner_id="creche-a", name="Crèche Les Marmots", joined_on="2026-01-01"),
            JoinPartner(partner_id="club-b", name="Club de foot", joined_on="2026-01-01"),
            LeavePartner(partner_id="club-b", last_day="2026-03-15"),
            RegisterResource(resource_id="salle-vercors", name="Salle Vercors", kind="premises", unit="hour"),
            RegisterResource(resource_id="minibus", name="Minibus", kind="equipment", unit="hour", capacity=2),
            RegisterResource(resource_id="anne", name="Anne Martin", kind="staff", unit="hour"),
            RegisterResource(resource_id="copieur", name="Copieur", kind="equipment", unit="page"),
        ],
        actor=COORDINATOR,
    )


def event_count(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0
