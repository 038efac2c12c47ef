"""The analyst's result as horizontal bars, drawn on the server as SVG geometry (no
JavaScript), always with their figures as text: each bar carries its value, and the page
shows the same figures in the result's table. (The partner's stacked monthly bars are
api/pages/charts.py.)"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

NUMERIC = re.compile(r"^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|DOUBLE|FLOAT|REAL|DECIMAL(\(\d+,\s*\d+\))?)$")
MAX_BARS = 40
LABEL_CHARS = 42


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    text: str      # the value as the page writes it
    y: int
    x: float
    width: float


@dataclass(frozen=True)
class BarChart:
    title: str
    value_name: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    zero_x: float
    bar_height: int
    more: int      # rows left out of the chart


def is_number(duck_type: str) -> bool:
    return bool(NUMERIC.match(duck_type.upper()))


def chartable(columns: list[tuple[str, str]]) -> tuple[list[int], int] | None:
    """The label columns (every column that is not a number) and the value column (the first
    number), if the result has at least one of each."""
    numbers = [i for i, (_, kind) in enumerate(columns) if is_number(kind)]
    labels = [i for i, (_, kind) in enumerate(columns) if not is_number(kind)]
    return (labels, numbers[0]) if numbers and labels else None


def bar_chart(columns: list[tuple[str, str]], rows: list[list], texts: list[list[str]]) -> BarChart | None:
    """Horizontal bars, one a row (the first MAX_BARS), from zero; negative values go left."""
    shape = chartable(columns)
    if shape is None or not rows:
        return None
    labels, value = shape
    picked = []
    for row, text in zip(rows[:MAX_BARS], texts[:MAX_BARS]):
        if row[value] is None:
            continue
        label = " · ".join("—" if row[i] is None else text[i] for i in labels)
        if len(label) > LABEL_CHARS:
            label = label[:LABEL_CHARS - 1] + "…"
        picked.append((label, Decimal(str(row[value])), text[value]))
    if not picked:
        return None
    bar_height, gap, label_width, plot, margin = 20, 8, 230, 380, 90
    low = min(min(v for _, v, _ in picked), Decimal(0))
    high = max(max(v for _, v, _ in picked), Decimal(0))
    span = (high - low) or Decimal(1)
    scale = plot / float(span)
    zero_x = label_width + float(-low) * scale
    bars = []
    for k, (label, v, text) in enumerate(picked):
        length = float(abs(v)) * scale
        x = zero_x if v >= 0 else zero_x - length
        bars.append(Bar(label, v, text, k * (bar_height + gap), x, max(length, 1.0)))
    height = len(bars) * (bar_height + gap)
    names = " · ".join(columns[i][0] for i in labels)
    return BarChart(f"{columns[value][0]} par {names}", columns[value][0], tuple(bars),
                    label_width + plot + margin, height, label_width, zero_x, bar_height,
                    max(len(rows) - MAX_BARS, 0))
