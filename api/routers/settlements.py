"""A tariff pool's year settled to its actual cost (application/tariff_settlement.py): the
year's figures as they would be settled, and the settlement itself, on an open month."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, Field

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.reads import After, AsOf, reading
from api.recording import Recorded, public
from api.response_examples import EXAMPLES
from application.idempotency import scoped_key
from application.permissions import require_reader
from application.tariff_settlement import TariffYearRead, settle_tariff_year, tariff_year_read
from domain.ids import Slug
from domain.periods import Month

router = APIRouter(prefix="/resources", tags=["resources"])
ResourceId = Annotated[Slug, Path(description="The resource under a tariff key", examples=["copieur"])]
Year = Annotated[int, Path(ge=2000, le=2100, description="The year settled", examples=[2026])]


class SettlementBody(BaseModel):
    """The year to settle, the open month whose statements carry the lines, and the position the
    figures were read at (GET's `position`): a figure moved since is refused."""

    model_config = {"json_schema_extra": {"examples": [{"year": 2026, "month": "2026-12", "as_of_position": 1866}]}}

    year: Annotated[int, Field(ge=2000, le=2100, strict=True)]
    month: Month
    as_of_position: Annotated[int, Field(ge=0, strict=True)]


class SettlementPartnerPublic(BaseModel):
    partner_id: str
    units: Decimal
    charged_cents: int
    exact_share_cents: Decimal
    share_cents: int
    leftover_cent: bool
    settled_cents: int
    amount_cents: int


class SettlementMonthPublic(BaseModel):
    month: str
    costs_cents: int
    units: Decimal
    charged_cents: int
    recovery_cents: int


class TariffSettlementPublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["TariffSettlementPublic"]]}}

    resource_id: str
    year: int
    position: int
    months: list[SettlementMonthPublic]
    costs_cents: int
    charged_cents: int
    settled_cents: int
    difference_cents: int
    unshared_cents: int
    total_units: Decimal
    partners: list[SettlementPartnerPublic]


def settlement_public(read: TariffYearRead, partner_id: str | None) -> TariffSettlementPublic:
    """The year's figures; a partner's token sees its own line, with the totals."""
    split = read.settlement.pool_splits.get(read.resource_id)
    partners = []
    for member in read.settlement.members:
        if partner_id is not None and member.partner_id != partner_id:
            continue
        share = split.shares.get(member.partner_id) if split else None
        partners.append(SettlementPartnerPublic(
            partner_id=member.partner_id, units=member.units, charged_cents=read.charged.get(member.partner_id, 0),
            exact_share_cents=round(Decimal(share.exact.numerator) / Decimal(share.exact.denominator), 6)
            if share else Decimal(0),
            share_cents=share.cents if share else 0, leftover_cent=share.leftover_cent if share else False,
            settled_cents=read.settled.get(member.partner_id, 0), amount_cents=member.difference_cents))
    return TariffSettlementPublic(
        resource_id=read.resource_id, year=read.year, position=read.position,
        months=[SettlementMonthPublic(**m) for m in read.monthly], costs_cents=read.costs_cents,
        charged_cents=read.charged_cents, settled_cents=read.settled_cents, difference_cents=read.difference_cents,
        unshared_cents=read.settlement.unshared_cents, total_units=sum(read.units.values(), Decimal(0)),
        partners=partners)


@router.get("/{resource_id}/settlements/{year}", response_model=TariffSettlementPublic,
            summary="A tariff pool's year as it would be settled to its actual cost: the yearly statement of uses")
def settlement(*, services: ServicesDep, token: TokenDep, resource_id: ResourceId, year: Year,
               after: After = None, as_of: AsOf = None) -> TariffSettlementPublic:
    require_reader(token)
    with reading(services, after=after, as_of=as_of) as read:
        year_read = tariff_year_read(read.conn, resource_id, year, read.position)
    return settlement_public(year_read, token.partner_id if token.role == "partner" else None)


@router.post("/{resource_id}/settlements", status_code=201, response_model=Recorded,
             summary="Settle a tariff pool's year to its actual cost: a settlement line on each partner's statement "
                     "of an open month")
def settle(*, services: ServicesDep, token: TokenDep, resource_id: ResourceId,
           body: Annotated[SettlementBody, Body()], idempotency_key: IdempotencyKey = None) -> Recorded:
    key = scoped_key(token.token_sha256, idempotency_key)
    return public(settle_tariff_year(services.ledger, services.follower, resource_id, body.year, body.month,
                                     body.as_of_position, actor=token, idempotency_key=key))
