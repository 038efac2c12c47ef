"""Settings of the pool itself that its statements print, as events so that each month's
statement says what was in force for it.

Whether the pool's costs are recorded HT or TTC: a pool bears TTC where it cannot recover
VAT (most associations and local services), HT where it can. The amounts are what they are;
the setting says what they mean, on every statement and document of the months it applies
to. Versioned by the month it applies from, like allocation keys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import singledispatch
from typing import Literal
from uuid import UUID

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import Command
from domain.events import DomainEvent
from domain.ids import aggregate_id
from domain.periods import Month

CostBasis = Literal["ht", "ttc"]


class CostBasisSet(DomainEvent):
    basis_version: int
    applies_from: Month
    basis: CostBasis


class SetCostBasis(Command):
    records = (CostBasisSet,)
    command: Literal["set_cost_basis"] = "set_cost_basis"
    applies_from: Month
    basis: CostBasis


@dataclass(frozen=True)
class PoolSettings:
    id: UUID
    version: int
    bases: tuple[tuple[int, str, str], ...]  # (version, applies_from, basis)


def pool_settings_aggregate_id() -> UUID:
    return aggregate_id("pool-settings")


def set_basis(settings: PoolSettings | None, cmd: SetCostBasis, stamp: Stamp) -> CostBasisSet:
    if settings is None:
        return first_event(CostBasisSet, pool_settings_aggregate_id(), stamp, basis_version=1,
                           applies_from=cmd.applies_from, basis=cmd.basis)
    return next_event(settings, CostBasisSet, stamp, basis_version=len(settings.bases) + 1,
                      applies_from=cmd.applies_from, basis=cmd.basis)


@singledispatch
def evolve(event: DomainEvent, state: PoolSettings | None) -> PoolSettings:
    raise TypeError(f"the pool's settings do not take {type(event).__name__}")


@evolve.register
def _(event: CostBasisSet, state: PoolSettings | None) -> PoolSettings:
    basis = (event.basis_version, event.applies_from, event.basis)
    if state is None:
        return PoolSettings(event.originator_id, event.originator_version, (basis,))
    return replace(state, version=event.originator_version, bases=(*state.bases, basis))


project_pool_settings = projector(evolve)
