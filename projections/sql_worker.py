"""A worker process of the analysts' sandbox: `python -m projections.sql_worker LIMITS_JSON`.

Started by `projections.workers.WorkerPool` as a fresh interpreter (never forked from the
API, whose threads — uvicorn's, the projection follower's, DuckDB's — a fork would copy
half-way). Once its modules are loaded it caps its own address space (`RLIMIT_AS`: what it
has then, plus the analysts' memory limit, plus room for one result), asks the kernel to
kill it if its parent dies, says it is ready, then runs jobs, one JSON line each on its
standard input, until that closes:

* `{"kind": "select", "path", "sql", "row_limit", "temp_root"}`: one SELECT on a locked-down
  connection (projections.sandbox); answers one JSON line (`ok`, `columns`, `truncated`,
  `position`, `bytes`) and then `bytes` bytes of an Arrow IPC stream, or `ok: false` with
  the `rule` and `message` of the error;
* `{"kind": "export", "path", "tables", "directory", "format", "temp_root"}`: each table
  copied to `directory/<table>.<format>` (the only directory the connection may write), in
  one transaction; a JSON line per table (`table`, `rows`), then `ok`.

A select keeps its database open for the next select on the same file (each query gets a
cursor of its own, so nothing one leaves, e.g. a temp table, reaches the next); an export
opens its own. A worker whose address space grew, or that ran out of memory, says
`retire: true` and exits.
The API kills a worker past the deadline; nothing here relies on being allowed to finish.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import resource
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

import duckdb
import pyarrow as pa

from projections.runner import APPLICATION
from projections.sandbox import (BATCH_ROWS, Limits, SqlError, SqlOutOfMemory, SqlUnavailable, open_locked, run_select,
                                 translated)

# Beyond DuckDB's memory limit: one result (MAX_RESULT_BYTES) and its IPC copy, thread
# stacks, Arrow's and Python's own allocations.
HEADROOM = 384 * 1024 * 1024
# A worker whose address space grew more than this over a job is replaced (memory an
# allocator keeps would count against the next job's limit).
GROWTH = 64 * 1024 * 1024
FORMATS = {"parquet": "(FORMAT parquet)", "csv": "(FORMAT csv, HEADER true)"}
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def size_in_bytes(text: str) -> int:
    """A DuckDB size ('512MB', '1GiB', '300 MB') in bytes; decimal units are powers of 1000."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if match is None or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {text!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def address_space() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: the closed stdin still ends the worker


def _position(conn: duckdb.DuckDBPyConnection) -> int:
    row = conn.execute("SELECT notification_id FROM tracking WHERE application_name = ?",
                       [APPLICATION]).fetchone()
    return 0 if row is None else int(row[0])


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Database:
    """The database of the last select job, kept open for the next one on the same file (the
    snapshot changes only when the projections advance), with a temp directory of its own."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.path: str | None = None
        self.conn: duckdb.DuckDBPyConnection | None = None
        self.temp_dir: Path | None = None
        self.position = 0

    def open(self, path: str, temp_root: str) -> duckdb.DuckDBPyConnection:
        if self.path != path:
            self.close()
            self.temp_dir = Path(tempfile.mkdtemp(prefix="worker-", dir=temp_root))
            self.conn = open_locked(path, self.limits, self.temp_dir)
            self.path = path
            self.position = _position(self.conn)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
        self.path = self.conn = self.temp_dir = None


def select(job: dict, database: Database) -> tuple[dict, pa.Buffer]:
    conn = database.open(job["path"], job["temp_root"])
    limits = database.limits
    if job.get("row_limit"):
        limits = Limits(limits.timeout_s, limits.memory_limit, limits.temp_limit, job["row_limit"])
    result = run_select(conn, job["sql"], limits, database.position)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, result.table.schema) as writer:
        writer.write_table(result.table)
    payload = sink.getvalue()
    return {"ok": True, "columns": result.columns, "truncated": result.truncated,
            "position": result.position, "bytes": payload.size}, payload


def export(job: dict, limits: Limits, out: BinaryIO) -> tuple[dict, None]:
    directory = Path(job["directory"])
    temp_dir = Path(tempfile.mkdtemp(prefix="export-", dir=job["temp_root"]))
    conn = open_locked(job["path"], limits, temp_dir, allowed_directories=(str(directory) + os.sep,))
    try:
        conn.begin()  # every table as of one log position
        for name in job["tables"]:
            target = directory / f"{name}.{job['format']}"
            rows = conn.execute(f"COPY (SELECT * FROM {_ident(name)}) TO {_literal(str(target))} "
                                f"{FORMATS[job['format']]}").fetchone()[0]
            _reply(out, {"table": name, "rows": int(rows)})
        conn.rollback()
    finally:
        conn.close()
        shutil.rmtree(temp_dir, ignore_errors=True)
    return {"ok": True}, None


def _warm_up(limits: Limits) -> None:
    """What every job allocates once (DuckDB's threads and caches, Arrow's), so that the
    address space measured after it is the worker's resting size."""
    conn = duckdb.connect(config={"memory_limit": limits.memory_limit})
    try:
        table = conn.sql("SELECT 1 AS one").to_arrow_reader(BATCH_ROWS).read_all()
        with pa.ipc.new_stream(pa.BufferOutputStream(), table.schema) as writer:
            writer.write_table(table)
    finally:
        conn.close()


def _reply(out: BinaryIO, message: dict) -> None:
    out.write(json.dumps(message).encode() + b"\n")
    out.flush()


def main() -> None:
    limits = Limits(**json.loads(sys.argv[1]))
    # The protocol owns the original stdout; anything else printing goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _die_with_parent()
    _warm_up(limits)
    base = address_space()
    cap = base + size_in_bytes(limits.memory_limit) + HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    _reply(out, {"ready": True, "address_space_limit": cap})
    database = Database(limits)
    for line in sys.stdin.buffer:
        job = json.loads(line)
        payload = None
        try:
            answer, payload = select(job, database) if job["kind"] == "select" else export(job, limits, out)
        except SqlError as error:
            answer = {"ok": False, "rule": error.rule, "message": error.message,
                      "retire": isinstance(error, (SqlOutOfMemory, SqlUnavailable))}
        except (duckdb.Error, MemoryError, OSError, pa.ArrowException) as error:
            failure = translated(error, limits)
            answer = {"ok": False, "rule": failure.rule, "message": failure.message, "retire": True}
        answer["retire"] = answer.get("retire", False) or address_space() > base + GROWTH
        _reply(out, answer)
        if payload is not None:
            out.write(memoryview(payload))
            out.flush()
        if answer["retire"]:
            break
    database.close()


if __name__ == "__main__":
    main()
