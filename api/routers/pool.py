"""The pool's own settings that its statements print: whether its costs are HT or TTC."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from api.deps import IdempotencyKey, ServicesDep, TokenDep
from api.recording import Recorded, record
from domain.pool_settings import SetCostBasis

router = APIRouter(prefix="/pool", tags=["pool"])


@router.post("/cost-basis", status_code=201, response_model=Recorded,
             summary="Say whether the pool's costs are HT or TTC, from a month on")
def set_cost_basis(*, services: ServicesDep, token: TokenDep, idempotency_key: IdempotencyKey = None,
                   body: Annotated[SetCostBasis, Body(examples=[{"applies_from": "2026-01", "basis": "ttc"}])]
                   ) -> Recorded:
    return record(services, token, [body], idempotency_key)
