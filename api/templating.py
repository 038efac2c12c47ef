"""The Jinja2 environment of api/templates (documents and pages), with the French filters."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from api import french

TEMPLATES = Path(__file__).resolve().parent / "templates"


def css_string(text: str) -> Markup:
    """Text for a quoted CSS string inside a <style> element, where HTML escaping does not
    apply: everything but ASCII letters, digits and spaces becomes a CSS escape."""
    return Markup("".join(c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):x} " for c in text))


@cache
def templates() -> Environment:
    """Built on first use (never at import)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["css_string"] = css_string
    environment.filters.update(french.FILTERS)
    return environment
