"""A throwaway PostgreSQL server for the tests and `make bench-write`, from the machine's
own binaries.

PostgreSQL refuses to run as root, and CI runs as root: the server then runs as the
`postgres` system user (created by Debian's package) through runuser.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    data_dir: Path


def find_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def start(bindir: Path) -> PostgresServer:
    base = Path(tempfile.mkdtemp(prefix="encommun-pg-"))
    data = base / "data"
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(base, entry.pw_uid, entry.pw_gid)
    user, port = "encommun", _free_port()
    subprocess.run(
        _as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust",
                         "--no-sync", "-E", "UTF8"]),
        check=True, capture_output=True,
    )
    subprocess.run(
        _as_server_user([
            str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w",
            "-o", f"-h 127.0.0.1 -p {port} -k {base} -c fsync=on -c max_connections=200",
            "start",
        ]),
        check=True, capture_output=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    return PostgresServer("127.0.0.1", port, user, data)


def stop(server: PostgresServer, bindir: Path) -> None:
    subprocess.run(
        _as_server_user([str(bindir / "pg_ctl"), "-D", str(server.data_dir), "-m", "fast", "stop"]),
        check=False, capture_output=True,
    )
    shutil.rmtree(server.data_dir.parent, ignore_errors=True)
