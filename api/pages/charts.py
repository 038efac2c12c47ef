"""Charts drawn on the server as SVG: no JavaScript, printable, and accessible — the SVG is
an image with a title and a description (role="img"), and every page that shows one shows
the same figures in a table beside it. Colours keep a 3:1 contrast with the white page
(WCAG 2.1, 1.4.11) and adjacent segments are parted by a white line."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from markupsafe import Markup, escape

PALETTE = ("#1a5a85", "#b35c00", "#2e7d32", "#8e3b8a", "#a1262d", "#00796b", "#5d4037", "#c2185b",
           "#455a64", "#6b6b00", "#3949ab", "#7b5e00")


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    values: tuple[int, ...]  # one per category
    color: str


def colored(series: list[tuple[str, str, tuple[int, ...]]]) -> list[Series]:
    """Series from (key, label, values), coloured from the palette in order."""
    return [Series(key, label, values, PALETTE[i % len(PALETTE)]) for i, (key, label, values) in enumerate(series)]


def _nice_step(span: int, ticks: int = 4) -> int:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` gridlines."""
    if span <= 0:
        return 1
    raw = Decimal(span) / ticks
    power = Decimal(10) ** (len(str(int(raw))) - 1)
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if power * factor >= raw:
            return max(1, int(power * factor))
    return int(power * 10)


def stacked_bars(*, chart_id: str, title: str, description: str, categories: list[tuple[str, str]],
                 series: list[Series], value_text: Callable[[int], str], tick_text: Callable[[int], str],
                 width: int = 760, height: int = 300) -> Markup:
    """One bar per category (key, label), its series stacked (negative values below zero).
    Each segment carries its figures in data-* attributes and a <title>."""
    left, right, top, bottom = 84, 12, 14, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    positives = [sum(max(0, s.values[i]) for s in series) for i in range(len(categories))] or [0]
    negatives = [sum(min(0, s.values[i]) for s in series) for i in range(len(categories))] or [0]
    step = _nice_step(max(max(positives), -min(negatives)))
    high = -(-max(positives) // step) * step or step
    low = (min(negatives) // step) * step
    scale = plot_h / (high - low)

    def y(value: int) -> float:
        return top + (high - value) * scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(description)}</desc>']
    tick = low
    while tick <= high:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     f'stroke="{"#1d2433" if tick == 0 else "#c9ced8"}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="#4f5869">{escape(tick_text(tick))}</text>')
        tick += step
    slot = plot_w / max(1, len(categories))
    bar = min(56.0, slot * 0.62)
    for i, (key, label) in enumerate(categories):
        x = left + slot * i + (slot - bar) / 2
        up = down = 0
        for s in series:
            value = s.values[i]
            if value == 0:
                continue
            if value > 0:
                y0, y1 = y(up + value), y(up)
                up += value
            else:
                y0, y1 = y(down), y(down + value)
                down += value
            parts.append(f'<rect x="{x:.1f}" y="{y0:.1f}" width="{bar:.1f}" height="{max(0.5, y1 - y0):.1f}" '
                         f'fill="{s.color}" stroke="#fff" stroke-width="1" data-category="{escape(key)}" '
                         f'data-series="{escape(s.key)}" data-value="{value}">'
                         f'<title>{escape(s.label)} — {escape(label)} : {escape(value_text(value))}</title></rect>')
        # 'janv. 2026' on two lines: twelve bars leave no room for it on one.
        for row, text in enumerate(label.split(" ", 1)):
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 18 + 15 * row}" text-anchor="middle" '
                         f'font-size="12" fill="#1d2433">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
