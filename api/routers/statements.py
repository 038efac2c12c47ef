"""A partner's statement for a month, and the trace of each of its lines to the events."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from application.permissions import require_partner_scope
from api.deps import ServicesDep, TokenDep
from api.reads import (partner_statement_lines, After, AsOf, reading, known_partner_name, known_resource_name,
                       line_trace_rows, resource_names)
from application.permissions import require_reader
from domain.access import AccessToken
from domain.ids import Slug
from domain.money import format_eur
from domain.periods import Month

router = APIRouter(tags=["statements"])

PartnerId = Annotated[Slug, Path(description="The partner's id", examples=["maison-des-associations"])]
MonthPath = Annotated[Month, Path(description="The month, YYYY-MM", examples=["2026-03"])]
ResourceId = Annotated[Slug, Path(description="The resource the line charges for", examples=["salle-vercors"])]



class StatementLine(BaseModel):
    resource_id: str
    resource_name: str
    line_kind: str
    part: int | None
    method: str | None
    basis_kind: str | None
    key_version: int | None
    basis: Decimal | None
    total_basis: Decimal | None
    ratio: Decimal | None
    amount_cents: int
    amount: str
    origin_month: str | None = None
    dispute_id: str | None = None
    dispute_status: str | None = None


class Statement(BaseModel):
    """What a partner owes for a month, line by line; `position` is the log position it reflects.

    A closed month is shown as issued (`closed`, its `number`, and the seal: the digest of
    the month's statements and the chain hash at `issued_at_position`); late changes to it
    appear as adjustment lines in a later month."""

    partner_id: str
    partner_name: str
    month: str
    lines: list[StatementLine]
    total_cents: int
    total: str
    position: int
    as_of: bool
    closed: bool = False
    number: int | None = None
    issued_at_position: int | None = None
    statements_sha256: str | None = None
    chain_hash: str | None = None

    model_config = {
        "json_schema_extra": {
            "examples": [{
                "partner_id": "maison-des-associations", "partner_name": "Maison des associations",
                "month": "2026-03",
                "lines": [{
                    "resource_id": "salle-vercors", "resource_name": "Salle Vercors", "line_kind": "share",
                    "part": None, "method": "usage", "basis_kind": "usage", "key_version": 1,
                    "basis": "42.000000", "total_basis": "96.500000", "ratio": "0.4352331606",
                    "amount_cents": 21_109, "amount": "211,09\u00a0€",
                }, {
                    "resource_id": "loyer", "resource_name": "Loyer", "line_kind": "share", "part": None,
                    "method": "fixed", "basis_kind": "weight", "key_version": 2, "basis": "80.000000",
                    "total_basis": "245.500000", "ratio": "0.3258655804", "amount_cents": 123_456,
                    "amount": "1\u202f234,56\u00a0€",
                }],
                "total_cents": 144_565, "total": "1\u202f445,65\u00a0€", "position": 4812, "as_of": False,
            }]
        }
    }


class TraceEvent(BaseModel):
    """One event behind the line: a cost, the partner's usage, the key, or its membership."""

    source: str
    entry_id: str | None
    position: int
    event_type: str
    actor: str
    recorded_at: datetime
    payload: dict[str, Any]


class TracedLine(BaseModel):
    line_kind: str
    part: int | None
    method: str | None
    basis_kind: str | None
    key_version: int | None
    amount_cents: int
    amount: str


class Trace(BaseModel):
    """The events that produced a statement line, in log order, with who recorded each and when."""

    partner_id: str
    month: str
    resource_id: str
    resource_name: str
    key_version: int | None
    lines: list[TracedLine]
    events: list[TraceEvent]
    position: int
    as_of: bool

    model_config = {
        "json_schema_extra": {
            "examples": [{
                "partner_id": "maison-des-associations", "month": "2026-03", "resource_id": "salle-vercors",
                "resource_name": "Salle Vercors", "key_version": 1,
                "lines": [{"line_kind": "share", "part": None, "method": "usage", "basis_kind": "usage",
                           "key_version": 1, "amount_cents": 21_109, "amount": "211,09\u00a0€"}],
                "events": [{
                    "source": "key", "entry_id": None, "position": 12, "event_type": "AllocationKeySet",
                    "actor": "coordinator/coord", "recorded_at": "2026-01-02T09:00:00Z",
                    "payload": {"resource_id": "salle-vercors", "applies_from": "2026-01",
                                "key": {"method": "usage"}},
                }, {
                    "source": "cost", "entry_id": "salle-vercors:2026-03:1", "position": 4700,
                    "event_type": "CostRecorded", "actor": "coordinator/coord",
                    "recorded_at": "2026-04-01T08:12:00Z",
                    "payload": {"resource_id": "salle-vercors", "month": "2026-03", "amount_cents": 48_500,
                                "category": "loyer", "document_ref": "FAC-2026-03-017"},
                }, {
                    "source": "usage", "entry_id": "salle-vercors:2026-03-02:1", "position": 4521,
                    "event_type": "SlotBooked", "actor": "partner:maison-des-associations/accueil",
                    "recorded_at": "2026-02-27T16:40:00Z",
                    "payload": {"resource_id": "salle-vercors", "partner_id": "maison-des-associations",
                                "starts_at": "2026-03-02T13:00:00Z", "ends_at": "2026-03-02T15:00:00Z"},
                }],
                "position": 4812, "as_of": False,
            }]
        }
    }


def _check_partner(token: AccessToken, partner_id: str, what: str) -> None:
    require_reader(token)
    require_partner_scope(token, partner_id, what)


@router.get("/partners/{partner_id}/statements/{month}", response_model=Statement,
            summary="A partner's statement for a month, now or as of a past position or time")
def statement(
    *, services: ServicesDep, token: TokenDep, partner_id: PartnerId, month: MonthPath,
    as_of: AsOf = None, after: After = None,
) -> Statement:
    _check_partner(token, partner_id, "read the statement")
    with reading(services, after=after, as_of=as_of) as read:
        name = known_partner_name(read, partner_id)
        lines, seal = partner_statement_lines(read, partner_id, month)
        names = resource_names(read, {line["resource_id"] for line in lines})
    total = sum(line["amount_cents"] for line in lines)
    return Statement(
        partner_id=partner_id, partner_name=name, month=month, total_cents=total, total=format_eur(total),
        position=read.position, as_of=read.as_of, closed=seal is not None,
        number=seal["number"] if seal else None,
        issued_at_position=seal["as_of_position"] if seal else None,
        statements_sha256=seal["statements_sha256"] if seal else None,
        chain_hash=seal["chain_hash"] if seal else None,
        lines=[StatementLine(
            resource_id=line["resource_id"], resource_name=names.get(line["resource_id"], line["resource_id"]),
            line_kind=line["line_kind"], part=line["part"], method=line["method"],
            basis_kind=line["basis_kind"], key_version=line["key_version"], basis=line["basis"],
            total_basis=line["total_basis"], ratio=line["ratio"], amount_cents=line["amount_cents"],
            amount=format_eur(line["amount_cents"]), origin_month=line.get("origin_month"),
            dispute_id=line.get("dispute_id"), dispute_status=line["dispute_status"],
        ) for line in lines],
    )


@router.get("/partners/{partner_id}/statements/{month}/lines/{resource_id}/trace", response_model=Trace,
            summary="Every event behind one statement line: costs, the partner's usage, key, membership")
def trace(
    *, services: ServicesDep, token: TokenDep, partner_id: PartnerId, month: MonthPath,
    resource_id: ResourceId,
    part: Annotated[int | None, Query(ge=0, le=99, description="For a mixed key: the part (0, 1, …); "
                                      "omitted: every line of the partner for that resource",
                                      examples=[0])] = None,
    as_of: AsOf = None, after: After = None,
) -> Trace:
    _check_partner(token, partner_id, "read a trace")
    with reading(services, after=after, as_of=as_of) as read:
        known_partner_name(read, partner_id)
        resource_name = known_resource_name(read, resource_id)
        lines, events = line_trace_rows(read, partner_id, month, resource_id, part)
    return Trace(
        partner_id=partner_id, month=month, resource_id=resource_id, resource_name=resource_name,
        key_version=lines[0]["key_version"], position=read.position, as_of=read.as_of,
        lines=[TracedLine(line_kind=line["line_kind"], part=line["part"], method=line["method"],
                          basis_kind=line["basis_kind"], key_version=line["key_version"],
                          amount_cents=line["amount_cents"], amount=format_eur(line["amount_cents"]))
               for line in lines],
        events=[TraceEvent(source=source, entry_id=entry_id, position=position, event_type=event_type,
                           actor=actor, recorded_at=recorded_at, payload=json.loads(payload))
                for source, entry_id, position, event_type, actor, recorded_at, payload in events],
    )
