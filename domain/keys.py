"""Allocation keys: how a resource's monthly cost pool is split among partners.

A key is part of the convention between partners; it is versioned by the month from
which it applies (see AllocationKeySet).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.errors import FieldValueError
from domain.ids import Slug

# Weights are m², %, headcount or ETP: positive, at most 4 decimals.
Weight = Annotated[Decimal, Field(gt=0, le=1_000_000_000, decimal_places=4)]
# A tariff may be a fraction of a cent (0,035 € a page is 3.5 cents).
UnitPriceCents = Annotated[Decimal, Field(gt=0, le=100_000_000, decimal_places=4)]

Method = Literal["usage", "fixed", "equal", "mixed", "tariff"]
PartMethod = Literal["usage", "fixed", "equal"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_method_fields(owner: str, method: str, weights: dict, partners: tuple) -> None:
    if method == "fixed" and not weights:
        raise FieldValueError(f"{owner}: a 'fixed' key needs weights (partner -> weight)", field="weights")
    if method == "equal" and not partners:
        raise FieldValueError(f"{owner}: an 'equal' key needs the list of partners sharing it",
                              field="partners")
    if method != "fixed" and weights:
        raise FieldValueError(f"{owner}: weights are only for the 'fixed' method, not {method!r}",
                              field="weights")
    if method != "equal" and partners:
        raise FieldValueError(f"{owner}: partners are only for the 'equal' method, not {method!r}",
                              field="partners")
    if len(set(partners)) != len(partners):
        raise FieldValueError(f"{owner}: a partner is listed twice", field="partners")


class KeyPart(_Frozen):
    """One part of a mixed key: a percentage of the pool split by a simple method."""

    method: PartMethod
    percent: Annotated[int, Field(gt=0, le=100)]
    weights: dict[Slug, Weight] = {}
    partners: tuple[Slug, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> KeyPart:
        _check_method_fields("mixed part", self.method, self.weights, self.partners)
        return self


class AllocationKey(_Frozen):
    """usage: pro rata of units; fixed: by weights; equal: equal shares among listed
    partners; mixed: parts of the pool each split by its own method; tariff: units times
    a unit price, the gap to real costs shown as over- or under-recovery."""

    method: Method
    weights: dict[Slug, Weight] = {}
    partners: tuple[Slug, ...] = ()
    parts: tuple[KeyPart, ...] = ()
    unit_price_cents: UnitPriceCents | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AllocationKey:
        if self.method == "mixed":
            if len(self.parts) < 2:
                raise FieldValueError("a 'mixed' key needs at least two parts", field="parts")
            if sum(p.percent for p in self.parts) != 100:
                raise FieldValueError(
                    f"the parts of a 'mixed' key must add up to 100 %, "
                    f"not {sum(p.percent for p in self.parts)} %",
                    field="parts",
                )
            if self.weights or self.partners:
                raise FieldValueError("a 'mixed' key carries its weights and partners in its parts",
                                      field="weights" if self.weights else "partners")
        else:
            if self.parts:
                raise FieldValueError(f"parts are only for the 'mixed' method, not {self.method!r}",
                                      field="parts")
            _check_method_fields("key", self.method, self.weights, self.partners)
        if (self.method == "tariff") != (self.unit_price_cents is not None):
            raise FieldValueError("unit_price_cents is required for 'tariff' keys and only for them",
                                  field="unit_price_cents")
        return self
