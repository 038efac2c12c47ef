"""After loading: the coordinator closes past months, a supplier's credit note arrives
late for a closed month, and two partners dispute lines (one rejected, one accepted with
a credit), and each month's hour sheets are submitted and countersigned (demo/hour_sheets.py)
— so the demo shows sealed statements, adjustments, disputes and hour sheets; then the GE
invoices its members for each month (demo/haut_val_ge.py), and once the loaded months reach
the year's December, the copier's tariff is settled to its actual cost for the year."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from application.close_month import close_month
from application.ledger import Ledger
from application.tariff_settlement import settle_tariff_year
from bootstrap import follow
from demo import ge_year, haut_val_ge
from domain.commands import CorrectEntry
from domain.disputes import CommentDispute, OpenDispute, ResolveDispute
from demo.hour_sheets import submit_and_sign
from domain.periods import next_month
from projections.follower import Follower
from projections.rebuild import rebuild
from projections.recorder import DuckDBTrackingRecorder

COORDINATOR = "coordinator@haut-val"


@dataclass(frozen=True)
class Aftermath:
    closed: list[str]
    notes: list[str]


def close_and_dispute(
    ledger: Ledger, projections: Path, first: str, months: int, *, keep_open: int = 2,
    on_close: Callable[[str], None] | None = None,
) -> Aftermath:
    """Close all months but the last `keep_open`, then record the late credit note and the
    disputes on the last closed month (copy 1 of the territory)."""
    rebuild(ledger.recorder, projections, progress=False)
    # The disputes below are checked against these projections' statements.
    follower = follow(ledger, Follower(ledger.recorder, DuckDBTrackingRecorder(projections)))
    try:
        closed = []
        month = first
        for _ in range(max(months - keep_open, 0)):
            close_month(ledger, follower, month, actor=COORDINATOR)
            closed.append(month)
            if on_close is not None:
                on_close(month)
            month = next_month(month)
        notes = _late_events(ledger, closed[-1]) if closed else []
        notes += submit_and_sign(ledger, follower, first, months, COORDINATOR)
        notes += haut_val_ge.invoice_months(ledger, follower, first, months, COORDINATOR)
        notes += ge_year.year_end(ledger, follower, first, months, COORDINATOR)
        notes += settle_copier(ledger, follower, first, months, closed)
        follower.catch_up()
        return Aftermath(closed, notes)
    finally:
        ledger.lines = None
        follower.view.close()


def settle_copier(ledger: Ledger, follower: Follower, first: str, months: int, closed: list[str]) -> list[str]:
    """The copier's year (0,04 € a page) settled to its actual cost on the statements of the
    year's December, or of the first open month if December is closed; only once the loaded
    months reach December (the year is over) — copy 1 of the territory."""
    year, last = int(first[:4]), first
    for _ in range(months - 1):
        last = next_month(last)
    december = f"{year:04d}-12"
    if last < december:
        return []
    month = max(december, next_month(closed[-1])) if closed else december
    follower.catch_up()
    outcome = settle_tariff_year(ledger, follower, "copieur", year, month, follower.runner.position, actor=COORDINATOR)
    return [f"the copier's {year} tariff settled to its actual cost on the statements of {month} "
            f"(position {outcome.position})"]


def _late_events(ledger: Ledger, month: str) -> list[str]:
    credit_note = ledger.execute(
        CorrectEntry(entry_id=f"loyer-batiment:{month}:1", amount_cents=399_000,
                     reason=f"avoir du bailleur sur le loyer de {month}, reçu après la clôture"),
        actor=COORDINATOR,
    )
    rejected = ledger.execute(
        OpenDispute(partner_id="maison-des-associations", month=month, resource_id="copieur",
                    line_kind="tariff", reason="nombre de pages contesté"),
        actor="partner:maison-des-associations/accueil",
    ).events[0].dispute_id
    ledger.execute(ResolveDispute(dispute_id=rejected, outcome="rejected",
                                  reason="relevé du compteur conforme au journal du copieur"),
                   actor=COORDINATOR)
    accepted = ledger.execute(
        OpenDispute(partner_id="france-services", month=month, resource_id="salle-vercors",
                    reason="réservation du 3 annulée la veille, facturée quand même"),
        actor="partner:france-services/direction",
    ).events[0].dispute_id
    ledger.execute(CommentDispute(dispute_id=accepted, comment="annulation envoyée par courriel le 2"),
                   actor="partner:france-services/direction")
    ledger.execute(ResolveDispute(dispute_id=accepted, outcome="accepted", credit_cents=2_500,
                                  reason="annulation reçue à temps : avoir de 25,00 €"),
                   actor=COORDINATOR)
    return [
        f"late credit note on loyer-batiment for {month} (position {credit_note.position}): "
        f"an adjustment in {next_month(month)}",
        f"dispute {rejected} rejected",
        f"dispute {accepted} accepted with a 25,00 € credit in {next_month(month)}",
    ]
