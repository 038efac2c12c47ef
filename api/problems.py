"""Errors as problem details (RFC 9457, application/problem+json), from one place.

Domain errors map to 404 (not found), 409 (a rule or a concurrent writer refused it) and
422 (the request itself is malformed); bad input never reaches a 500. Projections stalled
on an event they cannot fold answer 503.
"""

from __future__ import annotations

import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from api.pages.errors import error_page, is_page
from api.pages.messages import french, label
from domain import commands, errors
from application.outcome import BatchRefused
from application.permissions import Forbidden
from projections.follower import ProjectionStalled
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


PAGE_HTTP_ERRORS = {
    404: "Cette page n'existe pas, ou ce qu'elle montrerait n'existe pas.",
    405: "Cette opération n'est pas possible ici.",
    503: "Les relevés sont en cours de mise à jour : réessayez dans un instant.",
}


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


async def _json_error(request: Request, details: dict) -> str:
    """Where the body stops being JSON, as a line and a column (pydantic gives an offset)."""
    offset = next((part for part in details.get("loc", ()) if isinstance(part, int)), 0)
    text = (await request.body()).decode("utf-8", "replace")[:offset]
    line = text.count("\n") + 1
    column = offset - (text.rfind("\n") + 1) + 1
    reason = details.get("ctx", {}).get("error", "invalid JSON")
    return f"the body is not valid JSON: {reason} at line {line}, column {column}"


def register(app: FastAPI) -> None:
    @app.exception_handler(errors.DomainError)
    async def domain_error(request: Request, error: errors.DomainError) -> JSONResponse:
        cause = error.error if isinstance(error, BatchRefused) else error
        if is_page(request):
            return error_page(request, status_of(cause), french(cause)[1])
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
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0]
        if first.get("type") == "json_invalid":
            return problem(400, "invalid-json", "InvalidJSON",
                           await _json_error(request, first), field="body")
        # The field as the client wrote it: where it was sent (body, query, path) is plain.
        field = commands.field_of(first, skip=("body", "query", "path", "header"))
        if is_page(request):
            return error_page(request, 404 if "path" in first.get("loc", ()) else 422,
                              f"« {label(field)} » : cette valeur n'est pas valable.")
        return problem(422, "invalid-request", "InvalidRequest",
                       f"{field}: {commands.message_of(first)}", field=field or None)

    @app.exception_handler(ValidationError)
    async def invalid_command(_: Request, error: ValidationError) -> JSONResponse:
        # A command built in a route from a valid body can still break a rule of the
        # command itself (e.g. a correction with neither quantity nor amount).
        refused = commands.invalid_command(error)
        return problem(422, refused.rule, "InvalidCommand", refused.message, field=refused.field)

    @app.exception_handler(ProjectionStalled)
    async def stalled(request: Request, error: ProjectionStalled) -> JSONResponse:
        if is_page(request):
            return error_page(request, 503, "Les relevés sont en cours de mise à jour après un incident : "
                                            "réessayez dans quelques minutes ; la coordination est prévenue.")
        # Any token holder may see this: payload values quoted in the error are masked.
        response = problem(503, "projections-stalled", "ProjectionsStalled", error.stall.message(public=True))
        response.headers["Retry-After"] = str(max(1, math.ceil(error.retry_in_s)))
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden) -> JSONResponse:
        if is_page(request):
            return error_page(request, 403, "Cette page ou cette opération n'est pas accessible avec votre rôle.")
        # As an HTTPException(403) reads: the policy is not HTTP's, its answer is.
        return problem(403, "http", "HTTPError", str(error))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        if is_page(request):
            return error_page(request, error.status_code, PAGE_HTTP_ERRORS.get(error.status_code, "Erreur."))
        response = problem(error.status_code, "http", "HTTPError", str(error.detail))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response
