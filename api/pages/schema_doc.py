"""The analysts' documented schema, read from docs/schema.md at run time (re-read when the
file changes): each table or view of "Tables and views", its first paragraph, its columns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

SCHEMA_DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"
_CACHE: dict[Path, tuple[float, list]] = {}
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: Markup


@dataclass(frozen=True)
class Table:
    name: Markup        # the heading: `events`, `usage_versions`, view `usage`
    anchor: str
    intro: Markup
    columns: tuple[Column, ...]


def inline(text: str) -> Markup:
    """The Markdown of one line as safe HTML: code spans and bold; links keep their text."""
    html = str(escape(_LINK.sub(r"\1", text)))
    html = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html)
    return Markup(_BOLD.sub(r"<strong>\1</strong>", html))


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def parse(text: str) -> list[Table]:
    """The sections under '## Tables and views', up to the next '## ' heading."""
    _, found, rest = text.partition("\n## Tables and views")
    if not found:
        return []
    body = rest.split("\n## ", 1)[0]
    tables = []
    for section in body.split("\n### ")[1:]:
        heading, _, content = section.partition("\n")
        paragraphs, columns = [], []
        paragraph: list[str] = []
        for line in content.splitlines():
            if line.startswith("|"):
                cells = _cells(line)
                if len(cells) >= 3 and cells[0] != "column" and not set(cells[0]) <= {"-", ":"}:
                    columns.append(Column(cells[0], cells[1], inline(" | ".join(cells[2:]))))
            elif line.strip():
                paragraph.append(line.strip())
            elif paragraph:
                paragraphs.append(" ".join(paragraph))
                paragraph = []
        if paragraph:
            paragraphs.append(" ".join(paragraph))
        intro = next((p for p in paragraphs if not p.startswith("```")), "")
        anchor = "table-" + re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")
        tables.append(Table(inline(heading.strip()), anchor, inline(intro), tuple(columns)))
    return tables


def documented_tables(path: Path = SCHEMA_DOC) -> list[Table]:
    """The tables of the documented schema; none if the document is not there (an installed copy)."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return []
    cached = _CACHE.get(path)
    if cached is None or cached[0] != mtime:
        cached = _CACHE[path] = (mtime, parse(path.read_text(encoding="utf-8")))
    return cached[1]
