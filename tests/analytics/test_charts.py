"""Charts: titled for a screen reader, labels escaped, the table beside, a safe CSV."""

from __future__ import annotations

import csv
import io
import re

from harken.analytics.charts import Bar, Series, bars, funnel, heatmap, line, stacked
from harken.analytics.charts.csv import chart_csv
from harken.analytics.charts.shapes import joined, tag

HOSTILE = '<script>alert(1)</script>"&'


def test_every_shape_is_titled_and_escapes_its_labels():
    charts = [
        line("l", HOSTILE, "desc", [HOSTILE, "b"], [Series(HOSTILE, [1.0, None])]),
        stacked("s", "Stacked", HOSTILE, ["a", HOSTILE], [Series("x", [1.0, 2.0])]),
        bars("b", "Bars", "desc", [Bar(HOSTILE, 3, before=2)]),
        heatmap("h", "Heat", "desc", [HOSTILE], ["0h"], [[2.0]], [[1]]),
        funnel("f", "Funnel", "desc", [(HOSTILE, 10), ("b", 5)]),
    ]
    for chart in charts:
        svg = str(chart.svg)
        assert svg.startswith("<svg") and 'role="img"' in svg
        assert f'aria-labelledby="{chart.key}-t"' in svg and f'id="{chart.key}-d"' in svg
        assert "<script>" not in svg and "&lt;script&gt;" in svg
        assert chart.rows


def test_a_piece_that_did_not_come_from_tag_is_escaped_when_joined():
    svg = joined([tag("<g>{}</g>", HOSTILE), HOSTILE])
    assert str(svg).count("&lt;script&gt;") == 2 and "<script>" not in svg
    assert svg.startswith("<g>")


def test_a_line_breaks_at_a_missing_value_instead_of_dropping_to_zero():
    chart = line("l", "T", "D", ["a", "b", "c", "d"], [Series("s", [1.0, 2.0, None, 4.0])])
    svg = str(chart.svg)
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 1
    assert chart.rows[2] == ["c", None]


def test_bars_carry_the_previous_period_in_their_table():
    chart = bars("b", "T", "D", [Bar("Us", 44.0, 38.0), Bar("Them", 31.0, 35.0)], unit=" %")
    assert chart.columns == ["", "Now", "Before"]
    assert chart.rows == [["Us", 44.0, 38.0], ["Them", 31.0, 35.0]]
    assert str(chart.svg).count("Before: ") == 2


def test_csv_neutralises_formulas_but_keeps_numbers():
    chart = bars(
        "b",
        "T",
        "D",
        [Bar('=HYPERLINK("http://evil.example","x")', 3), Bar("-2+3", -1), Bar("@SUM(A1)", 2)],
    )
    rows = list(csv.reader(io.StringIO(chart_csv(chart))))
    assert rows[0] == ["T", "Value"]
    assert rows[1] == ['\'=HYPERLINK("http://evil.example","x")', "3"]
    assert rows[2] == ["'-2+3", "-1"]
    assert rows[3] == ["'@SUM(A1)", "2"]


def test_lines_and_stacks_of_several_series_name_each_colour_in_a_legend():
    two = [Series("Complaint", [1.0, 2.0], "negative"), Series(HOSTILE, [2.0, 1.0], "positive")]
    for chart in (line("l", "T", "D", ["a", "b"], two), stacked("s", "T", "D", ["a", "b"], two)):
        svg = str(chart.svg)
        assert ">Complaint</text>" in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
        assert 'fill="#b42318"/><text' in svg  # the swatch beside its name
        assert 'height="272"' in svg  # taller by the legend's row
    one = line("o", "T", "D", ["a", "b"], [Series("Mentions", [1.0, 2.0])])
    assert ">Mentions</text>" not in str(one.svg)


def test_a_day_still_under_way_is_joined_by_a_dashed_segment():
    today = Series("Mentions", [4.0, 5.0, 1.0], partial_last=True)
    svg = str(line("l", "T", "D", ["a", "b", "today"], [today]).svg)
    assert svg.count("<polyline") == 2 and svg.count('stroke-dasharray="4 4"') == 1
    assert "(today, so far)" in svg
    whole = str(line("l", "T", "D", ["a", "b", "c"], [Series("M", [4.0, 5.0, 1.0])]).svg)
    assert whole.count("<polyline") == 1 and "stroke-dasharray" not in whole


def _axis_marks(svg: object) -> list[str]:
    """The value axis's labels (right-aligned numbers; the day labels are words here)."""
    found = re.findall(r'text-anchor="end"[^>]*>([^<]*)<', str(svg))
    return [mark for mark in found if mark.replace(".", "").isdigit()]


def test_the_value_axis_counts_in_round_steps():
    """A day of 22 mentions tops the axis at 25, marked 0, 5 … 25, not 6.2, 12.5, 18.8."""
    chart = line("m", "Mentions", "", ["a", "b"], [Series("Mentions", [3.0, 22.0])])
    assert _axis_marks(chart.svg) == ["0", "5", "10", "15", "20", "25"]
    stacks = stacked("s", "Sentiment", "", ["a"], [Series("Positive", [7.0])])
    assert _axis_marks(stacks.svg) == ["0", "2", "4", "6", "8", "10"]
