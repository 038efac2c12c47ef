"""The analysts' SQL: one SELECT over a read-only, pseudonymised snapshot of the projections."""

from __future__ import annotations

from typing import Annotated, Any

import pyarrow as pa
from fastapi import APIRouter, Body, Header, HTTPException
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from application.permissions import ANALYSTS, require_role
from api.deps import ServicesDep, TokenDep
from api.reads import After, wait_for
from api.sql_results import PARQUET_MEDIA_TYPE, to_csv, to_json, to_parquet
from projections.examples import analyst_examples
from projections.sandbox import SqlParquet

router = APIRouter(tags=["analysts' SQL"])

PARQUET = PARQUET_MEDIA_TYPE
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

    # The saved examples (projections/sql/examples.sql), read when the schema is asked for.
    model_config = {"json_schema_extra": lambda schema, _: schema.update(
        examples=[{"sql": example.sql} for example in analyst_examples()[:1]])}


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
