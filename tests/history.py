"""A few months of a small pool's history, written inline for the projection tests:
usage and costs under usage, tariff, fixed, equal and mixed keys, a key change, a partner
who leaves mid-month, corrections, voids and cancellations."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from domain.commands import (
    BookSlot,
    CancelBooking,
    Command,
    CorrectEntry,
    JoinPartner,
    LeavePartner,
    LogStaffHours,
    RecordCost,
    RecordEquipmentUse,
    RegisterResource,
    SetAllocationKey,
    VoidEntry,
)
from domain.disputes import CommentDispute, OpenDispute, ResolveDispute
from domain.periods import iso_week

ACTOR = "coordinator@test"


def setup() -> list[Command]:
    return [
        JoinPartner(partner_id="creche-a", name="Crèche Les Marmots", joined_on="2026-01-01"),
        JoinPartner(partner_id="club-b", name="Club de foot", joined_on="2026-01-01"),
        JoinPartner(partner_id="mda", name="Maison des associations", joined_on="2026-01-01"),
        RegisterResource(resource_id="salle-vercors", name="Salle Vercors", kind="premises", unit="hour"),
        RegisterResource(resource_id="anne", name="Anne Martin", kind="staff", unit="hour"),
        RegisterResource(resource_id="copieur", name="Copieur", kind="equipment", unit="page"),
        RegisterResource(resource_id="loyer", name="Loyer", kind="premises", unit="m²"),
        RegisterResource(resource_id="menage", name="Ménage", kind="service", unit="m²"),
        RegisterResource(resource_id="forum", name="Forum emploi", kind="action", unit="stand"),
        SetAllocationKey(resource_id="salle-vercors", applies_from="2026-01", key={"method": "usage"}),
        SetAllocationKey(resource_id="anne", applies_from="2026-01", key={"method": "usage"}),
        SetAllocationKey(resource_id="copieur", applies_from="2026-01",
                         key={"method": "tariff", "unit_price_cents": 4}),
        SetAllocationKey(resource_id="loyer", applies_from="2026-01",
                         key={"method": "fixed", "weights": {"creche-a": 120, "club-b": 45.5, "mda": 80}}),
        SetAllocationKey(resource_id="menage", applies_from="2026-01", key={"method": "mixed", "parts": [
            {"method": "equal", "percent": 30, "partners": ["creche-a", "club-b", "mda"]},
            {"method": "fixed", "percent": 70, "weights": {"creche-a": 120, "club-b": 45.5, "mda": 80}},
        ]}),
        SetAllocationKey(resource_id="forum", applies_from="2026-01",
                         key={"method": "equal", "partners": ["creche-a", "club-b", "mda"]}),
    ]


def month_of_history(month: int, rnd: random.Random) -> Iterator[list[Command]]:
    """One month: costs, then a batch of usage per day, then corrections."""
    ym = f"2026-{month:02d}"
    # The copier's April invoice is late: its pages are charged by the tariff all the same.
    costs = [c for c in [("salle-vercors", 50_000, "loyer"), ("anne", 320_017, "salaire"),
                         ("copieur", 9_000, "maintenance"), ("loyer", 240_001, "loyer"),
                         ("menage", 80_003, "ménage")] if not (month == 4 and c[0] == "copieur")]
    yield [
        RecordCost(resource_id=r, month=ym, amount_cents=amount + month, category=c, document_ref=f"FAC-{ym}-{i}")
        for i, (r, amount, c) in enumerate(costs)
    ]
    if month == 2:
        yield [RecordCost(resource_id="forum", month=ym, amount_cents=600_000, category="forum", document_ref="FORUM")]
        yield [SetAllocationKey(resource_id="loyer", applies_from="2026-02",
                                key={"method": "fixed", "weights": {"creche-a": 100, "club-b": 65.5, "mda": 80}})]
    for d in range(1, 29):
        day = date(2026, month, d)
        partner = rnd.choice(["creche-a", "mda"] + (["club-b"] if day <= date(2026, 3, 15) else []))
        yield [
            LogStaffHours(employee_id="anne", partner_id=partner, work_date=day, hours=rnd.choice(["2", "3.5", "4"])),
            RecordEquipmentUse(resource_id="copieur", partner_id=partner, used_on=day,
                               quantity=rnd.randint(1, 200), unit="page"),
            BookSlot(resource_id="salle-vercors", partner_id=partner,
                     starts_at=f"{day}T{rnd.randint(8, 17):02d}:00:00+01:00",
                     ends_at=f"{day}T18:00:00+01:00"),
        ]
    if month == 3:
        yield [LeavePartner(partner_id="club-b", last_day="2026-03-15")]
    yield [
        CancelBooking(entry_id=f"salle-vercors:{ym}-05:1", reason="annulée"),
        CorrectEntry(entry_id=f"anne:{iso_week(date(2026, month, 10))}:1", quantity="1", reason="badge"),
        VoidEntry(entry_id=f"copieur:{ym}-03:1", reason="doublon"),
        CorrectEntry(entry_id=f"salle-vercors:{ym}:1", amount_cents=49_000, reason="avoir"),
    ]
    yield [CorrectEntry(entry_id=f"salle-vercors:{ym}:1", amount_cents=48_500, reason="second avoir")]


@dataclass(frozen=True)
class Close:
    """Close a month (needs the projections: see `record`)."""

    month: str


def closing_and_disputes(month: int) -> Iterator[list[Command] | Close]:
    """After month 2: January closes; after 3: a late credit note for January, February
    closes, a dispute accepted with a credit and one rejected."""
    if month == 2:
        yield Close("2026-01")
    if month == 3:
        yield [CorrectEntry(entry_id="salle-vercors:2026-01:1", amount_cents=45_000, reason="avoir tardif")]
        yield Close("2026-02")
        yield [OpenDispute(partner_id="creche-a", month="2026-02", resource_id="loyer",
                           reason="surface surestimée", attachment_ref="plan-2026.pdf")]
        yield [CommentDispute(dispute_id="creche-a:2026-02:d1", comment="le plan date de 2024")]
        yield [ResolveDispute(dispute_id="creche-a:2026-02:d1", outcome="accepted",
                              reason="surface corrigée", credit_cents=12_345)]
        yield [OpenDispute(partner_id="mda", month="2026-02", resource_id="copieur", line_kind="tariff",
                           reason="trop de pages")]
        yield [ResolveDispute(dispute_id="mda:2026-02:d1", outcome="rejected", reason="relevé du compteur conforme")]


def history(months: int = 4, seed: int = 3) -> list[list[Command] | Close]:
    rnd = random.Random(seed)
    items: list[list[Command] | Close] = [setup()]
    for month in range(1, months + 1):
        items.extend(month_of_history(month, rnd))
        items.extend(closing_and_disputes(month))
    return items


def record(ledger, item: list[Command] | Close, follower) -> None:
    """Record one item of the history: a batch, or the close of a month."""
    from application.close_month import close_month

    if isinstance(item, Close):
        close_month(ledger, follower, item.month, actor=ACTOR)
    else:
        ledger.execute_batch(item, actor=ACTOR)
