"""The domain imports nothing that does I/O."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
ALLOWED_THIRD_PARTY = {"pydantic", "pydantic_core", "typing_extensions", "eventsourcing.domain"}
# Standard-library modules that read or write files, sockets, processes or databases.
IO_MODULES = {
    "os", "io", "pathlib", "shutil", "tempfile", "glob", "socket", "ssl", "select", "selectors",
    "asyncio", "subprocess", "multiprocessing", "threading", "sqlite3", "dbm", "shelve",
    "pickle", "logging", "http", "urllib", "ftplib", "smtplib", "email", "mmap", "signal",
    "fileinput", "csv", "zipfile", "tarfile", "gzip", "bz2", "lzma", "time",
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_domain_modules_import_only_the_standard_library_pydantic_and_eventsourcing_domain() -> None:
    """Walk every import of domain/ and refuse I/O modules and other third-party packages."""
    offenders = []
    for path in sorted(DOMAIN.glob("*.py")):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top in {"domain", "__future__"}:
                continue
            if top in sys.stdlib_module_names:
                if top in IO_MODULES:
                    offenders.append(f"{path.name}: {name} (I/O)")
            elif not any(name == a or name.startswith(a + ".") for a in ALLOWED_THIRD_PARTY):
                offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_the_purity_check_catches_an_io_import(tmp_path: Path) -> None:
    """The walker sees `import sqlite3` and `from pathlib import Path`."""
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlite3\nfrom pathlib import Path\nfrom eventsourcing.sqlite import x\n")
    assert imported_modules(bad) == {"sqlite3", "pathlib", "eventsourcing.sqlite"}
