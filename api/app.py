"""The FastAPI application: built by `create_app(settings)`, never at import."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI

from api import problems
from api.routers import audit, batch, costs, disputes, documents, partners, periods, resources, shares, sql, statements, usage
from api.services import Services
from settings import Settings

DESCRIPTION = """
encommun records what partners pool — premises, staff, equipment, services, joint
actions — as immutable events, and answers from projections rebuilt from those events:
each partner's share of each cost, statements, and the trace from any cent to its events.

Every write returns the log `position` of what it recorded; pass it as `after` to a read
to see your own write. Send an `Idempotency-Key` header to make a write safe to retry.
Errors are problem details (`application/problem+json`) naming the rule and the field.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = Services.start(settings)
        try:
            yield
        finally:
            app.state.services.stop()

    app = FastAPI(title="encommun", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    problems.register(app)
    for module in (partners, resources, usage, costs, batch, shares, statements, documents, audit, periods, disputes, sql):
        app.include_router(module.router)
    return app
