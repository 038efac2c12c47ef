"""Cost shares: how each pool (a resource's costs of a month) is split among partners."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from application.permissions import require_partner_scope
from api.deps import ServicesDep, TokenDep
from api.reads import After, AsOf, line_order, reading, known_partner_name, known_resource_name, resource_names
from application.permissions import require_reader
from domain.ids import Slug
from domain.money import format_eur
from domain.periods import Month
from projections import read_model
from projections.as_of import cost_shares_as_of

router = APIRouter(tags=["cost shares"])


class CostShareLine(BaseModel):
    """One line of a pool's split (a row of `cost_shares`)."""

    month: str
    resource_id: str
    partner_id: str | None
    line_kind: str
    part: int | None
    method: str | None
    basis_kind: str
    key_version: int | None
    basis: Decimal
    total_basis: Decimal
    ratio: Decimal
    amount_cents: int
    amount: str
    pool_cents: int


class PoolTotal(BaseModel):
    """A pool as a whole: what it cost and how many partners share it."""

    resource_id: str
    resource_name: str
    pool_cents: int
    pool: str
    partner_count: int


class CostShares(BaseModel):
    """The lines of the month's pools (a partner gets its own lines only), and every pool's total."""

    month: str
    position: int
    as_of: bool
    lines: list[CostShareLine]
    pools: list[PoolTotal]

    model_config = {
        "json_schema_extra": {
            "examples": [{
                "month": "2026-03", "position": 4812, "as_of": False,
                "lines": [{
                    "month": "2026-03", "resource_id": "salle-vercors", "partner_id": "maison-des-associations",
                    "line_kind": "share", "part": None, "method": "usage", "basis_kind": "usage",
                    "key_version": 1, "basis": "42.000000", "total_basis": "96.500000",
                    "ratio": "0.4352331606", "amount_cents": 21_109, "amount": "211,09\u00a0€",
                    "pool_cents": 48_500,
                }],
                "pools": [{"resource_id": "salle-vercors", "resource_name": "Salle Vercors",
                           "pool_cents": 48_500, "pool": "485,00\u00a0€", "partner_count": 3}],
            }]
        }
    }


@router.get("/cost-shares", response_model=CostShares,
            summary="Cost shares of a month, by pool; a partner sees its own lines and the others as totals")
def cost_shares(
    *, services: ServicesDep, token: TokenDep,
    month: Annotated[Month, Query(description="The month of the pools, YYYY-MM", examples=["2026-03"])],
    partner_id: Annotated[Slug | None, Query(description="Only this partner's lines",
                                             examples=["maison-des-associations"])] = None,
    resource_id: Annotated[Slug | None, Query(description="Only this resource's pool",
                                              examples=["salle-vercors"])] = None,
    as_of: AsOf = None,
    after: After = None,
) -> CostShares:
    require_reader(token)
    if token.role == "partner":
        if partner_id is not None:
            require_partner_scope(token, partner_id, "read cost shares")
        partner_id = token.partner_id
    with reading(services, after=after, as_of=as_of) as read:
        if partner_id is not None:
            known_partner_name(read, partner_id)
        if resource_id is not None:
            known_resource_name(read, resource_id)
        if read.as_of:
            lines = cost_shares_as_of(read.conn, read.position, month=month, resource_id=resource_id).to_pylist()
        else:
            lines = read_model.cost_shares(read.conn, month, resource_id)
        lines.sort(key=line_order)
        names = resource_names(read, {line["resource_id"] for line in lines})
        position = read.position
    pools: dict[str, int] = {}
    partners: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        pools.setdefault(line["resource_id"], line["pool_cents"])
        if line["partner_id"] is not None:
            partners[line["resource_id"]].add(line["partner_id"])
    if partner_id is not None:
        lines = [line for line in lines if line["partner_id"] == partner_id]
    return CostShares(
        month=month, position=position, as_of=read.as_of,
        lines=[CostShareLine(**line, amount=format_eur(line["amount_cents"])) for line in lines],
        pools=[PoolTotal(resource_id=r, resource_name=names.get(r, r), pool_cents=cents, pool=format_eur(cents),
                         partner_count=len(partners[r])) for r, cents in pools.items()],
    )
