"""The FastAPI application: built by `create_app(settings)`, never at import."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI

from api import pages, problems
from api.docs import add_docs
from api.routers import (audit, batch, cost_shares, costs, disputes, documents, ge, ge_payments, ge_register, ge_trace,
                         hour_sheets, invoices, months, partners, people, periods, pool, ready, resources, settlements,
                         sql, statements, usage)
from api.services import Services
from settings import Settings

DESCRIPTION = """
encommun records what partners pool — premises, staff, equipment, services, joint
actions — as immutable events, and answers from projections rebuilt from those events:
each partner's share of each cost, statements, and the trace from any cent to its events.

Every write returns the log `position` of what it recorded; pass it as `after` to a read
to see your own write. Send an `Idempotency-Key` header to make a write safe to retry.
Errors are problem details (`application/problem+json`) naming the rule and the field.

Every route but `GET /ready` needs a token, sent as `Authorization: Bearer <token>`
(`encommun token create`; `encommun demo` prints one per role): here, paste it in
**Authorize**, then **Try it out** sends it.
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

    # /docs is served with local assets by api/docs.py, not FastAPI's CDN page; no /redoc.
    app = FastAPI(title="encommun", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    problems.register(app)
    add_docs(app)
    document_problems(app)
    for module in (partners, resources, settlements, usage, costs, batch, cost_shares, statements, documents, audit,
                   periods, months, people, disputes, ge, ge_payments, ge_register, ge_trace, hour_sheets, invoices,
                   pool, sql, ready):
        app.include_router(module.router)
    pages.register(app)
    return app


PROBLEM_STATUSES = {
    "400": "The body is not JSON",
    "401": "No token, or an unknown or revoked one",
    "403": "The token's role or partner may not do this",
    "404": "A partner, resource, entry, line or month that does not exist",
    "409": "Refused by a rule of the pool (overlap, working time, closed month…) or a concurrent writer",
    "422": "Malformed: a field, a month, an amount, or an idempotency key reused with another body",
    "503": "The projections have not reached the position asked for yet, or are stalled on an event they "
           "cannot fold (see Retry-After and GET /ready)",
}


def document_problems(app: FastAPI) -> None:
    """Every operation may answer with a problem document: say so once, for all of them,
    instead of FastAPI's default 422 schema (the handlers in api/problems.py never send it)."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = problems.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        problem = {"$ref": "#/components/schemas/Problem"}
        for operation in (op for path in schema["paths"].values() for op in path.values()):
            responses = operation.setdefault("responses", {})
            # A route that can fail in none of these ways (GET /ready) says so with an empty
            # `x-problem-statuses` in its openapi_extra.
            for status, description in operation.pop("x-problem-statuses", PROBLEM_STATUSES).items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status[0] in "45" and not _own_model(response):
                    # A route's own example of the problem stays; the schema is the one sent.
                    examples = [media["example"] for media in response.get("content", {}).values()
                                if "example" in media]
                    media = {"schema": problem} | ({"example": examples[0]} if examples else {})
                    response["content"] = {problems.MEDIA_TYPE: media}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


def _own_model(response: dict) -> bool:
    """Whether a route declares its own model for an error status (GET /ready's 503 is a
    readiness document, not a problem); FastAPI's default validation error is not one."""
    refs = [media.get("schema", {}).get("$ref", "") for media in response.get("content", {}).values()]
    return any(ref and not ref.endswith("/HTTPValidationError") for ref in refs)
