"""A chart's table as CSV, safe to open in a spreadsheet.

A cell that begins with = + - @ (or a tab or carriage return) would run as a formula in
Excel or LibreOffice: text cells get a leading apostrophe (OWASP's advice). Numbers are
written as numbers."""

from __future__ import annotations

import csv
import io

from harken.analytics.charts.chart import Cell, Chart

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: Cell) -> str | int | float:
    if cell is None:
        return ""
    if isinstance(cell, (int, float)):
        return round(cell, 4) if isinstance(cell, float) else cell
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def chart_csv(chart: Chart) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralised(c or chart.title) for c in chart.columns])
    for row in chart.rows:
        writer.writerow([neutralised(c) for c in row])
    return out.getvalue()
