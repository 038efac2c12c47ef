"""An allocation key version as GET /resources shows it: each part of the pool with its
method, its weights as percentages too, and a one-line summary.

A partner's token sees its own weight and its own place in an equal split, with the totals,
never another partner's (application/permissions.py, `may_see_details_of`).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from application.permissions import Principal, may_see_details_of

HUNDREDTH = Decimal("0.01")


class WeightPublic(BaseModel):
    partner_id: str
    weight: Decimal = Field(description="As in the convention: m², %, headcount, ETP…")
    percent: Decimal = Field(description="Its share of the part's weights, in %, to the hundredth (before "
                                         "any proration by days of membership)")


class KeyPartPublic(BaseModel):
    method: Literal["usage", "fixed", "equal", "tariff"]
    percent: int = Field(description="The share of the pool this part splits (100 unless the key is mixed)")
    weights: list[WeightPublic] = Field(description="fixed: the partners' weights (a partner sees its own only)")
    total_weight: Decimal | None = Field(description="fixed: the sum of all the weights")
    partners: list[str] = Field(description="equal: the partners sharing it (a partner sees itself only)")
    partner_count: int | None = Field(description="equal: how many partners share it")
    unit_price_cents: Decimal | None = Field(description="tariff: the price of one unit, in cents")


class KeyVersionPublic(BaseModel):
    key_version: int
    applies_from: str = Field(description="The month from which it applies, YYYY-MM")
    method: Literal["usage", "fixed", "equal", "mixed", "tariff"]
    replaced_by: int | None = Field(description="A later version set for the same month: that one applies")
    position: int = Field(description="The log position of the AllocationKeySet event")
    summary: str = Field(description="The key in one line")
    parts: list[KeyPartPublic]


def key_version_public(row: dict, principal: Principal, unit: str) -> KeyVersionPublic:
    """The public form of a `key_versions` row of the read model, as `principal` may see it."""
    key = json.loads(row["key"], parse_float=Decimal)
    raw_parts = key["parts"] if key["method"] == "mixed" else [key | {"percent": 100}]
    parts = [_part(part, principal) for part in raw_parts]
    texts = [_summary(part, unit) for part in parts]
    summary = "; ".join(f"{part.percent} % {text}" for part, text in zip(parts, texts)) if len(parts) > 1 \
        else texts[0]
    return KeyVersionPublic(key_version=row["key_version"], applies_from=row["applies_from"], method=key["method"],
                            replaced_by=row["replaced_by"], position=row["position"], summary=summary, parts=parts)


def _part(part: dict, principal: Principal) -> KeyPartPublic:
    weights = {partner: Decimal(str(weight)) for partner, weight in (part.get("weights") or {}).items()}
    total = sum(weights.values(), Decimal(0))
    sharing = list(part.get("partners") or ())
    price = part.get("unit_price_cents")
    return KeyPartPublic(
        method=part["method"], percent=part["percent"],
        weights=[WeightPublic(partner_id=partner, weight=weight, percent=(weight * 100 / total).quantize(HUNDREDTH))
                 for partner, weight in weights.items() if may_see_details_of(principal, partner)],
        total_weight=total if weights else None,
        partners=[partner for partner in sharing if may_see_details_of(principal, partner)],
        partner_count=len(sharing) if sharing else None,
        unit_price_cents=None if price is None else Decimal(str(price)),
    )


def _summary(part: KeyPartPublic, unit: str) -> str:
    if part.method == "usage":
        return f"pro rata of the units used ({unit})"
    if part.method == "tariff":
        return f"tariff: {_plain(part.unit_price_cents)} cents per {unit}"
    if part.method == "equal":
        names = ", ".join(part.partners)
        if len(part.partners) == part.partner_count:
            return f"equal among {part.partner_count} partners: {names}"
        return f"equal among {part.partner_count} partners" + (f", {names} among them" if names else "")
    shown = ", ".join(f"{w.partner_id} {_plain(w.weight)} ({_plain(w.percent)} %)" for w in part.weights)
    return f"fixed weights: {shown} of {_plain(part.total_weight)}" if shown else \
        f"fixed weights totalling {_plain(part.total_weight)}"


def _plain(number: Decimal | None) -> str:
    """4, 3.5, 45.5, 48.88: no exponent, no trailing zeros."""
    text = format(number, "f") if number is not None else ""
    return text.rstrip("0").rstrip(".") if "." in text else text
