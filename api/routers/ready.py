"""Readiness: how far the projections are behind the log, and why if they are stuck.

It needs no token, so that a load balancer can ask: it shows positions, counts and the
event type it is stuck on, never an event's content (quoted values of the error are masked).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import ServicesDep
from projections.shares import set_aside

router = APIRouter(tags=["operations"])


class StallPublic(BaseModel):
    position: int | None = Field(description="The event the projections cannot fold; null when no "
                                             "single event is to blame (the store or the disk failing)")
    event_type: str | None
    error: str = Field(description="What failed, with any quoted value masked")
    since: datetime
    attempts: int = Field(description="Tries that failed on it so far")
    retry_in_s: float = Field(description="Seconds until the next try")


class SetAsidePublic(BaseModel):
    entries: int = Field(description="Entries of usage dated beyond the ledger's calendar "
                                     "(2000-01-01 to 2100-12-31), recorded before it was enforced")
    first_position: int = Field(description="The first event that recorded one")


class Readiness(BaseModel):
    status: Literal["caught_up", "catching_up", "stalled"]
    projection_position: int = Field(description="The last log position the projections include")
    log_position: int = Field(description="The last position of the log")
    lag: int = Field(description="log_position - projection_position (positions, which may have gaps)")
    stall: StallPublic | None = Field(description="Why the projections stopped; null unless stalled")
    set_aside: SetAsidePublic | None = Field(
        default=None, description="Usage the projections keep but charge to no pool, for lying beyond "
                                  "the calendar; null when there is none")

    model_config = {"json_schema_extra": {"examples": [{
        "status": "caught_up", "projection_position": 4812, "log_position": 4812, "lag": 0, "stall": None}]}}


_STALLED = {
    "status": "stalled", "projection_position": 4811, "log_position": 4900, "lag": 89,
    "stall": {"position": 4812, "event_type": "ResourceRegistered",
              "error": "Conversion Error: Could not convert string '…' to INT32",
              "since": "2026-04-05T09:12:00Z", "attempts": 7, "retry_in_s": 16.0}}


@router.get(
    "/ready", response_model=Readiness, summary="Whether the projections follow the log",
    description="200 while the projections are caught up or catching up normally; 503, with the same "
                "document, while they are stalled on an event they cannot fold (they keep serving what "
                "they hold, and reads with `after` beyond it answer 503 at once). No token needed.",
    responses={503: {"model": Readiness, "description": "The projections are stalled",
                     "content": {"application/json": {"example": _STALLED}}}},
    openapi_extra={"x-problem-statuses": {}},  # no token, no input: no problem document either
)
def ready(*, services: ServicesDep) -> JSONResponse:
    status = services.follower.status()
    log_position = services.ledger.recorder.max_notification_id() or 0
    lag = max(0, log_position - status.position)
    stall = status.stall
    with services.follower.cursor() as cursor:
        entries, first_position = set_aside(cursor)
    readiness = Readiness(
        status="stalled" if stall else "catching_up" if lag else "caught_up",
        projection_position=status.position, log_position=log_position, lag=lag,
        stall=None if stall is None else StallPublic(
            position=stall.position, event_type=stall.event_type, error=stall.public_error,
            since=stall.since, attempts=stall.attempts, retry_in_s=round(status.retry_in_s or 0.0, 1)),
        set_aside=SetAsidePublic(entries=entries, first_position=first_position) if entries else None,
    )
    return JSONResponse(readiness.model_dump(mode="json"), status_code=503 if stall else 200,
                        headers={"Cache-Control": "no-store"})
