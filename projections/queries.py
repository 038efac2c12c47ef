"""Named SQL statements, read from the .sql files beside this module.

A file holds blocks that start with `-- name: <name>`; the comment lines right after the
name say what the statement does. Values are always bound as parameters, never formatted.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).parent / "sql"
_NAME = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)


@cache
def named(filename: str) -> dict[str, str]:
    text = (SQL_DIR / filename).read_text()
    parts = _NAME.split(text)
    names = parts[1::2]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:  # a second statement of one name would silently replace the first
        raise ValueError(f"{filename} names more than one statement {', '.join(twice)}")
    return {name: body.strip() for name, body in zip(names, parts[2::2])}


def script(filename: str) -> str:
    return (SQL_DIR / filename).read_text()
