"""`encommun serve`: the HTTP API."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from cli import support
from settings import Settings

# Ports tried after a busy one, to suggest one that is free.
SUGGESTION_SPAN = 100


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    store: support.StoreOption = None,
    projections: support.ProjectionsOption = None,
) -> None:
    """Serve the HTTP API (OpenAPI documentation at /docs)."""
    with support.reported_errors(), reserve_port(host, port, retry="encommun serve --port {port}") as listening:
        settings = support.load_settings(store, projections)
        serve_api(settings, host, port, listening)


def reserve_port(host: str, port: int, *, retry: str) -> socket.socket:
    """The address to serve on, bound now and handed to uvicorn later: a busy port is
    reported before anything slow runs (the demo loads for a while), and nothing can take it
    in between. `retry` is the command to suggest, with `{port}` for a free port."""
    try:
        # Listening at once: on Linux a socket bound with SO_REUSEADDR but not listening does
        # not keep another such socket off the port. A browser opened early waits in the backlog.
        return _bound(host, port, listen=True)
    except OSError as error:
        free = next((p for p in range(port + 1, min(port + SUGGESTION_SPAN, 65535) + 1) if _is_free(host, p)), None)
        suggestion = f"; for instance {retry.format(port=free)}" if free else ""
        raise support.Failure(
            f"port {port} on {host} is not available ({error.strerror or error}): another encommun demo or "
            f"server may be using it. Stop it, or choose another port{suggestion}") from None


def _bound(host: str, port: int, *, listen: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As uvicorn sets it: a port left in TIME_WAIT by a server just stopped is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        if listen:
            sock.listen()
    except OSError:
        sock.close()
        raise
    return sock


def _is_free(host: str, port: int) -> bool:
    try:
        _bound(host, port).close()
    except OSError:
        return False
    return True


def serve_api(settings: Settings, host: str, port: int, listening: socket.socket | None = None) -> None:
    """Serve until Ctrl-C, on `listening` (from `reserve_port`) or on host:port."""
    import uvicorn

    from api.app import create_app

    support.out.print(f"encommun API on [bold]http://{host}:{port}/docs[/] (Ctrl-C to stop)")
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host=host, port=port))
    server.run(sockets=[listening] if listening is not None else None)
