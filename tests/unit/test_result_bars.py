"""Bars drawn on the server for the analyst's results (api/pages/result_bars.py): which
results are charted, and the geometry."""

from __future__ import annotations

from decimal import Decimal

from api.pages.result_bars import MAX_BARS, bar_chart, chartable


def test_a_result_needs_a_label_and_a_number_to_be_charted():
    assert chartable([("partner", "VARCHAR"), ("eur", "DECIMAL(18,2)")]) == ([0], 1)
    assert chartable([("month", "VARCHAR"), ("kind", "VARCHAR"), ("n", "BIGINT"), ("m", "DOUBLE")]) == ([0, 1], 2)
    assert chartable([("a", "BIGINT"), ("b", "HUGEINT")]) is None
    assert chartable([("a", "VARCHAR"), ("b", "DATE")]) is None


def test_bars_start_from_zero_and_negative_ones_go_left():
    """Lengths are proportional to the values, from one zero axis; each bar carries its text."""
    columns = [("line", "VARCHAR"), ("cents", "BIGINT")]
    rows = [["a", 300], ["b", -100], ["c", 0]]
    chart = bar_chart(columns, rows, [["a", "300"], ["b", "-100"], ["c", "0"]])
    a, b, c = chart.bars
    assert a.x == chart.zero_x and b.x + b.width == chart.zero_x
    assert round(a.width / b.width, 6) == 3
    assert [bar.text for bar in chart.bars] == ["300", "-100", "0"] and c.value == Decimal(0)
    assert chart.title == "cents par line" and chart.more == 0


def test_a_long_result_charts_its_first_rows_and_says_how_many_are_left():
    rows = [[f"r{i}", i] for i in range(MAX_BARS + 5)]
    chart = bar_chart([("r", "VARCHAR"), ("n", "INTEGER")], rows, [[r, str(n)] for r, n in rows])
    assert len(chart.bars) == MAX_BARS and chart.more == 5
