"""Write benchmark: events per second appended through the ledger, beside the raw ceiling.

    python -m bench.write [--events N] [--batch-events M] [--rounds R]
                          [--store all|sqlite|postgres] [--profile]

For each store (a SQLite file, then PostgreSQL) and each write path, a fresh store gets a
small pool (partners and resources, one setup batch), a short untimed warm-up, then the
timed commands: RecordEquipmentUse / LogStaffHours / BookSlot spread over many days, so
that containers (day agendas, week timesheets) stay small as in a real pool.

- application single: `Ledger.execute(cmd, actor=...)`, one command per transaction;
- single + idempotency key: the same with a fresh key per command (a receipt row is
  written in the same transaction, and the key is looked up first);
- batch 100 / batch 10,000: `Ledger.execute_batch(cmds, actor=...)`.

Only domain events are counted, never receipts. Beside each application path, the raw
ceiling inserts the same number of rows of the same size (the ids, versions, topics
and state lengths of the events the application just stored, with fresh random ids) into
a table laid out like the library's, with plain `sqlite3` / `psycopg`: one row per
transaction (the baseline of both single paths), or `executemany` with the same batch size.
Application and raw ceiling alternate in rounds (`--rounds`, default 5), so that both see
the same disk: fsync latency on a virtual disk drifts within a run.
Raw SQLite uses what the library sets (WAL journal, default synchronous); raw PostgreSQL
has autocommit off and commits per row / per batch. All files live in one temporary
directory (same file system for the application and the raw ceiling).

PostgreSQL: with ENCOMMUN_BENCH_POSTGRES=1 the server of the ENCOMMUN_POSTGRES_* settings
is used (fresh databases are created and dropped); otherwise a throwaway server is started
from Debian's binaries (fsync on), and if there are none PostgreSQL is skipped, loudly.

`--profile` then runs the single-command SQLite path again, under cProfile (own time per
function, grouped: commit/fsync, SQL, pydantic, eventsourcing, our code) and pyinstrument
(call tree), next to an unprofiled reference run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import shutil
import sqlite3
import sys
import sysconfig
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

import psycopg
from rich.console import Console
from rich.table import Table

from bootstrap import bootstrap
from domain.commands import (
    BookSlot,
    Command,
    JoinPartner,
    LogStaffHours,
    RecordEquipmentUse,
    RegisterResource,
)
from application.ledger import Ledger
from settings import Settings

ACTOR = "bench@encommun"
PARIS = ZoneInfo("Europe/Paris")
ROOT = Path(__file__).resolve().parent.parent

# The pool: partners joined well before the first usage day.
PARTNERS = [f"partner-{i:02d}" for i in range(12)]
ROOMS = [f"salle-{i}" for i in range(6)]  # premises, capacity 1: four 2-hour slots a day
COPIERS = [f"copieur-{i}" for i in range(6)]  # equipment counted in pages
EMPLOYEES = [f"salarie-{i}" for i in range(6)]  # staff: 1.5 h a day for one partner
SLOTS_PER_DAY = 4
USES_PER_DAY = 4
WARM_UP_START = date(2020, 3, 2)
TIMED_START = date(2021, 1, 4)
WARM_UP_COMMANDS = 60
RAW_WARM_UP_ROWS = 60

SINGLE, KEYED, BATCH_100, BATCH_10K = "single", "keyed", "batch-100", "batch-10000"
PATH_LABELS = {
    SINGLE: "application single",
    KEYED: "single + idempotency key",
    BATCH_100: "batch 100",
    BATCH_10K: "batch 10,000",
}
BATCH_SIZES = {SINGLE: 1, KEYED: 1, BATCH_100: 100, BATCH_10K: 10_000}
# The ambition, on a SQLite file: ratio to the raw ceiling of the same batch size.
SQLITE_TARGETS = {SINGLE: 40.0, BATCH_100: 50.0, BATCH_10K: 50.0}

# Piped (make, tee): wide enough for the tables, with no wrapping of the progress lines.
console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 120)


# The workload ----------------------------------------------------------------------------


def setup_commands() -> list[Command]:
    joined = date(2020, 1, 1)
    commands: list[Command] = [
        JoinPartner(partner_id=p, name=f"Partenaire {p[-2:]}", joined_on=joined) for p in PARTNERS
    ]
    commands += [
        RegisterResource(resource_id=r, name=f"Salle {r[-1]}", kind="premises", unit="hour")
        for r in ROOMS
    ]
    commands += [
        RegisterResource(resource_id=c, name=f"Copieur {c[-1]}", kind="equipment", unit="page")
        for c in COPIERS
    ]
    commands += [
        RegisterResource(resource_id=e, name=f"Salarié {e[-1]}", kind="staff", unit="hour")
        for e in EMPLOYEES
    ]
    return commands


def workload(n: int, start: date) -> list[Command]:
    """n valid commands from `start` on: a third each of equipment uses, staff hours and
    bookings, the days advancing so that no container gets more than 7 entries."""
    commands: list[Command] = []
    for i in range(n):
        kind, j = i % 3, i // 3
        partner = PARTNERS[(7 * j + kind) % len(PARTNERS)]
        if kind == 0:
            day = start + timedelta(days=j // (len(COPIERS) * USES_PER_DAY))
            commands.append(
                RecordEquipmentUse(
                    resource_id=COPIERS[j % len(COPIERS)], partner_id=partner, used_on=day,
                    quantity=Decimal(1 + j % 97), unit="page",
                )
            )
        elif kind == 1:
            day = start + timedelta(days=j // len(EMPLOYEES))
            commands.append(
                LogStaffHours(
                    employee_id=EMPLOYEES[j % len(EMPLOYEES)], partner_id=partner,
                    work_date=day, hours=Decimal("1.5"),
                )
            )
        else:
            day = start + timedelta(days=j // (len(ROOMS) * SLOTS_PER_DAY))
            slot = (j // len(ROOMS)) % SLOTS_PER_DAY
            begins = datetime(day.year, day.month, day.day, 8 + 2 * slot, tzinfo=PARIS)
            commands.append(
                BookSlot(
                    resource_id=ROOMS[j % len(ROOMS)], partner_id=partner,
                    starts_at=begins, ends_at=begins + timedelta(hours=2),
                )
            )
    return commands


# Measurements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds


# (originator_id, originator_version, topic, state length) of each event the app stored.
Shape = list[tuple[uuid.UUID, int, str, int]]


def prepare(ledger: Ledger, path: str) -> None:
    ledger.execute_batch(setup_commands(), actor=ACTOR)
    warm = workload(WARM_UP_COMMANDS, WARM_UP_START)
    if BATCH_SIZES[path] == 1:
        for i, command in enumerate(warm):
            ledger.execute(command, actor=ACTOR, idempotency_key=f"warm-{i}" if path == KEYED else None)
    else:
        ledger.execute_batch(warm, actor=ACTOR)


def run_app(ledger: Ledger, path: str, commands: list[Command]) -> Rate:
    """The timed part: only the ledger calls, the commands are built (validated) before."""
    events = 0
    if path == SINGLE:
        started = time.perf_counter()
        for command in commands:
            events += len(ledger.execute(command, actor=ACTOR).events)
    elif path == KEYED:
        keys = [f"bench-{uuid.uuid4().hex}" for _ in commands]
        started = time.perf_counter()
        for command, key in zip(commands, keys):
            events += len(ledger.execute(command, actor=ACTOR, idempotency_key=key).events)
    else:
        size = BATCH_SIZES[path]
        batches = [commands[k : k + size] for k in range(0, len(commands), size)]
        started = time.perf_counter()
        for batch in batches:
            events += len(ledger.execute_batch(batch, actor=ACTOR).events)
    return Rate(events, time.perf_counter() - started)


def stored_shape(ledger: Ledger, after: int) -> Shape:
    """The domain events the app stored after notification `after` (receipts left out)."""
    notifications = ledger.recorder.select_notifications(start=after + 1, limit=10**9)
    return [
        (n.originator_id, n.originator_version, n.topic, len(n.state))
        for n in notifications
        if not n.topic.endswith(":CommandReceived")
    ]


def raw_rows(shape: Shape) -> list[tuple[uuid.UUID, int, str, bytes]]:
    """Rows of the same sizes, with the same id/version pattern under fresh random ids."""
    fresh: dict[uuid.UUID, uuid.UUID] = {}
    return [
        (fresh.setdefault(oid, uuid.uuid4()), version, topic, os.urandom(size))
        for oid, version, topic, size in shape
    ]


def warm_rows(n: int) -> list[tuple[uuid.UUID, int, str, bytes]]:
    return [(uuid.uuid4(), 1, "domain.events:EquipmentUsed", os.urandom(300)) for _ in range(n)]


def chunks(rows: list, size: int) -> list[list]:
    return [rows[k : k + size] for k in range(0, len(rows), size)]


# Raw SQLite: the library's application recorder table, WAL journal, default synchronous.
SQLITE_CREATE = (
    "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
    "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
)
SQLITE_INSERT = "INSERT INTO stored_events VALUES (?,?,?,?)"


def timed_inserts(
    rows: list, batch: int, one: Callable[[tuple], None], many: Callable[[list], None]
) -> Rate:
    if batch == 1:
        started = time.perf_counter()
        for row in rows:
            one(row)
    else:
        parts = chunks(rows, batch)
        started = time.perf_counter()
        for part in parts:
            many(part)
    return Rate(len(rows), time.perf_counter() - started)


class RawSQLite:
    """Plain sqlite3 on a fresh file: explicit BEGIN/COMMIT around each row or batch."""

    def __init__(self, file: Path) -> None:
        self.conn = sqlite3.connect(file, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(SQLITE_CREATE)
        self.cursor = self.conn.cursor()
        self.insert(warm_rows(RAW_WARM_UP_ROWS), 1)

    def _one(self, row: tuple) -> None:
        self.cursor.execute("BEGIN")
        self.cursor.execute(SQLITE_INSERT, row)
        self.cursor.execute("COMMIT")

    def _many(self, rows: list) -> None:
        self.cursor.execute("BEGIN")
        self.cursor.executemany(SQLITE_INSERT, rows)
        self.cursor.execute("COMMIT")

    def insert(self, rows: list, batch: int) -> Rate:
        as_text = [(oid.hex, version, topic, state) for oid, version, topic, state in rows]
        return timed_inserts(as_text, batch, self._one, self._many)

    def close(self) -> None:
        self.conn.close()


def sqlite_pragmas(conn_execute: Callable[[str], object]) -> str:
    mode = conn_execute("PRAGMA journal_mode")
    sync = conn_execute("PRAGMA synchronous")
    names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return f"journal_mode={mode}, synchronous={names.get(sync, sync)}"


def app_sqlite_pragmas(ledger: Ledger) -> str:
    def read(statement: str) -> object:
        with ledger.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement)
            return cursor.fetchone()[0]

    return sqlite_pragmas(read)


def raw_sqlite_pragmas(file: Path) -> str:
    conn = sqlite3.connect(file, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        return sqlite_pragmas(lambda s: conn.execute(s).fetchone()[0])
    finally:
        conn.close()


# PostgreSQL ------------------------------------------------------------------------------


PG_CREATE = (
    "CREATE TABLE stored_events (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
    "topic text, state bytea, notification_id bigserial, "
    "PRIMARY KEY (originator_id, originator_version))"
)
PG_INDEX = "CREATE UNIQUE INDEX stored_events_notification_id ON stored_events (notification_id ASC)"
PG_INSERT = (
    "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
    "VALUES (%s, %s, %s, %s)"
)


@dataclass
class PostgresTarget:
    host: str
    port: int
    user: str
    password: str
    maintenance_db: str
    origin: str
    drop_afterwards: bool
    version: str = ""
    created: list[str] = field(default_factory=list)

    def connect(self, dbname: str, *, autocommit: bool) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, password=self.password or None,
            dbname=dbname, autocommit=autocommit,
        )

    def new_database(self, label: str) -> str:
        name = f"encommun_bench_{os.getpid()}_{len(self.created) + 1}_{label.replace('-', '_')}"
        with self.connect(self.maintenance_db, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
            if not self.version:
                self.version = conn.execute("SHOW server_version").fetchone()[0]
        self.created.append(name)
        return name

    def settings(self, dbname: str) -> Settings:
        return Settings(
            store="postgres", postgres_host=self.host, postgres_port=self.port,
            postgres_user=self.user, postgres_password=self.password, postgres_dbname=dbname,
        )

    def drop_all(self) -> None:
        if not self.drop_afterwards:
            return
        with self.connect(self.maintenance_db, autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SKIPPED: list[str] = []


def skipped(reason: str) -> None:
    line = f"!!! PostgreSQL SKIPPED: {reason}. Only SQLite was measured. !!!"
    console.print(f"[bold red]{'!' * len(line)}\n{line}\n{'!' * len(line)}[/]", markup=True)
    SKIPPED.append(line)


def postgres_target(stack: ExitStack) -> PostgresTarget | None:
    if os.environ.get("ENCOMMUN_BENCH_POSTGRES") == "1":
        s = Settings(store="postgres")
        target = PostgresTarget(
            s.postgres_host, s.postgres_port, s.postgres_user, s.postgres_password,
            s.postgres_dbname, f"configured server {s.postgres_host}:{s.postgres_port}",
            drop_afterwards=True,
        )
        stack.callback(target.drop_all)
        # eventsourcing looks up ENCOMMUN_POSTGRES_DBNAME (its app-name prefix + key) in
        # os.environ before the env the ledger is given, which would send every fresh
        # database's ledger to the configured one: keep those out of the environment now.
        saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("ENCOMMUN_POSTGRES_")}
        stack.callback(os.environ.update, saved)
        return target
    from bench import postgres_server

    bindir = postgres_server.find_bindir()
    if bindir is None:
        skipped("no PostgreSQL binaries (apt-get install postgresql, or set "
                "ENCOMMUN_BENCH_POSTGRES=1 and ENCOMMUN_POSTGRES_*)")
        return None
    try:
        server = postgres_server.start(bindir)
    except Exception as error:  # noqa: BLE001 - any failure to start means "skip, loudly"
        skipped(f"the throwaway server from {bindir} did not start ({error})")
        return None
    stack.callback(postgres_server.stop, server, bindir)
    return PostgresTarget(
        server.host, server.port, server.user, "", "postgres",
        f"throwaway server from {bindir}, fsync=on", drop_afterwards=False,
    )


class RawPostgres:
    """Plain psycopg on a fresh database, autocommit off: commit per row or per batch."""

    def __init__(self, target: PostgresTarget, label: str) -> None:
        self.conn = target.connect(target.new_database(f"raw_{label}"), autocommit=False)
        self.conn.execute(PG_CREATE)
        self.conn.execute(PG_INDEX)
        self.conn.commit()
        self.cursor = self.conn.cursor()
        self.insert(warm_rows(RAW_WARM_UP_ROWS), 1)

    def _one(self, row: tuple) -> None:
        self.cursor.execute(PG_INSERT, row)
        self.conn.commit()

    def _many(self, rows: list) -> None:
        self.cursor.executemany(PG_INSERT, rows)
        self.conn.commit()

    def insert(self, rows: list, batch: int) -> Rate:
        return timed_inserts(rows, batch, self._one, self._many)

    def close(self) -> None:
        self.conn.close()


# One store, all paths ----------------------------------------------------------------------


@dataclass
class Row:
    store: str
    path: str
    app: Rate
    raw: Rate
    state_bytes: float

    @property
    def ratio(self) -> float:
        return 100.0 * self.app.per_second / self.raw.per_second


def measure_path(
    ledger: Ledger, path: str, commands: list[Command], raw: RawSQLite | RawPostgres, rounds: int
) -> tuple[Rate, Rate, float]:
    """Application and raw ceiling in alternating rounds, so that both see the same disk
    (fsync latency on shared or virtual disks drifts within a run)."""
    size = BATCH_SIZES[path]
    units = len(commands) // size
    rounds = max(1, min(rounds, units))
    app_total, raw_total, state_bytes = Rate(0, 0.0), Rate(0, 0.0), 0
    for r in range(rounds):
        part = commands[size * (units * r // rounds) : size * (units * (r + 1) // rounds)]
        before = ledger.recorder.max_notification_id() or 0
        app = run_app(ledger, path, part)
        shape = stored_shape(ledger, before)
        assert len(shape) == app.count, (len(shape), app.count)
        raw_rate = raw.insert(raw_rows(shape), size)
        app_total = Rate(app_total.count + app.count, app_total.seconds + app.seconds)
        raw_total = Rate(raw_total.count + raw_rate.count, raw_total.seconds + raw_rate.seconds)
        state_bytes += sum(s for *_, s in shape)
    return app_total, raw_total, state_bytes / app_total.count


def measure_store(
    store: str,
    new_ledger: Callable[[str], Ledger],
    new_raw: Callable[[str], RawSQLite | RawPostgres],
    sizes: dict[str, int],
    rounds: int,
    on_first_ledger: Callable[[Ledger], None] = lambda _: None,
) -> list[Row]:
    rows: list[Row] = []
    for path in (SINGLE, KEYED, BATCH_100, BATCH_10K):
        commands = workload(sizes[path], TIMED_START)
        with ExitStack() as stack:
            ledger = new_ledger(path)
            stack.callback(ledger.close)
            raw = new_raw(path)
            stack.callback(raw.close)
            if path == SINGLE:
                on_first_ledger(ledger)
            prepare(ledger, path)
            app, raw_rate, state_bytes = measure_path(ledger, path, commands, raw, rounds)
        row = Row(store, path, app, raw_rate, state_bytes)
        rows.append(row)
        console.print(
            f"  {store:10} {PATH_LABELS[path]:24} {app.count:>6} events in {app.seconds:6.2f} s "
            f"= {app.per_second:>7,.0f}/s | raw {raw_rate.count} rows in {raw_rate.seconds:6.2f} s "
            f"= {raw_rate.per_second:>7,.0f}/s | {row.ratio:5.1f} % (state {state_bytes:.0f} B)"
        )
    return rows


def sqlite_rows(tmp: Path, sizes: dict[str, int], rounds: int, notes: list[str]) -> list[Row]:
    def new_ledger(path: str) -> Ledger:
        return bootstrap(Settings(store="sqlite", sqlite_path=tmp / f"app-{path}.sqlite"))

    def new_raw(path: str) -> RawSQLite:
        return RawSQLite(tmp / f"raw-{path}.sqlite")

    def note_pragmas(ledger: Ledger) -> None:
        notes.append(f"SQLite application store: {app_sqlite_pragmas(ledger)}; "
                     f"raw: {raw_sqlite_pragmas(tmp / 'raw-pragmas.sqlite')}")

    return measure_store("SQLite", new_ledger, new_raw, sizes, rounds, note_pragmas)


def postgres_rows(target: PostgresTarget, sizes: dict[str, int], rounds: int) -> list[Row]:
    def new_ledger(path: str) -> Ledger:
        return bootstrap(target.settings(target.new_database(f"app_{path}")))

    def new_raw(path: str) -> RawPostgres:
        return RawPostgres(target, path)

    return measure_store("PostgreSQL", new_ledger, new_raw, sizes, rounds)


# Reporting ---------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def file_system(directory: Path) -> str:
    """The mount holding `directory`, from /proc/mounts."""
    best = ("", "?", "?")
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            device, mount, kind = line.split()[:3]
            if str(directory).startswith(mount) and len(mount) >= len(best[0]):
                best = (mount, kind, device)
    except OSError:
        pass
    return f"{best[1]} on {best[2]}"


def machine_line(pg_version: str) -> str:
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{nproc} CPUs ({cpu_model()}), Linux {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {pg_version or 'skipped'}"
    )


HEADERS = ["store", "path", "events/s", "raw rows/s", "ratio (%)"]


def cells(row: Row) -> list[str]:
    return [
        row.store, PATH_LABELS[row.path], f"{row.app.per_second:,.0f}",
        f"{row.raw.per_second:,.0f}", f"{row.ratio:.1f}",
    ]


def print_table(rows: list[Row], machine: str) -> None:
    table = Table(title="Write throughput: application vs raw ceiling", caption=machine)
    for i, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if i < 2 else "right")
    for row in rows:
        table.add_row(*cells(row))
    console.print(table)


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|---|---|---:|---:|---:|"]
    lines += ["| " + " | ".join(cells(row)) + " |" for row in rows]
    return "\n".join(lines)


def verdicts(rows: list[Row]) -> list[str]:
    out = []
    for row in rows:
        target = SQLITE_TARGETS.get(row.path) if row.store == "SQLite" else None
        if target is not None:
            ok = row.ratio >= target
            out.append(
                f"{'met ' if ok else 'MISSED'} SQLite {PATH_LABELS[row.path]}: {row.ratio:.1f} % "
                f"of raw (ambition >= {target:.0f} %)"
            )
    return out


# Profile -------------------------------------------------------------------------------------

COMMIT = "commit (WAL write + fsync)"
ROLLBACK = "rollback (ends each read transaction)"
SQL = "SQL execute/fetch (sqlite3 C code)"
PYDANTIC = "pydantic (validation, serialization)"
LIBRARY = "eventsourcing library (Python)"
DOMAIN = "encommun domain/"
EVENT_STORE = "encommun event_store/"
UUIDS = "stdlib uuid (uuid5 ids, UUID())"
PROTOCOLS = "stdlib typing (runtime Protocol isinstance)"
POOL = "stdlib threading + contextlib (pool, locks)"
STDLIB = "stdlib other (dataclasses, datetime, functools…)"
OTHER = "other"
IO_CATEGORIES = (COMMIT, ROLLBACK, SQL)
STDLIB_DIR = sysconfig.get_paths()["stdlib"]


def own_category(file: str, func: str) -> str | None:
    """The category of a function's own time, None for builtins charged to their caller."""
    if file == "~":
        if "sqlite3.Connection" in func and "commit" in func:
            return COMMIT
        if "sqlite3.Connection" in func and "rollback" in func:
            return ROLLBACK
        if "sqlite3." in func:
            return SQL
        if "pydantic_core" in func:
            return PYDANTIC
        return None
    if "/pydantic" in file:
        return PYDANTIC
    if "/eventsourcing/" in file:
        return LIBRARY
    if file.startswith(str(ROOT)) and "/.venv/" not in file:
        relative = file[len(str(ROOT)) + 1 :]
        if relative.startswith("domain/"):
            return DOMAIN
        if relative.startswith("event_store/"):
            return EVENT_STORE
        return OTHER
    if file.startswith(STDLIB_DIR) and "site-packages" not in file:
        name = Path(file).name
        if name == "uuid.py":
            return UUIDS
        if name == "typing.py":
            return PROTOCOLS
        if name in ("threading.py", "contextlib.py", "queue.py"):
            return POOL
        return STDLIB
    return OTHER


