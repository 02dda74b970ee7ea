"""The calendar's other pages (events, series, queues, import and export, settings) fit
a desktop and a phone, and load without a script error."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from harken.core.models import Member
from harken.publishing.models import Event, QueueSlot, Series
from tests.browser.conftest import log_in, screenshot
from tests.publishing.calendar.conftest import shop, workspace  # noqa: F401

pytestmark = pytest.mark.browser


def test_each_calendar_page_fits_the_screen(page, alice, shop):  # noqa: F811
    Event.objects.create(
        workspace=shop.workspace,
        title="Aurora Lab Diamonds promotion",
        starts=date(2030, 2, 9),
        ends=date(2030, 2, 13),
        remind_days=3,
    )
    series = Series.objects.create(
        workspace=shop.workspace,
        title="Online-only special",
        rrule="FREQ=WEEKLY;BYDAY=WE",
        starts=datetime(2030, 2, 6, 10, 0, tzinfo=ZoneInfo("America/New_York")),
        text="This week's online-only special.",
        author=Member.objects.get(user=alice),
    )
    series.accounts.set([shop])
    QueueSlot.objects.create(workspace=shop.workspace, account=shop, weekday=1, time=time(10))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    log_in(page, "alice")
    for name, path, heading in [
        ("events", "/calendar/events/", "Events"),
        ("series", "/calendar/series/", "Recurring series"),
        ("queues", "/calendar/queues/", "Queues"),
        ("import", "/calendar/import/", "Import and export"),
        ("settings", "/calendar/settings/", "Calendar settings"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        width = page.viewport_size["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        screenshot(page, f"calendar-{name}")
    assert errors == []
