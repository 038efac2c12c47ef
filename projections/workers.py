"""The API's (or the CLI's) side of the analysts' sandbox: a pool of worker processes.

Each query runs in a worker (`python -m projections.sql_worker`), a fresh interpreter whose
address space the operating system caps (RLIMIT_AS, set by the worker itself). The pool
sends a job and waits for the answer until the analysts' time limit plus `GRACE`: DuckDB's
own `max_execution_time` normally answers first; past the deadline the worker is killed
(SIGKILL) and the query answered as timed out. A worker that dies without answering hit
its memory cap (the allocator fails; DuckDB or Python gives up, or the process is killed).
Either way the API's process holds nothing of the query but its bounded result.

Workers are started ahead (`spare` of them wait, ready), reused for the next job while they
stay healthy (a worker retires itself when its address space grew or it ran out of
memory), and at most `max_workers` run at once: past that a query waits for one, and is
refused as busy (503) if none frees up within the time limit.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import pyarrow as pa

import projections
from projections.sandbox import ERRORS, MAX_RESULT_BYTES, Limits, QueryResult, SqlBusy, SqlError, SqlOutOfMemory, SqlTimeout

# How long past the time limit a worker may take to answer before it is killed.
GRACE_S = 0.5
CHUNK = 1 << 20
_ROOT = str(Path(projections.__file__).resolve().parents[1])


class _Stopped(Exception):
    """The worker exited (or was killed) before it answered."""


class Worker:
    """One worker process and the pipes to it; used by one thread at a time."""

    def __init__(self, limits: Limits) -> None:
        env = dict(os.environ)
        # glibc gives each thread a 64 MB arena of address space: two keep the cap meaningful.
        env["MALLOC_ARENA_MAX"] = "2"
        # Arrow's default pool (mimalloc) reserves a gigabyte of address space up front.
        env["ARROW_DEFAULT_MEMORY_POOL"] = "system"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_ROOT, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "projections.sql_worker", json.dumps(asdict(limits))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, bufsize=0, env=env, cwd=_ROOT,
            start_new_session=True)  # a Ctrl-C of the CLI reaches the CLI, which kills its workers
        self._buffer = bytearray()
        self._ready = False

    def ensure_ready(self, deadline: float) -> None:
        if not self._ready:
            hello = self.read_line(deadline)
            if not hello.get("ready"):
                raise RuntimeError(f"an analysts' worker did not start: {hello}")
            self._ready = True

    def send(self, job: dict) -> None:
        try:
            self.process.stdin.write(json.dumps(job).encode() + b"\n")
        except (BrokenPipeError, OSError):
            raise _Stopped() from None

    def _fill(self, deadline: float) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise TimeoutError()
        chunk = os.read(self.process.stdout.fileno(), CHUNK)
        if not chunk:
            raise _Stopped()
        self._buffer += chunk

    def read_line(self, deadline: float) -> dict:
        while (end := self._buffer.find(b"\n")) < 0:
            if len(self._buffer) > CHUNK:
                raise RuntimeError("an analysts' worker sent a line too long")
            self._fill(deadline)
        line = bytes(self._buffer[:end])
        del self._buffer[:end + 1]
        return json.loads(line)

    def read_bytes(self, size: int, deadline: float) -> bytes:
        while len(self._buffer) < size:
            self._fill(deadline)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass

    def exit_status(self) -> str:
        code = self.process.wait()
        return f"signal {-code}" if code < 0 else f"exit status {code}"


class WorkerPool:
    def __init__(self, limits: Limits, *, max_workers: int = 4, spare: int = 1) -> None:
        self.limits = limits
        self.max_workers = max_workers
        self.spare = spare
        self._idle: list[Worker] = []
        self._busy = 0
        self._closed = False
        self._changed = threading.Condition()

    def start(self) -> None:
        """Start the spare workers now, so that the first queries do not wait for them."""
        with self._changed:
            self._top_up()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._changed.notify_all()
        for worker in idle:
            worker.kill()

    def _top_up(self) -> None:
        while not self._closed and len(self._idle) < self.spare and len(self._idle) + self._busy < self.max_workers:
            self._idle.append(Worker(self.limits))

    def _acquire(self) -> Worker:
        deadline = time.monotonic() + self.limits.timeout_s
        with self._changed:
            while True:
                if self._closed:
                    raise RuntimeError("the analysts' workers are stopped")
                if self._idle:
                    worker = self._idle.pop()
                    break
                if self._busy < self.max_workers:
                    worker = Worker(self.limits)
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SqlBusy(f"{self.max_workers} analysts' queries are already running; "
                                  f"try again in a few seconds")
                self._changed.wait(left)
            self._busy += 1
        return worker

    def _release(self, worker: Worker, reusable: bool) -> None:
        if not reusable:
            worker.kill()
        with self._changed:
            self._busy -= 1
            if reusable and not self._closed:
                self._idle.append(worker)
            elif reusable:
                worker.kill()
            self._top_up()
            self._changed.notify_all()

    def _run(self, job: dict, answer: Callable[[Worker, float], tuple[dict, object]]) -> object:
        """Send `job` to a worker; `answer` reads its reply (the final line, and what it made of it)."""
        worker = self._acquire()
        # From now on, not from when the job is sent: a worker still starting eats into the
        # query's time, so the caller's answer stays within the limit + GRACE_S.
        deadline = time.monotonic() + self.limits.timeout_s + GRACE_S
        reusable = False
        try:
            worker.ensure_ready(deadline)
            worker.send(job)
            last, result = answer(worker, deadline)
        except TimeoutError:
            raise SqlTimeout(f"the query ran longer than {self.limits.timeout_s:g} s, the analysts' limit, "
                             f"and was stopped") from None
        except _Stopped:
            raise SqlOutOfMemory(
                f"the query's worker was stopped ({worker.exit_status()}): it needed more than the "
                f"analysts' memory ({self.limits.memory_limit})") from None
        else:
            reusable = not last.get("retire")
        finally:
            self._release(worker, reusable)
        if not last.get("ok"):
            raise ERRORS.get(last.get("rule"), SqlError)(last.get("message", "the query failed"))
        return result

    def select(self, path: Path | str, sql: str, temp_root: Path | str, row_limit: int | None = None) -> QueryResult:
        """One SELECT on the database at `path`, in a worker; a SqlError if it fails or is stopped."""
        job = {"kind": "select", "path": str(path), "sql": sql, "row_limit": row_limit,
               "temp_root": str(temp_root)}

        def answer(worker: Worker, deadline: float) -> tuple[dict, QueryResult | None]:
            head = worker.read_line(deadline)
            if not head.get("ok"):
                return head, None
            if head["bytes"] > 2 * MAX_RESULT_BYTES:
                raise RuntimeError(f"an analysts' worker sent a result of {head['bytes']} bytes")
            table = pa.ipc.open_stream(worker.read_bytes(head["bytes"], deadline + 5)).read_all()
            return head, QueryResult([tuple(c) for c in head["columns"]], table, head["truncated"],
                                     head["position"])

        return self._run(job, answer)

    def export(self, path: Path | str, tables: tuple[str, ...], directory: Path, format: str,
               temp_root: Path | str, on_table: Callable[[str, int], None]) -> None:
        """Each table of the database at `path` to `directory/<table>.<format>`, in a worker;
        the time limit applies to each table."""
        job = {"kind": "export", "path": str(path), "tables": list(tables), "directory": str(directory),
               "format": format, "temp_root": str(temp_root)}

        def answer(worker: Worker, deadline: float) -> tuple[dict, None]:
            while "table" in (line := worker.read_line(deadline)):
                on_table(line["table"], line["rows"])
                deadline = time.monotonic() + self.limits.timeout_s + GRACE_S
            return line, None

        self._run(job, answer)
