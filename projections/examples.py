"""The analysts' saved example queries (sql/examples.sql), with their French titles."""

from __future__ import annotations

from dataclasses import dataclass

from projections.queries import named


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    sql: str


def analyst_examples() -> list[Example]:
    """Every saved example, in the file's order: the comment line after its name is its title."""
    found = []
    for name, body in named("examples.sql").items():
        lines = body.splitlines()
        titles = [line[2:].strip() for line in lines if line.startswith("--")]
        sql = "\n".join(line for line in lines if not line.startswith("--")).strip()
        found.append(Example(name, titles[0] if titles else name, sql))
    return found
