"""`encommun serve`: the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import support
from settings import Settings


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    store: support.StoreOption = None,
    projections: support.ProjectionsOption = None,
) -> None:
    """Serve the HTTP API (OpenAPI documentation at /docs)."""
    with support.reported_errors():
        settings = support.load_settings(store, projections)
        serve_api(settings, host, port)


def serve_api(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from api.app import create_app

    support.out.print(f"encommun API on [bold]http://{host}:{port}/docs[/] (Ctrl-C to stop)")
    uvicorn.run(create_app(settings), host=host, port=port)
