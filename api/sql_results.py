"""Results of the analysts' SQL as the API and the pages give them: JSON (exact decimals as
strings, times ISO 8601, blobs base64), CSV, Parquet (with the snapshot's position)."""

from __future__ import annotations

import base64
import csv
import io
import json
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pyarrow.parquet as pq

from projections.sandbox import QueryResult

PARQUET_MEDIA_TYPE = "application/vnd.apache.parquet"

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
