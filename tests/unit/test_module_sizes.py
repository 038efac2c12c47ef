"""No product module is over 400 lines: a longer one holds more than one concept and is
split by what it holds. bench/ is excluded: it is measurement tooling, not the product."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("domain", "application", "event_store", "projections", "api", "cli", "demo")
TOP_LEVEL = ("bootstrap.py", "settings.py")
MAX_LINES = 400


def long_modules(root: Path) -> list[str]:
    """`path: N lines` of each product module over MAX_LINES."""
    paths = [path for package in PRODUCT for path in sorted((root / package).rglob("*.py"))]
    paths += [root / name for name in TOP_LEVEL if (root / name).exists()]
    found = []
    for path in paths:
        count = len(path.read_text().splitlines())
        if count > MAX_LINES:
            found.append(f"{path.relative_to(root).as_posix()}: {count} lines")
    return found


def test_no_product_module_is_over_400_lines() -> None:
    """Every .py file of domain/, application/, event_store/, projections/, api/, cli/, demo/
    and the top-level modules has at most 400 lines."""
    assert long_modules(ROOT) == []


def test_a_module_of_401_lines_is_named(tmp_path: Path) -> None:
    """The count names a 401-line module and passes one of exactly 400."""
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "long.py").write_text("x = 1\n" * 401)
    (tmp_path / "domain" / "fits.py").write_text("x = 1\n" * 400)
    assert long_modules(tmp_path) == ["domain/long.py: 401 lines"]
