"""The sample workspace's dashboard looked at as a picture, on a desktop (1280×800) and a
phone (390×844): every chart drawn at a size one can read, each with its table beside it,
nothing wider than the window, and the screenshot itself showing the charts' colours.
The screenshots go to test-artifacts/ (the PDF's pages: tests/analytics/test_demo.py)."""

from __future__ import annotations

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from PIL import Image
from playwright.sync_api import expect

from harken.analytics.charts.chart import PALETTE
from harken.core.demo import do_fill_demo
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def _pixels_of(image: Image.Image, colour: str) -> int:
    """How many pixels are (nearly) ``colour``: a chart's bars and lines, not the page's."""
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3).astype(int)
    return int(np.all(np.abs(pixels - rgb) < 8, axis=1).sum())


def test_the_sample_dashboard_as_a_picture(page, transactional_db):
    owner = get_user_model().objects.create_user("owner", password="correct horse battery")
    do_fill_demo([owner])
    log_in(page, "owner")
    page.goto("/analytics/")
    expect(page.get_by_role("heading", name="Analytics", exact=True)).to_be_visible()
    window = page.viewport_size["width"]

    charts = page.locator("svg[role=img]")
    assert charts.count() >= 6
    for n in range(charts.count()):
        chart = charts.nth(n)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        name = chart.get_attribute("aria-labelledby")
        assert box is not None, name
        # Drawn, at a size one reads: most of a phone's width, a good part of a desktop's.
        assert box["width"] >= min(300, 0.75 * window) and box["height"] >= 40, (name, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= window + 0.5, (name, box)
        # Each chart has its figures beside it as a table (closed until asked for).
        figure = chart.locator("xpath=..")
        assert figure.locator("details.chart-table table").count() == 1, name
        assert figure.locator("details.chart-table tbody tr").count() >= 1, name

    # The relationship figures' own table (median, p90, within the hour per group).
    assert page.locator("table.responses tbody tr").count() >= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= window

    path = screenshot(page, "analytics-dashboard-picture")
    image = Image.open(path)
    assert image.width == window and image.height > page.viewport_size["height"]
    inked = float((np.asarray(image.convert("L")) < 230).mean())
    assert inked > 0.03  # not a blank page
    # The charts' colours are on the picture: the accent bars and lines, the sentiments.
    assert _pixels_of(image, PALETTE["accent"]) > 2_000
    assert _pixels_of(image, PALETTE["negative"]) > 100
