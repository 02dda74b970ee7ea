"""Reports: the written summary from known figures, the PDF looked at as page images, the
e-mail in the outbox, the schedule sending once per period, and `harken report`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from django.core import mail
from django.core.management import call_command

from harken.analytics.figures.change import Change
from harken.analytics.models import ReportSchedule, ReportSent
from harken.analytics.periods import Period
from harken.analytics.reports import summary
from harken.analytics.reports.build import build
from harken.analytics.reports.periods import last_complete, month, week
from harken.analytics.reports.render import pdf
from harken.analytics.reports.sending import send_due
from harken.analytics.rollups import roll_all
from tests.analytics.conftest import add_mention

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
OCTOBER = month("2026-10")


def test_a_month_and_a_week_are_calendar_periods():
    assert Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == OCTOBER
    assert month("2026-12").last == dt.date(2026, 12, 31)
    assert week("2026-W40") == Period(dt.date(2026, 9, 28), dt.date(2026, 10, 4))
    assert week("2026-10-01") == week("2026-W40")
    assert last_complete("monthly", dt.date(2026, 11, 1)) == OCTOBER
    assert last_complete("weekly", dt.date(2026, 10, 7)) == week("2026-W40")
    with pytest.raises(ValueError):
        month("October")


def test_the_summary_says_what_changed_in_words():
    share = summary.Figure("Share of voice", Change(44.0, 38.0, "%"))
    assert summary.sentence(share) == "Share of voice rose from 38 % to 44 %."
    mentions = summary.Figure("Mentions", Change(410, 200))
    assert summary.sentence(mentions) == "Mentions doubled, from 200 to 410."
    steady = summary.Figure("Mentions", Change(198, 200))
    assert summary.sentence(steady) == "Mentions held steady at 198."
    fell = summary.Figure("Median first response", Change(20.0, 45.0, "min", "down"))
    assert summary.sentence(fell) == "Median first response fell from 45 min to 20 min."
    assert summary.sentence(summary.Figure("Mentions", Change(None, 3))) is None
    assert summary.sentence(summary.Figure("Mentions", Change(5, None))) == "Mentions: 5."
    assert summary.sentence(summary.Figure("Mentions", Change(0, 0))) is None


def test_complaints_that_doubled_are_named_and_small_ones_are_not():
    lines = summary.complaints({"delivery": 8, "price": 2, "clasp": 5}, {"delivery": 4, "clasp": 5})
    assert lines == ["Complaints about “delivery” doubled (from 4 to 8)."]
    assert summary.complaints({"resizing": 3}, {}) == ["New complaints about “resizing”: 3."]


@pytest.fixture
def october(workspace, brand, rival):
    """September: the brand 38 of 100 mentions, 3 complaints about delivery; October: 44
    of 100, 6 complaints about delivery."""
    for first, ours, complaints in ((dt.date(2026, 9, 1), 38, 3), (dt.date(2026, 10, 1), 44, 6)):
        for n in range(100):
            at = dt.datetime.combine(first + dt.timedelta(days=n % 28), dt.time(12), dt.UTC)
            unhappy = n < complaints
            add_mention(
                workspace,
                at,
                handle=f"p{n}",
                topics=(brand,) if n < ours else (rival,),
                sentiment="negative" if unhappy else "positive",
                phrases=("delivery",) if unhappy else (),
                text="<b>late</b> delivery" if unhappy else "lovely ring",
            )
    roll_all(workspace)
    return workspace


@pytest.mark.django_db
def test_the_report_summarises_the_month_against_the_month_before(october):
    report = build(october, OCTOBER, "monthly")
    assert report.scope.before == Period(dt.date(2026, 8, 31), dt.date(2026, 9, 30))
    assert "Share of voice rose from 38 % to 44 %." in report.lines
    assert "Complaints about “delivery” doubled (from 3 to 6)." in report.lines
    assert "Mentions held steady at 100." in report.lines


def _pages(data: bytes, name: str) -> tuple[list, str]:
    document = pdfium.PdfDocument(data)
    images, text = [], ""
    ARTIFACTS.mkdir(exist_ok=True)
    for index, page in enumerate(document):
        image = page.render(scale=1).to_pil()
        image.save(ARTIFACTS / f"{name}-{index + 1}.png")
        images.append(image)
        text += page.get_textpage().get_text_range()
    return images, text


def _inked(image) -> float:
    """The share of pixels that are not white: a blank page is 0."""
    return float((np.asarray(image.convert("L")) < 230).mean())


@pytest.mark.django_db
def test_the_pdf_has_the_summary_and_drawn_charts(october):
    data = pdf(build(october, OCTOBER, "monthly"))
    assert data.startswith(b"%PDF")
    images, text = _pages(data, "report-october")
    assert len(images) >= 2
    assert all(_inked(image) > 0.005 for image in images)
    flat = " ".join(text.split())
    assert "Share of voice rose from 38 % to 44 %." in flat
    assert "Conversation drivers" in flat and "Share of voice" in flat
    # A chart is drawn (coloured bars), not only text: the accent or negative colours appear.
    pixels = np.concatenate([np.asarray(i.convert("RGB")).reshape(-1, 3) for i in images])
    accent = np.all(np.abs(pixels.astype(int) - (14, 116, 144)) < 8, axis=1)
    assert accent.sum() > 500


@pytest.mark.django_db
def test_send_me_this_report_puts_it_in_my_outbox(october, alice_client):
    page = alice_client.get("/analytics/report/?month=2026-10")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Share of voice rose from 38 % to 44 %." in html
    assert "<b>late</b>" not in html
    answer = alice_client.post("/analytics/report/send/?month=2026-10")
    assert answer.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert "Share of voice rose from 38 % to 44 %." in message.body
    body, kind = message.alternatives[0]
    assert kind == "text/html"
    assert "Share of voice rose from 38 % to 44 %." in body
    # The charts as tables with bars (no SVG, which mail clients strip) and the PDF along.
    assert "<svg" not in body and "Mentions per day" in body and "width:100%" in body
    (name, attached, mimetype) = message.attachments[0]
    assert name.endswith(".pdf") and mimetype == "application/pdf"
    assert attached.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_pdf_downloads_from_the_page(october, victor):
    from tests.conftest import client_for

    answer = client_for(victor).get("/analytics/report/pdf/?month=2026-10")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_a_scheduled_report_goes_to_who_opted_in_once_per_period(october, alice, bob, victor):
    from tests.conftest import client_for

    client_for(alice).post("/analytics/report/schedule/", {"cadence": "monthly"})
    client_for(bob).post("/analytics/report/schedule/", {"opt": "in"})
    client_for(alice).post("/analytics/report/schedule/", {"opt": "in"})
    # A viewer may opt in but not change the schedule.
    client_for(victor).post("/analytics/report/schedule/", {"cadence": "weekly"})
    schedule = ReportSchedule.objects.get(workspace=october)
    assert schedule.cadence == "monthly"
    assert send_due(schedule, dt.date(2026, 11, 1)) is not None
    assert send_due(schedule, dt.date(2026, 11, 2)) is None
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["alice@example.com", "bob@example.com"]
    assert "Monthly report" in mail.outbox[0].subject
    sent = ReportSent.objects.get(workspace=october)
    assert (sent.first, sent.last, sent.recipients) == (OCTOBER.first, OCTOBER.last, 2)


@pytest.mark.django_db
def test_nothing_goes_out_when_the_schedule_is_off(october, alice):
    schedule = ReportSchedule.objects.create(workspace=october)
    schedule.recipients.add(alice)
    assert send_due(schedule, dt.date(2026, 11, 1)) is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_report_command_writes_the_pdf_and_mails_it(october, tmp_path):
    out = tmp_path / "out.pdf"
    call_command(
        "report", workspace=october.slug, month="2026-10", pdf=str(out), email=["o@example.com"]
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert mail.outbox[0].to == ["o@example.com"]


@pytest.fixture
def answered(october):
    """One October conversation, answered in 12 minutes and resolved in 3 hours."""
    from harken.inbox.models import Conversation

    began = dt.datetime(2026, 10, 5, 15, tzinfo=dt.UTC)
    Conversation.objects.create(
        workspace=october,
        network="mastodon",
        root_external_id="r1",
        first_message_at=began,
        first_response_at=began + dt.timedelta(minutes=12),
        resolved_at=began + dt.timedelta(hours=3),
    )
    roll_all(october)
    return october


@pytest.mark.django_db
def test_the_pdf_and_the_email_carry_every_figure_of_the_pages(answered):
    from harken.analytics.panels import PANELS
    from harken.analytics.reports.build import PANEL_KEYS
    from harken.analytics.reports.render import bar_rows as render_bar_rows
    from harken.analytics.reports.render import email_html
    from harken.analytics.views import AREAS

    shown = {key for _, keys in AREAS.values() for key in keys}
    assert shown <= set(PANEL_KEYS) and set(PANEL_KEYS) == set(PANELS)
    report = build(answered, OCTOBER, "monthly")
    _, text = _pages(pdf(report), "report-every-figure")
    flat = " ".join(text.split())
    mail_html = email_html(report)
    for panel in report.panels:
        assert panel.title in flat, panel.title
        assert f"{panel.title}</h2>" in mail_html.replace("&#x27;", "'"), panel.title
    # The response times beyond the chart: p90, the hour's goal, resolution.
    line = (
        "Median first response 12 min (p90 12 min); 100 % answered within the hour; "
        "median resolution 3 h; 1 of 1 conversations answered."
    )
    assert line in flat and line in mail_html
    # Influence with its sentiment, in words as well as colours.
    influence = next(p for p in report.panels if p.key == "influence")
    assert influence.chart.columns[:2] == ["Author", "Reach"]
    assert "Leaning" in influence.chart.columns and "Leaning" in flat
    # A driver's example is a customer's words: shown as text in both, never as markup.
    assert "“<b>late</b> delivery”" in flat
    assert "&lt;b&gt;late&lt;/b&gt; delivery" in mail_html and "<b>late</b>" not in mail_html
    # Counts read as counts ("4", not "4.0"), as in the page's tables.
    assert not re.search(r">\d+\.0<", mail_html)
    # The e-mail keeps five columns and drops the bars beside them: a phone is 390 px.
    table = render_bar_rows(influence.chart)
    assert table["columns"] == ["Author", "Reach", "Mentions", "Positive", "Negative"]
    assert not table["bars"] and all(len(r["cells"]) == 4 for r in table["rows"])


def test_the_email_draws_a_grids_largest_cells_by_their_value():
    from harken.analytics.charts import heatmap
    from harken.analytics.reports.render import GRID_ROWS, bar_rows

    values = [[float(h) for h in range(24)] for _ in range(7)]
    chart = heatmap(
        "h",
        "Best",
        "D",
        list("MTWTFSS"),
        [f"{h}h" for h in range(24)],
        values,
        [[1] * 24 for _ in range(7)],
    )
    rows = bar_rows(chart)["rows"]
    assert len(rows) == GRID_ROWS
    assert [r["cells"][0] for r in rows[:7]] == ["23h"] * 7 and rows[0]["width"] == 100