def categorize(stats: pstats.Stats) -> dict[str, float]:
    """Own time per category; a builtin's time goes to its callers' categories."""
    totals: dict[str, float] = {}
    raw = stats.stats  # type: ignore[attr-defined]
    for (file, _, func), (_, _, tottime, _, callers) in raw.items():
        category = own_category(file, func)
        if category is not None:
            totals[category] = totals.get(category, 0.0) + tottime
            continue
        caller_time = sum(c[2] for c in callers.values()) or 1.0
        for (cfile, _, cfunc), c in callers.items():
            charged = own_category(cfile, cfunc) or OTHER
            totals[charged] = totals.get(charged, 0.0) + tottime * c[2] / caller_time
    return totals


def calls_per_command(stats: pstats.Stats, n: int) -> dict[str, float]:
    counts: dict[str, float] = {}
    for (file, _, func), (_, ncalls, *_rest) in stats.stats.items():  # type: ignore[attr-defined]
        if file == "~" and "sqlite3." in func:
            name = func.replace("<method '", "").replace("' of 'sqlite3.", " ").replace("' objects>", "")
            counts[name] = counts.get(name, 0) + ncalls / n
    return counts


def shorten(text: str) -> str:
    for prefix in sorted({sysconfig.get_paths()["purelib"], STDLIB_DIR, str(ROOT)}, key=len, reverse=True):
        text = text.replace(prefix + "/", "")
    return text


