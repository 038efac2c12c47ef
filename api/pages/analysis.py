"""The analyst's page (/analyse): one read-only query over the same locked-down, pseudonymised
snapshot as `POST /sql` (services.snapshots, projections/sandbox.py: the same limits, the same
errors), its result as a table and, when it has a label and a number, as bars; CSV and
Parquet downloads of the same result; the documented schema and the saved examples beside it.

The form is a GET: a query is then a link an analyst can keep or share, and the downloads are
plain links. Running a query changes nothing (a read-only snapshot), so there is no CSRF token
to check; the sandbox's limits bound what a forged link could make the server do, as they
bound any query. URLs are short: a query is at most MAX_SQL characters here (POST /sql takes
longer ones).
"""

from __future__ import annotations

import math
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyarrow as pa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import decimal_fr, integer_fr
from api.pages.result_bars import bar_chart, is_number
from api.pages.messages import sql_refusal
from api.pages.render import page
from api.pages.schema_doc import documented_tables
from api.pages.session import AnalystDep
from api.sql_results import PARQUET_MEDIA_TYPE, to_csv, to_parquet
from application.permissions import ANALYSTS, require_role
from projections.examples import analyst_examples
from projections.sandbox import QueryResult, SqlError, SqlParquet

router = APIRouter(tags=["pages"], include_in_schema=False)

MAX_SQL = 4000
# The page shows the first rows; the downloads hold the whole result (up to the row limit).
SHOWN_ROWS = 500


def cell_text(value: Any) -> str:
    """A value as the page writes it: numbers in French (decimal comma, exact scale), times
    and dates ISO 8601 as the data has them, NULL as NULL."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if isinstance(value, int):
        return integer_fr(value)
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return decimal_fr(value, places=-exponent if isinstance(exponent, int) and exponent < 0 else 0)
    if isinstance(value, float):
        return decimal_fr(Decimal(repr(value))) if math.isfinite(value) else str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"({len(bytes(value))} octets)"
    return str(value)


def _run(request: Request, sql: str) -> QueryResult:
    services = request.app.state.services
    with services.snapshots.snapshot() as snapshot:
        return snapshot.query(sql)


def _refused(request: Request, error: SqlError) -> tuple[int, str]:
    from api.problems import SQL_STATUS  # here: api.problems imports the pages' package

    settings = request.app.state.services.settings
    status = 422 if isinstance(error, SqlParquet) else SQL_STATUS.get(error.rule, 422)
    return status, sql_refusal(error.rule, timeout=decimal_fr(Decimal(str(settings.sql_timeout_s))),
                               memory=settings.sql_memory_limit)


def _checked(sql: str) -> str | None:
    """A French refusal for a query the page will not send, else None."""
    if len(sql) > MAX_SQL:
        return (f"« Requête SQL » : la requête dépasse {integer_fr(MAX_SQL)} caractères, la limite d'un lien ; "
                "envoyez-la à POST /sql.")
    return None


def _analysis_page(request: Request, sql: str, *, result: QueryResult | None = None, status: int = 200,
                   error: str | None = None, engine: str | None = None) -> HTMLResponse:
    columns, texts, numeric, chart = [], [], [], None
    if result is not None:
        columns = result.columns
        shown = result.table.slice(0, SHOWN_ROWS)
        rows = [list(row) for row in zip(*(shown.column(i).to_pylist() for i in range(shown.num_columns)))]
        texts = [[cell_text(value) for value in row] for row in rows]
        numeric = [is_number(kind) for _, kind in columns]
        chart = bar_chart(columns, rows, texts)
    return page(request, "analysis.html", status=status, title="Requêtes SQL", sql=sql, result=result,
                columns=columns, texts=texts, numeric=numeric, chart=chart, shown=SHOWN_ROWS, error=error,
                engine=engine, field="sql" if error else None, examples=analyst_examples(),
                tables=documented_tables(), max_sql=MAX_SQL)


@router.get("/analyse", response_class=HTMLResponse)
def analysis(request: Request, who: AnalystDep, sql: str = "") -> HTMLResponse:
    require_role(who, *ANALYSTS)
    sql = sql.strip()
    if not sql:
        return _analysis_page(request, "")
    refusal = _checked(sql)
    if refusal:
        return _analysis_page(request, sql[:MAX_SQL], status=422, error=refusal)
    try:
        result = _run(request, sql)
    except SqlError as error:
        status, message = _refused(request, error)
        return _analysis_page(request, sql, status=status, error=message, engine=error.message)
    return _analysis_page(request, sql, result=result)


def _download(request: Request, sql: str, form: str) -> Response:
    sql = sql.strip()
    refusal = _checked(sql) or (None if sql else "« Requête SQL » : la requête est vide.")
    if refusal:
        return _analysis_page(request, sql[:MAX_SQL], status=422, error=refusal)
    try:
        result = _run(request, sql)
        if form == "csv":
            content, media = to_csv(result).encode(), "text/csv; charset=utf-8"
        else:
            try:
                content, media = to_parquet(result), PARQUET_MEDIA_TYPE
            except (pa.ArrowException, ValueError) as error:
                raise SqlParquet(str(error)) from None
    except SqlError as error:
        status, message = _refused(request, error)
        return _analysis_page(request, sql, status=status, error=message, engine=error.message)
    headers = {"Content-Disposition": f'attachment; filename="requete-p{result.position}.{form}"',
               "Encommun-Position": str(result.position), "Encommun-Row-Count": str(result.table.num_rows),
               "Encommun-Truncated": "true" if result.truncated else "false"}
    return Response(content, media_type=media, headers=headers)


@router.get("/analyse/resultat.csv")
def download_csv(request: Request, who: AnalystDep, sql: str = "") -> Response:
    require_role(who, *ANALYSTS)
    return _download(request, sql, "csv")


@router.get("/analyse/resultat.parquet")
def download_parquet(request: Request, who: AnalystDep, sql: str = "") -> Response:
    require_role(who, *ANALYSTS)
    return _download(request, sql, "parquet")
