"""The tables of a page as text, for tests that compare a page's figures with the API's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Table:
    caption: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    row_ids: list[str | None] = field(default_factory=list)


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._stack: list[Table] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._stack.append(Table())
        elif not self._stack:
            return
        elif tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
            if not self._in_head:
                self._stack[-1].row_ids.append(dict(attrs).get("id"))
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        table = self._stack[-1]
        if tag == "table":
            self.tables.append(self._stack.pop())
        elif tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(_clean("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                table.head = self._row
            else:
                table.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption and self._stack:
            self._stack[-1].caption += data


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " ")).strip()


def tables(html: str) -> list[Table]:
    parser = _Tables()
    parser.feed(html)
    for found in parser.tables:
        found.caption = _clean(found.caption)
    return parser.tables


def table(html: str, caption: str) -> Table:
    """The table whose caption starts with `caption`."""
    found = [t for t in tables(html) if t.caption.startswith(caption)]
    assert found, f"no table captioned {caption!r} in the page: {[t.caption for t in tables(html)]}"
    return found[0]


def text_of(html: str) -> str:
    """The page's text, tags removed, spaces collapsed (narrow and no-break spaces as spaces)."""
    from html import unescape

    return _clean(unescape(re.sub(r"<[^>]+>", " ", html)))
