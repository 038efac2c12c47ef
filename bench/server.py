"""A real `uvicorn` process on loopback, for `make bench-api` and the end-to-end tests.

The child is started with `--factory api.app:create_app`, which reads its settings from the
ENCOMMUN_* environment variables `serve` hands to it: the app is built in the child, and
this module imports nothing of the API.

`serve(settings)` starts the child on a free port of 127.0.0.1, waits (boundedly) until it
answers, yields its base URL, then terminates it (SIGTERM, so the lifespan closes the ledger
and the projections) and kills it if it has not stopped in time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx

from settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FACTORY = "api.app:create_app"


def child_environment(settings: Settings) -> dict[str, str]:
    """The parent's environment without its ENCOMMUN_* variables, plus the settings' paths.
    Only SQLite settings are passed: the end-to-end tests and the API bench run on a file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENCOMMUN_")}
    env |= {
        "ENCOMMUN_STORE": "sqlite",
        "ENCOMMUN_SQLITE_PATH": str(settings.sqlite_path),
        "ENCOMMUN_PROJECTION_PATH": str(settings.projection_path),
        "ENCOMMUN_SNAPSHOT_DIR": str(settings.snapshot_dir),
        "ENCOMMUN_SNAPSHOT_EVERY_S": str(settings.snapshot_every_s),
        "ENCOMMUN_READ_WAIT_S": str(settings.read_wait_s),
        "PYTHONUNBUFFERED": "1",
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    base_url: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait_until_up(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {server.process.returncode} before answering:\n"
                               f"{server.log_tail()}")
        try:
            if httpx.get(f"{server.base_url}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError as error:
            last = error
        time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not answer on {server.base_url} within {timeout:.0f} s ({last!r}):\n"
                       f"{server.log_tail()}")


def _stop(process: subprocess.Popen, timeout: float) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def serve(settings: Settings, *, log: Path, factory: str = FACTORY, start_timeout: float = 60.0,
          stop_timeout: float = 15.0, access_log: bool = False, log_level: str = "warning") -> Iterator[Server]:
    """A uvicorn child serving `factory` on the settings' store; its output goes to `log`."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--workers", "1", "--log-level", log_level, "--timeout-graceful-shutdown", "5"]
    if not access_log:
        command.append("--no-access-log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=child_environment(settings), stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_up(server, start_timeout)
        yield server
    finally:
        _stop(process, stop_timeout)
