"""A report as a PDF (WeasyPrint: the page's HTML with the server-rendered SVG charts)
and as an HTML e-mail.

The e-mail draws its charts as HTML tables with bars (cells of a set width and colour),
not SVG: Gmail and Outlook strip inline SVG, and PNG attachments through cid: would need
a second renderer for every chart. A table shows in every mail client, is read by screen
readers, and the PDF with the real charts goes along as an attachment."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from harken.analytics.charts.chart import Chart
from harken.analytics.reports.build import Report


def pdf(report: Report) -> bytes:
    # Imported here: WeasyPrint loads Pango on import, which no page but this one needs.
    from weasyprint import HTML

    html = render_to_string("analytics/report_pdf.html", {"report": report})
    return bytes(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())


def email_html(report: Report, link: str = "") -> str:
    sections = [
        {"panel": panel, "lines": lines, "table": {} if panel.empty else bar_rows(panel.chart)}
        for panel, lines in report.sections
    ]
    return render_to_string(
        "analytics/report_email.html", {"report": report, "link": link, "sections": sections}
    )


#: Rows of a grid's cells (the best-times heatmap) an e-mail keeps: the largest.
GRID_ROWS = 12
#: Columns an e-mail's table keeps (its label first), to fit a phone's 390 pixels: the
#: PDF attached and the CSV have them all.
EMAIL_COLUMNS = 5


def bar_rows(chart: Chart | None) -> dict:
    """A chart's rows as label, value and a bar width (per cent of the largest value of
    its first numeric column)."""
    if chart is None or chart.empty:
        return {}
    at = _value_column(chart)
    values: list[float] = [
        float(cell) if isinstance(cell := r[at], (int, float)) else 0.0 for r in chart.rows
    ]
    top = max(values, default=0.0) or 1.0
    ordered = list(zip(chart.rows, values, strict=True))
    if at > 1:
        # A grid's cells (weekday, hour, value): the largest ones are the news.
        ordered = sorted(ordered, key=lambda pair: -pair[1])[:GRID_ROWS]
    rows = [
        {"label": r[0], "cells": r[1:EMAIL_COLUMNS], "width": round(100 * v / top)}
        for r, v in ordered
    ]
    # A year of days is too long for an e-mail: the last 31 rows of a daily series.
    return {
        "title": chart.title,
        "columns": chart.columns[:EMAIL_COLUMNS],
        "rows": rows[-31:],
        # A bar beside many numbers leaves them no room on a phone.
        "bars": len(chart.columns) <= 3,
    }


def _value_column(chart: Chart) -> int:
    for index in range(1, len(chart.columns)):
        if any(isinstance(r[index], (int, float)) for r in chart.rows):
            return index
    return 1


def email(report: Report, recipients: list[str], link: str = "") -> EmailMultiAlternatives:
    text = "\n".join([report.title, "", *report.lines, "", link]).strip() + "\n"
    message = EmailMultiAlternatives(
        subject=report.title, body=text, to=recipients, from_email=settings.DEFAULT_FROM_EMAIL
    )
    message.attach_alternative(email_html(report, link), "text/html")
    message.attach(report.filename, pdf(report), "application/pdf")
    return message
