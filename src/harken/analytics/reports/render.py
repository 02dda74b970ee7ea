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
    return render_to_string(
        "analytics/report_email.html",
        {"report": report, "link": link, "tables": [bar_rows(p.chart) for p in _charted(report)]},
    )


def _charted(report: Report) -> list:
    return [p for p in report.panels if p.chart is not None and not p.chart.empty]


def bar_rows(chart: Chart | None) -> dict:
    """A chart's rows as label, value and a bar width (per cent of the largest value)."""
    if chart is None:
        return {}
    values = [r[1] if isinstance(r[1], (int, float)) else 0 for r in chart.rows]
    top = max(values, default=0) or 1
    rows = [
        {"label": r[0], "cells": r[1:], "width": round(100 * (v or 0) / top)}
        for r, v in zip(chart.rows, values, strict=True)
    ]
    # A year of days is too long for an e-mail: the last 31 rows of a daily series.
    return {"title": chart.title, "columns": chart.columns, "rows": rows[-31:]}


def email(report: Report, recipients: list[str], link: str = "") -> EmailMultiAlternatives:
    text = "\n".join([report.title, "", *report.lines, "", link]).strip() + "\n"
    message = EmailMultiAlternatives(
        subject=report.title, body=text, to=recipients, from_email=settings.DEFAULT_FROM_EMAIL
    )
    message.attach_alternative(email_html(report, link), "text/html")
    message.attach(report.filename, pdf(report), "application/pdf")
    return message
