"""The layers import downwards only: entry points -> application -> domain, event store,
projections; nothing below the entry points imports them, product code never imports the
tests, and no two packages import each other. (domain/'s own rule, no I/O, is
test_domain_is_pure.py.)"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "cli", "application", "domain", "event_store", "projections", "demo", "bench")
MODULES = ("bootstrap", "settings")  # the composition root and the settings, at the top level
FIRST_PARTY = set(PACKAGES) | set(MODULES) | {"tests"}

# What each part of the product may import of the others (besides itself).
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "event_store": {"domain", "settings"},
    "projections": {"domain", "event_store", "settings"},
    "application": {"domain", "event_store", "projections", "settings"},
    "bootstrap": {"application", "domain", "event_store", "projections", "settings"},
    "settings": set(),
    "api": {"application", "domain", "projections", "bootstrap", "settings"},
    # The command line serves the HTTP API (`encommun serve`): it may build the app.
    "cli": {"application", "domain", "projections", "bootstrap", "settings", "demo", "api.app"},
    "demo": {"application", "domain", "projections", "bootstrap", "settings"},
    "bench": {"application", "domain", "event_store", "projections", "bootstrap", "settings", "demo"},
}


def product_files() -> dict[str, list[Path]]:
    files = {name: sorted((ROOT / name).rglob("*.py")) for name in PACKAGES}
    files |= {name: [ROOT / f"{name}.py"] for name in MODULES}
    return files


def first_party_imports(path: Path) -> set[str]:
    """Every first-party module a file imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                raise AssertionError(f"{path}: relative import of {node.module}: write it absolute")
            # `from api import app` imports api.app: judged by what it names inside.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] in FIRST_PARTY}


def allowed(part: str, name: str) -> bool:
    top = name.split(".")[0]
    if top == part:
        return True
    return any(name == a or name.startswith(a + ".") for a in ALLOWED[part])


def offenders() -> list[str]:
    found = []
    for part, paths in product_files().items():
        for path in paths:
            for name in sorted(first_party_imports(path)):
                if not allowed(part, name):
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_every_product_package_imports_only_the_layers_below_it() -> None:
    """api/ and cli/ over application/ over domain/, event_store/, projections/; demo/ and
    bench/ never reach api/, cli/ or tests/."""
    assert offenders() == []


def test_no_two_product_packages_import_each_other() -> None:
    """The package graph (who imports whom) has no cycle."""
    graph: dict[str, set[str]] = {}
    for part, paths in product_files().items():
        graph[part] = {name.split(".")[0] for path in paths for name in first_party_imports(path)} - {part}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in trail:
                cycles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt in graph:
                visit(nxt, trail + [nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []


def test_the_walker_sees_imports_inside_functions_and_from_imports(tmp_path: Path) -> None:
    """A lazy `from api.app import create_app` and `import tests.history` are both found."""
    bad = tmp_path / "bad.py"
    bad.write_text("import json\nimport tests.history\n\ndef f():\n    from api.app import create_app\n")
    assert first_party_imports(bad) == {"tests.history", "api.app.create_app"}
    assert not allowed("demo", "api.app") and not allowed("bench", "tests.history")
    assert allowed("cli", "api.app") and not allowed("application", "api.app")
