"""A member's year-end regularisation traced back to its costs and hours (application/
regularisation_trace.py): the figures the regularisation computed, the cost events they
sum, the member's invoice lines, its hours by employee and month, and the largest-remainder
splits that give its share; a member reads its own only."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from api.deps import ServicesDep, TokenDep
from api.reads import After, AsOf, reading
from api.response_examples import EXAMPLES
from application.permissions import require_reader
from application.regularisation_trace import member_trace
from domain.allocation import RemainderSplit
from domain.ids import Slug

router = APIRouter(prefix="/ge", tags=["groupement d'employeurs"])


class TraceDocumentPublic(BaseModel):
    reference: str
    kind: str
    issued_on: str
    total_ht_cents: int
    total_ttc_cents: int
    as_of_position: int


class TraceCostPublic(BaseModel):
    entry_id: str
    resource_id: str
    month: str
    amount_cents: int
    category: str
    document_ref: str
    position: int
    event_type: str
    recorded_at: datetime


class TraceBilledLinePublic(BaseModel):
    reference: str
    kind: str
    month: str
    employee_id: str | None
    hours: Decimal | None
    rate_cents: int | None
    amount_cents: int
    label: str | None


class TraceHoursPublic(BaseModel):
    employee_id: str
    month: str
    hours: Decimal
    entries: int
    last_position: int
    sheet_id: str | None
    sheet_status: str | None


class TraceSplitPublic(BaseModel):
    """One split that gives the member a share: the pool, all the hours, the member's hours,
    its exact share in cents (a fraction, as text), the floor and whether a leftover cent
    went to it."""

    employee_id: str | None  # None: the GE's running costs
    pool_cents: int
    total_hours: Decimal
    hours: Decimal
    exact_cents: str
    floor_cents: int
    leftover_cent: bool
    cents: int


class RegularisationTracePublic(BaseModel):
    model_config = {"json_schema_extra": {"examples": [EXAMPLES["RegularisationTracePublic"]]}}

    year: int
    partner_id: str
    position: int
    as_of: bool
    computed_at_position: int
    document: TraceDocumentPublic | None
    costs_cents: int
    billed_cents: int
    difference_cents: int
    member_billed_cents: int
    real_cost_cents: int
    member_difference_cents: int
    splits: list[TraceSplitPublic]
    costs: list[TraceCostPublic]
    billed_lines: list[TraceBilledLinePublic]
    hours: list[TraceHoursPublic]


def _split(employee_id: str | None, split: RemainderSplit, partner_id: str) -> TraceSplitPublic:
    share = split.shares[partner_id]
    return TraceSplitPublic(employee_id=employee_id, pool_cents=split.pool_cents,
                            total_hours=Decimal(split.total_weight.numerator) / split.total_weight.denominator,
                            hours=Decimal(share.weight.numerator) / share.weight.denominator,
                            exact_cents=str(share.exact), floor_cents=share.floor_cents,
                            leftover_cent=share.leftover_cent, cents=share.cents)


@router.get("/regularisations/{year}/{partner_id}/trace", response_model=RegularisationTracePublic,
            summary="A member's regularisation of a year traced back to the costs, its invoice lines and its hours "
                    "(a member: its own)")
def regularisation_trace(*, services: ServicesDep, token: TokenDep,
                         year: Annotated[int, Path(ge=2000, le=2100, examples=[2026])],
                         partner_id: Annotated[Slug, Path(examples=["cc-haut-val"])],
                         after: After = None, as_of: AsOf = None) -> RegularisationTracePublic:
    require_reader(token, partner_id, "read a regularisation's trace")
    with reading(services, after=after, as_of=as_of) as read:
        trace = member_trace(read.conn, year, partner_id, read.position)
    year_figures, member, d = trace.read.regularisation, trace.member, trace.document
    splits = [_split(e, s, partner_id) for e, s in trace.splits.items()]
    if trace.running_split is not None:
        splits.append(_split(None, trace.running_split, partner_id))
    return RegularisationTracePublic(
        year=year, partner_id=partner_id, position=read.position, as_of=read.as_of,
        computed_at_position=trace.read.position,
        document=TraceDocumentPublic(reference=d["reference"], kind=d["kind"], issued_on=d["issued_on"].isoformat(),
                                     total_ht_cents=abs(d["total_ht_cents"]), total_ttc_cents=abs(d["total_ttc_cents"]),
                                     as_of_position=d["as_of_position"]) if d else None,
        costs_cents=year_figures.costs_cents, billed_cents=year_figures.billed_cents,
        difference_cents=year_figures.difference_cents, member_billed_cents=member.billed_cents,
        real_cost_cents=member.real_cost_cents, member_difference_cents=member.difference_cents, splits=splits,
        costs=[TraceCostPublic(**{k: c[k] for k in TraceCostPublic.model_fields}) for c in trace.costs],
        billed_lines=[TraceBilledLinePublic(**{k: line[k] for k in TraceBilledLinePublic.model_fields})
                      for line in trace.billed_lines],
        hours=[TraceHoursPublic(**{k: h[k] for k in TraceHoursPublic.model_fields}) for h in trace.hours])
