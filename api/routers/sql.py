"""The analysts' SQL: one SELECT over a read-only, pseudonymised snapshot of the projections."""

from __future__ import annotations

import base64
import csv
import io
import json
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, Body, Header, HTTPException
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from application.permissions import ANALYSTS, require_role
from api.deps import ServicesDep, TokenDep
from api.reads import After, wait_for
from projections.sandbox import QueryResult, SqlParquet

router = APIRouter(tags=["analysts' SQL"])

PARQUET = "application/vnd.apache.parquet"
# Media types an analyst may ask for in `Accept`, and what each answers with.
FORMATS = {
    "application/json": "json",
    "text/csv": "csv",
    PARQUET: "parquet",
    "application/x-parquet": "parquet",
    "application/*": "json",
    "text/*": "csv",
    "*/*": "json",
}


class SqlQuery(BaseModel):
    sql: str = Field(min_length=1, max_length=100_000, description="Exactly one SELECT statement")

    model_config = {"json_schema_extra": {"examples": [{"sql": (
        "SELECT resource_id AS employee, partner_id, sum(quantity) AS hours FROM usage "
        "WHERE usage_kind = 'staff_hours' AND status = 'open' AND month = '2026-03' "
        "GROUP BY ALL ORDER BY employee, hours DESC")}]}}


class SqlColumn(BaseModel):
    name: str
    type: str


class SqlResult(BaseModel):
    """The rows, as lists in the order of `columns`; `position` is the log position the
    snapshot reflects. Decimals are strings (exact), times ISO 8601, blobs base64."""

    columns: list[SqlColumn]
    rows: list[list[Any]]
    row_count: int
    truncated: bool
    position: int

    model_config = {"json_schema_extra": {"examples": [{
        "columns": [{"name": "employee", "type": "VARCHAR"}, {"name": "partner_id", "type": "VARCHAR"},
                    {"name": "hours", "type": "DECIMAL(38,3)"}],
        "rows": [["assistante-paie", "creche-les-marmottes", "42.500"],
                 ["assistante-paie", "maison-des-associations", "12.000"]],
        "row_count": 2, "truncated": False, "position": 4812}]}}


@router.post(
    "/sql", response_model=SqlResult,
    summary="Run one SELECT over a read-only snapshot of the projections (analysts)",
    description=(
        "The snapshot is a copy of the projection database (docs/schema.md) as of `position`, "
        "refreshed as the projections advance, with employees named `employee-<n>`. It cannot "
        "read files, URLs or the server's variables, load extensions or change settings. A query "
        "runs in a worker process whose memory the operating system bounds: it is stopped after the "
        "analysts' time limit (408) or when it needs more than their memory (422), and its result "
        "is cut after the row limit "
        "(`truncated`). `Accept: text/csv` answers CSV, `Accept: application/vnd.apache.parquet` "
        "Parquet; both carry `Encommun-Position`, `Encommun-Row-Count` and `Encommun-Truncated`."
    ),
    responses={200: {"content": {"text/csv": {}, PARQUET: {}}},
               403: {"description": "not an analyst, coordinator or auditor token, or a query "
                                    "reaching for files or settings"},
               406: {"description": "an Accept header naming no format this route answers"},
               408: {"description": "the query ran longer than the analysts' time limit"},
               422: {"description": "not exactly one SELECT, DuckDB refused it (its message), or it "
                                    "needed more than the analysts' memory"},
               503: {"description": "every analysts' worker is busy; try again"}},
)
def run_sql(
    *, services: ServicesDep, token: TokenDep, after: After = None,
    body: Annotated[SqlQuery, Body()],
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    require_role(token, *ANALYSTS)
    form = negotiate(accept)
    wait_for(services, after)
    with services.snapshots.snapshot(at_least=after) as snapshot:
        result = snapshot.query(body.sql)  # a SqlError is a problem (api/problems.py)
    headers = {"Encommun-Position": str(result.position), "Encommun-Row-Count": str(result.table.num_rows),
               "Encommun-Truncated": "true" if result.truncated else "false"}
    if form == "csv":
        return Response(to_csv(result), media_type="text/csv; charset=utf-8", headers=headers)
    if form == "parquet":
        try:
            content = to_parquet(result)
        except (pa.ArrowException, ValueError) as error:
            raise SqlParquet(f"these columns cannot be written as Parquet ({error}); cast them "
                             f"in the query (e.g. to VARCHAR)") from None
        return Response(content, media_type=PARQUET, headers=headers)
    return JSONResponse(to_json(result), headers=headers)


def negotiate(accept: str | None) -> str:
    """json, csv or parquet: the first format of the highest quality the client accepts."""
    if not accept or not accept.strip():
        return "json"
    offers = []
    for order, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        form = FORMATS.get(media.lower())
        if form is not None and quality > 0:
            offers.append((-quality, order, form))
    if not offers:
        raise HTTPException(406, f"answers are application/json, text/csv or {PARQUET}; "
                                 f"Accept asked for {accept!r}")
    return min(offers)[2]


# Rendering ------------------------------------------------------------------------------


def _plain(value: Any, *, nested_as_text: bool = False) -> Any:
    """A value of a row as JSON has it: exact decimals and big integers as they are written."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        nested = {str(k): _plain(v) for k, v in value.items()}
        return json.dumps(nested, ensure_ascii=False) if nested_as_text else nested
    if isinstance(value, (list, tuple)):
        nested = [_plain(v) for v in value]
        return json.dumps(nested, ensure_ascii=False) if nested_as_text else nested
    return str(value)  # intervals (MonthDayNano), and anything newer


def _rows(result: QueryResult, *, nested_as_text: bool = False) -> list[list[Any]]:
    columns = [result.table.column(i).to_pylist() for i in range(result.table.num_columns)]
    return [[_plain(value, nested_as_text=nested_as_text) for value in row] for row in zip(*columns)]


def to_json(result: QueryResult) -> dict[str, Any]:
    return {
        "columns": [{"name": name, "type": type_} for name, type_ in result.columns],
        "rows": _rows(result),
        "row_count": result.table.num_rows,
        "truncated": result.truncated,
        "position": result.position,
    }


def to_csv(result: QueryResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in result.columns])
    for row in _rows(result, nested_as_text=True):
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue()


def to_parquet(result: QueryResult) -> bytes:
    table = result.table.replace_schema_metadata({
        **(result.table.schema.metadata or {}),
        b"encommun.position": str(result.position).encode(),
        b"encommun.truncated": b"true" if result.truncated else b"false",
    })
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()