def profiled_ledger(tmp: Path, name: str) -> Ledger:
    ledger = bootstrap(Settings(store="sqlite", sqlite_path=tmp / f"profile-{name}.sqlite"))
    prepare(ledger, SINGLE)
    return ledger


def profile_single(tmp: Path, n: int) -> None:
    console.rule("Profile: application single, SQLite file")
    commands = workload(n, TIMED_START)

    ledger = profiled_ledger(tmp, "reference")
    try:
        before = ledger.recorder.max_notification_id() or 0
        reference = run_app(ledger, SINGLE, commands)
        shape = stored_shape(ledger, before)
    finally:
        ledger.close()
    wall_us = 1e6 * reference.seconds / reference.count
    raw = RawSQLite(tmp / "profile-raw.sqlite")
    try:
        raw_us = 1e6 / raw.insert(raw_rows(shape), 1).per_second
    finally:
        raw.close()

    ledger = profiled_ledger(tmp, "cprofile")
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        profiled = run_app(ledger, SINGLE, commands)
        profiler.disable()
    finally:
        ledger.close()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(30)
    console.print(shorten(buffer.getvalue()), markup=False)

    calls = calls_per_command(stats, profiled.count)
    console.print(
        "sqlite3 calls per command: "
        + ", ".join(f"{name} {count:.1f}" for name, count in sorted(calls.items(), key=lambda kv: -kv[1]))
    )

    totals = categorize(stats)
    profiled_total = sum(totals.values())
    per_command = {k: 1e6 * v / profiled.count for k, v in totals.items()}
    io_us = sum(per_command.get(c, 0.0) for c in IO_CATEGORIES)
    python_us = sum(v for k, v in per_command.items() if k not in IO_CATEGORIES)
    # Profiling slows Python code, hardly the C calls into SQLite: the estimate keeps the
    # I/O times as measured and shares the rest of the unprofiled time among Python parts.
    scale = max(wall_us - io_us, 0.0) / python_us if python_us else 0.0
    table = Table(
        title=(
            f"Where the time goes: {wall_us:,.0f} µs per command unprofiled "
            f"({reference.per_second:,.0f}/s), {1e6 * profiled.seconds / profiled.count:,.0f} µs "
            "under cProfile"
        )
    )
    for header in ("part", "µs/cmd (cProfile)", "% (cProfile)", "µs/cmd (est. unprofiled)", "% (est.)"):
        table.add_column(header, justify="left" if header == "part" else "right")
    estimates: dict[str, float] = {}
    for category, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        us = per_command[category]
        estimates[category] = us if category in IO_CATEGORIES else us * scale
        table.add_row(category, f"{us:,.1f}", f"{100 * seconds / profiled_total:.1f}",
                      f"{estimates[category]:,.1f}", f"{100 * estimates[category] / wall_us:.1f}")
    console.print(table)
    groups = {
        "commit (WAL write + fsync), 1 per command": [COMMIT],
        "SQL statements in sqlite3 (C) and rollbacks of the read transactions": [SQL, ROLLBACK],
        "pydantic (event validation, JSON dump/load)": [PYDANTIC],
        "eventsourcing library in Python (repository, cache fast-forward, connection pool, "
        "transactions; with its threading/contextlib/Protocol checks)": [LIBRARY, POOL, PROTOCOLS],
        "our code (domain/, event_store/, uuid5 aggregate ids)": [DOMAIN, EVENT_STORE, UUIDS],
        "rest of the stdlib and other": [STDLIB, OTHER],
    }
    transactions = calls.get("commit Connection", 0) + calls.get("rollback Connection", 0)
    summary = [
        f"{wall_us:,.0f} µs per command unprofiled ({reference.per_second:,.0f} events/s); the raw "
        f"ceiling's one-row transaction took {raw_us:,.0f} µs in the same minute "
        f"(ratio {100 * raw_us / wall_us:.0f} %).",
        f"Per command: {transactions:.0f} transactions ({calls.get('rollback Connection', 0):.0f} read, "
        f"{calls.get('commit Connection', 0):.0f} write), {calls.get('execute Cursor', 0):.0f} "
        "sqlite3 execute calls; the raw ceiling: 1 transaction, 3 execute calls.",
    ]
    for label, parts in groups.items():
        us = sum(estimates.get(part, 0.0) for part in parts)
        summary.append(f"- {100 * us / wall_us:4.1f} % (~{us:,.0f} µs) {label}")

    try:
        from pyinstrument import Profiler
    except ImportError:
        console.print("(pyinstrument not installed: `.venv/bin/pip install pyinstrument` for a call tree)")
    else:
        ledger = profiled_ledger(tmp, "pyinstrument")
        sampler = Profiler(interval=0.0002)
        try:
            sampler.start()
            run_app(ledger, SINGLE, commands)
            sampler.stop()
        finally:
            ledger.close()
        tree = sampler.output_text(unicode=True, color=False, show_all=False)
        lines = tree.splitlines()
        console.rule("pyinstrument call tree (first 80 lines)")
        console.print("\n".join(lines[:80]), markup=False)

    console.rule("Summary: single-command appends on a SQLite file")
    console.print("\n".join(summary), markup=False)


