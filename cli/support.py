"""What the `encommun` commands share: consoles, options, settings, and errors reported
as one red line with exit status 2 — never a traceback."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

import duckdb
import pydantic
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from application import exporting, importing
from bootstrap import bootstrap
from domain.errors import DomainError
from application.ledger import Ledger
from projections.follower import ProjectionStalled
from projections.recorder import OutdatedProjections
from projections.sandbox import SqlError
from settings import Settings

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

StoreOption = Annotated[
    Optional[Path],
    typer.Option("--store", help="The SQLite event store (default: ENCOMMUN_SQLITE_PATH, var/encommun.sqlite).",
                 dir_okay=False),
]
ProjectionsOption = Annotated[
    Optional[Path],
    typer.Option("--projections", help="The DuckDB projection file (default: ENCOMMUN_PROJECTION_PATH, "
                 "var/encommun.duckdb).", dir_okay=False),
]


class Failure(Exception):
    """An error to report in red, with exit status 2."""


@contextmanager
def reported_errors() -> Iterator[None]:
    """Expected errors as one red line and exit status 2, never a traceback."""
    try:
        yield
    except DomainError as error:
        field = f" (field {error.field})" if error.field else ""
        _fail(f"refused [{error.rule}]: {error.message}{field}")
    except (Failure, importing.UnreadableFile, exporting.ProjectionsUnavailable, ProjectionStalled,
            OutdatedProjections) as error:
        _fail(str(error))
    except SqlError as error:
        _fail(f"not run [{error.rule}]: {error.message}")
    except pydantic.ValidationError as error:
        _fail(f"invalid settings (ENCOMMUN_* environment variables or options):\n{error}")
    except duckdb.Error as error:
        _fail(f"DuckDB: {error}")
    except OSError as error:
        _fail(f"{error.strerror or error}: {error.filename}" if error.filename else str(error))


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] [red]{escape(message)}[/]")
    raise typer.Exit(2)


def load_settings(store: Path | None = None, projections: Path | None = None) -> Settings:
    overrides: dict[str, object] = {}
    if store is not None:
        overrides |= {"store": "sqlite", "sqlite_path": store}
    if projections is not None:
        overrides["projection_path"] = projections
    return Settings(**overrides)


@contextmanager
def open_ledger(settings: Settings, *, existing: bool = False) -> Iterator[Ledger]:
    """The ledger; with `existing`, a SQLite store must already be there (a typo in
    --store would otherwise create an empty store and show nothing)."""
    if existing and settings.store == "sqlite" and not settings.sqlite_path.is_file():
        raise Failure(f"no event store at {settings.sqlite_path} (give --store PATH or ENCOMMUN_SQLITE_PATH)")
    ledger = bootstrap(settings)
    try:
        yield ledger
    finally:
        ledger.close()


def progress(*columns, console: Console = err) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    *columns, TimeElapsedColumn(), TimeRemainingColumn(), console=console)
