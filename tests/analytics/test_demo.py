"""`harken demo`'s analytics part: a sample history whose dashboard is full."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict

from harken.analytics import panels
from harken.analytics.charts.chart import PALETTE
from harken.analytics.models import AccountSnapshot, PostMetric, Tally
from harken.analytics.periods import scope_from, today_in
from harken.analytics.reports.build import build
from harken.analytics.reports.periods import last_complete
from harken.analytics.reports.render import pdf
from harken.analytics.voice_load import compute
from harken.core.demo import do_fill_demo
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

EMPTY = (
    "No mention",
    "Nothing published",
    "No post published",
    "No account",
    "No conversation",
    "No post drew engagement",
)


def test_the_sample_dashboard_shows_every_panel_full():
    owner = get_user_model().objects.create_user("owner", password="correct horse battery")
    workspace = do_fill_demo([owner])
    assert Tally.objects.filter(workspace=workspace, dimension="post").exists()
    assert AccountSnapshot.objects.filter(workspace=workspace).count() == 2 * 91
    client = client_for(owner)
    for url in (
        "/analytics/",
        *(f"/analytics/{a}/" for a in ("listening", "relationship", "audience")),
    ):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert not [words for words in EMPTY if words in html], url
    html = client.get("/analytics/").content.decode()
    for panel in ("mentions", "sentiment", "share-of-voice", "drivers", "responses", "best-times"):
        assert f'id="panel-{panel}"' in html
    for stat in ("mentions", "positive", "share", "first-response", "followers"):
        assert f'id="stat-{stat}"' in html
    assert client.get("/analytics/typical-customer/").status_code == 200


def test_the_sample_tells_the_owner_a_story():
    """Three loud customers make the late orders look like a third of what people say;
    one person one vote, the typical customer is happy; the over-55s are barely heard;
    the late Thursday posts draw the most."""
    owner = get_user_model().objects.create_user("owner", password="correct horse battery")
    workspace = do_fill_demo([owner])
    scope = scope_from(workspace, QueryDict("range=28"))
    typical = compute(scope, "Age band")
    assert typical.base_source == "entered"
    assert typical.by_message.negative > 0.25 > typical.by_person.negative
    assert typical.negative.low <= typical.by_person.negative + 0.05
    quiet = {q.segment for q in typical.quiet}
    assert {"55-64", "65+"} <= quiet and "25-34" not in quiet
    assert PostMetric.objects.filter(workspace=workspace, latest=True).count() >= 40
    best = panels.best_times(scope).extra["best"]
    assert (best.weekday, best.hour) == (3, 19)
    assert panels.engagement(scope).extra["total"].rate is not None


def test_the_sample_monthly_pdf_looked_at_as_page_images():
    owner = get_user_model().objects.create_user("owner", password="correct horse battery")
    workspace = do_fill_demo([owner])
    report = build(workspace, last_complete("monthly", today_in(workspace)), "monthly")
    document = pdfium.PdfDocument(pdf(report))
    assert len(document) >= 2
    ARTIFACTS.mkdir(exist_ok=True)
    text, accent = "", 0
    colour = np.array([int(PALETTE["accent"][i : i + 2], 16) for i in (1, 3, 5)])
    for number, page in enumerate(document, start=1):
        image = page.render(scale=1).to_pil()
        image.save(ARTIFACTS / f"report-sample-{number}.png")
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3).astype(int)
        assert (pixels.mean(axis=1) < 230).mean() > 0.005, number  # no blank page
        accent += int(np.all(np.abs(pixels - colour) < 8, axis=1).sum())
        text += page.get_textpage().get_text_range()
    flat = " ".join(text.split())
    assert accent > 1_000  # the charts are drawn, not only their tables
    for words in ("Share of voice", "Conversation drivers", report.lines[0]):
        assert words in flat, words
