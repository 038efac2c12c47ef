"""Errors as problem details (RFC 9457, application/problem+json), from one place.

Domain errors map to 404 (not found), 409 (a rule or a concurrent writer refused it) and
422 (the request itself is malformed); bad input never reaches a 500.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from domain import commands, errors
from event_store.ledger import BatchRefused
from projections.sandbox import SqlError

MEDIA_TYPE = "application/problem+json"

STATUS: list[tuple[type[errors.DomainError], int]] = [
    (errors.NotFound, 404),
    (errors.InvalidCommand, 422),
    (errors.IdempotencyKeyReused, 422),
    (errors.AlreadyExists, 409),
    (errors.RuleViolation, 409),
    (errors.ConcurrencyConflict, 409),
]
# The analysts' SQL (POST /sql): any other SqlError is the query's fault, a 422.
SQL_STATUS = {"sql-timeout": 408, "sql-forbidden": 403, "sql-busy": 503, "sql-unavailable": 503}


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    index: int | None = None


def status_of(error: errors.DomainError) -> int:
    return next((status for cls, status in STATUS if isinstance(error, cls)), 409)


def problem(status: int, rule: str, title: str, detail: str, **extra: object) -> JSONResponse:
    body = Problem(type=f"https://encommun.fr/problems/{rule}", title=title, status=status,
                   detail=detail, **extra)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, media_type=MEDIA_TYPE)


def register(app: FastAPI) -> None:
    @app.exception_handler(errors.DomainError)
    async def domain_error(_: Request, error: errors.DomainError) -> JSONResponse:
        cause = error.error if isinstance(error, BatchRefused) else error
        index = error.index if isinstance(error, BatchRefused) else None
        return problem(status_of(cause), error.rule, type(cause).__name__, error.message,
                       field=error.field, index=index)

    @app.exception_handler(SqlError)
    async def sql_error(_: Request, error: SqlError) -> JSONResponse:
        status = SQL_STATUS.get(error.rule, 422)
        response = problem(status, error.rule, type(error).__name__, error.message, field="sql")
        if status == 503:
            response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        return problem(422, "invalid-request", "InvalidRequest", f"{field}: {first.get('msg')}",
                       field=field or None)

    @app.exception_handler(ValidationError)
    async def invalid_command(_: Request, error: ValidationError) -> JSONResponse:
        # A command built in a route from a valid body can still break a rule of the
        # command itself (e.g. a correction with neither quantity nor amount).
        refused = commands.invalid_command(error)
        return problem(422, refused.rule, "InvalidCommand", refused.message, field=refused.field)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        response = problem(error.status_code, "http", "HTTPError", str(error.detail))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response
