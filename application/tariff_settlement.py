"""A tariff pool's year settlement: the year read from the projections at a position, then the
command that settles it (domain/tariff_settlement.py holds the rule).

The year is read as the statements see it: for each month of the year under a tariff key, the
resource's pool (its costs) and each partner's tariff line (its units and what they were
charged), as the month's shares stood at the position (projections/closing.py
`month_shares`: a closed month as it stands, its adjustments included), with what earlier
settlements of the year settled. The coordinator settles what it was shown: the year read
at the position it saw, refused if a figure moved since (a cost, a use, a key, a
settlement recorded after it), and the resource's settlement book refuses it if another
settlement was issued meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from application.ledger import Ledger
from application.outcome import Outcome
from application.permissions import Operator, Principal, require_may_run
from domain.errors import RuleViolation
from domain.regularisation import YearRegularisation
from domain.tariff_settlement import PartnerYearIn, SettleTariffYear, settle, year_months
from projections import closing, settlement_reads
from projections.follower import Follower

UNITS = Decimal("0.001")


@dataclass(frozen=True)
class TariffYearRead:
    """A tariff pool's year as it would be settled at `position`."""

    resource_id: str
    year: int
    position: int
    months: tuple[str, ...]            # the months of the year with a tariff pool
    costs_cents: int                   # the resource's costs over those months
    units: dict[str, Decimal]          # each partner's units of those months
    charged: dict[str, int]            # what the tariff charged each partner
    settled: dict[str, int]            # what earlier settlements of the year settled with each
    settlements_seen: int
    settlement: YearRegularisation
    monthly: list[dict] = field(default_factory=list)  # each month: costs, units, charged, recovery

    @property
    def charged_cents(self) -> int:
        return sum(self.charged.values())

    @property
    def settled_cents(self) -> int:
        return sum(self.settled.values())

    @property
    def difference_cents(self) -> int:
        """What the settlement now issues in all (> 0: owed by the partners)."""
        return self.settlement.difference_cents

    def partners(self) -> tuple[PartnerYearIn, ...]:
        return partners_in(self.units, self.charged, self.settled)

    def figures(self) -> tuple:
        """What a settlement rests on: two reads with the same figures settle the same."""
        return (self.costs_cents, self.partners(), self.settlements_seen)

    def command(self, month: str) -> SettleTariffYear:
        return SettleTariffYear(resource_id=self.resource_id, year=self.year, month=month,
                                as_of_position=self.position, settlements_seen=self.settlements_seen,
                                costs_cents=self.costs_cents, partners=self.partners())


def partners_in(units: dict[str, Decimal], charged: dict[str, int],
                settled: dict[str, int]) -> tuple[PartnerYearIn, ...]:
    """Each partner's year, in partner order: units, charged, settled before."""
    return tuple(PartnerYearIn(partner_id=p, units=units.get(p, Decimal(0)).quantize(UNITS),
                               charged_cents=charged.get(p, 0), settled_cents=settled.get(p, 0))
                 for p in sorted(set(units) | set(charged) | set(settled)))


def _tariff_rows(conn: duckdb.DuckDBPyConnection, resource_id: str, month: str, at: int) -> list[dict]:
    """The resource's share lines of the month under a tariff key, as they stood at `at`."""
    moved = [resource_id] if resource_id in closing.moved_since(conn, month, at) else []
    table = closing.month_shares(conn, month, at, moved)
    return [r for r in table.to_pylist() if r["resource_id"] == resource_id and r["method"] == "tariff"]


def tariff_year_read(conn: duckdb.DuckDBPyConnection, resource_id: str, year: int, at: int) -> TariffYearRead:
    """The resource's tariff months of the year as they stood at `at`, settled."""
    months, monthly = [], []
    costs = 0
    units: dict[str, Decimal] = {}
    charged: dict[str, int] = {}
    for month in year_months(year):
        rows = _tariff_rows(conn, resource_id, month, at)
        if not rows:
            continue
        pool = rows[0]["pool_cents"]
        months.append(month)
        costs += pool
        month_charged = 0
        for row in rows:
            if row["line_kind"] == "tariff":
                units[row["partner_id"]] = units.get(row["partner_id"], Decimal(0)) + row["basis"]
                charged[row["partner_id"]] = charged.get(row["partner_id"], 0) + row["amount_cents"]
                month_charged += row["amount_cents"]
        monthly.append({"month": month, "costs_cents": pool, "charged_cents": month_charged,
                        "units": sum((r["basis"] for r in rows if r["line_kind"] == "tariff"), Decimal(0)),
                        "recovery_cents": pool - month_charged})
    settled = settlement_reads.settled_of_year(conn, resource_id, year, at)
    return TariffYearRead(resource_id, year, at, tuple(months), costs, units, charged, settled,
                          settlement_reads.settlements_count(conn, resource_id, at),
                          settle(resource_id, year, costs, partners_in(units, charged, settled)), monthly)


def settle_tariff_year(ledger: Ledger, follower: Follower, resource_id: str, year: int, month: str,
                       seen_position: int, *, actor: str | Principal, idempotency_key: str | None = None) -> Outcome:
    """Settle the year as it was read at `seen_position`, if no figure of it moved since."""
    require_may_run(Operator(actor) if isinstance(actor, str) else actor, SettleTariffYear)
    follower.catch_up()
    with follower.view.transaction() as conn:
        now = follower.runner.position
        if seen_position > now:
            raise RuleViolation(f"the log ends at position {now}, not {seen_position}", field="as_of_position")
        seen = tariff_year_read(conn, resource_id, year, seen_position)
        current = tariff_year_read(conn, resource_id, year, now) if seen_position < now else seen
    if seen.figures() != current.figures():
        raise RuleViolation(f"the figures of {year} moved since position {seen_position} (a cost, a use, a key or a "
                            f"settlement recorded since): read them again at {now}", field="as_of_position")
    outcome = ledger.execute(seen.command(month), actor=actor, idempotency_key=idempotency_key)
    follower.nudge()
    return outcome