# Main -----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.write", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=3_000,
                        help="commands timed on each single-command path (default 3,000)")
    parser.add_argument("--batch-events", type=int, default=20_000,
                        help="commands timed on each batched path (default 20,000)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="application and raw ceiling alternate in this many rounds (default 5)")
    parser.add_argument("--store", choices=["all", "sqlite", "postgres"], default="all")
    parser.add_argument("--profile", action="store_true",
                        help="then profile the single-command SQLite path")
    args = parser.parse_args(argv)
    if args.batch_events < 10_000:
        parser.error("--batch-events must be at least 10,000 (one batch of 10,000)")
    if args.events < 1 or args.rounds < 1:
        parser.error("--events and --rounds must be positive")
    sizes = {SINGLE: args.events, KEYED: args.events, BATCH_100: args.batch_events,
             BATCH_10K: args.batch_events}

    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="encommun-bench-"))
    rows: list[Row] = []
    notes: list[str] = [f"files in {tmp} ({file_system(tmp)})"]
    pg_version = ""
    try:
        with ExitStack() as stack:
            if args.store in ("all", "sqlite"):
                console.rule("SQLite file")
                rows += sqlite_rows(tmp, sizes, args.rounds, notes)
            if args.store in ("all", "postgres"):
                console.rule("PostgreSQL")
                target = postgres_target(stack)
                if target is not None:
                    rows += postgres_rows(target, sizes, args.rounds)
                    pg_version = target.version
                    notes.append(f"PostgreSQL: {target.origin}, one fresh database per path")
        machine = machine_line(pg_version)
        console.print()
        print_table(rows, machine)
        notes.append(
            "raw baseline: 1 row per transaction for both single paths; executemany with the "
            "same batch size for batches; same row count and sizes as the app's stored events"
        )
        for line in notes + verdicts(rows) + SKIPPED:
            console.print(f"  {line}", markup=False)
        if args.profile:
            profile_single(tmp, args.events)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    console.rule("Markdown")
    print(f"Machine: {machine}\n")
    print(markdown(rows))
    for line in SKIPPED:
        print(f"\n{line}")
    print(f"\n(total run {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
