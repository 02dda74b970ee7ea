"""The content calendar in a real browser: drag a post to another day in the month view
(refused with the guideline's words where it would crowd another post, moved where it
fits), a post on two accounts to another hour of the week's grid, and the list view a
phone opens by default."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from harken.publishing.models import Event, Variant
from tests.browser.conftest import log_in, screenshot
from tests.publishing.calendar.conftest import plan, shop, sky, workspace  # noqa: F401

pytestmark = pytest.mark.browser
NEW_YORK = ZoneInfo("America/New_York")


def local(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK)


def test_drag_a_post_to_another_day_in_the_month(page, alice, shop, sky):  # noqa: F811
    if page.viewport_name != "desktop":
        pytest.skip("dragging is for a pointer; the phone has the list and the move form")
    day = timezone.now().astimezone(NEW_YORK).date() + timedelta(days=10)
    moving = plan(shop, local(day, 10), text="Engraving ideas for her")
    plan(shop, local(day + timedelta(days=1), 10, 20), text="Last day for engraving")
    plan(sky, local(day, 12), text="<b>Live Q&A</b> on lab-grown stones")
    Event.objects.create(workspace=shop.workspace, title="Aurora promotion", starts=day)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    log_in(page, "alice")
    page.goto(f"/calendar/?view=month&date={day:%Y-%m-%d}")
    chip = page.locator(f'.chip[data-variant="{moving.pk}"]')
    expect(chip).to_contain_text("Engraving ideas for her")
    expect(page.get_by_text("<b>Live Q&A</b> on lab-grown stones")).to_be_visible()  # escaped
    expect(page.locator(f'.cal-day[data-date="{day:%Y-%m-%d}"]')).to_contain_text(
        "Aurora promotion"
    )
    screenshot(page, "calendar-month")

    crowded = page.locator(f'.cal-day[data-date="{day + timedelta(days=1):%Y-%m-%d}"]')
    chip.drag_to(crowded)
    expect(page.locator("#cal-status")).to_contain_text("minutes")
    moving.refresh_from_db()
    assert moving.scheduled_at == local(day, 10)

    free = page.locator(f'.cal-day[data-date="{day + timedelta(days=2):%Y-%m-%d}"]')
    chip.drag_to(free)
    expect(page.locator("#cal-status")).to_contain_text("Moved to")
    expect(free.locator(f'.chip[data-variant="{moving.pk}"]')).to_be_visible()
    moving.refresh_from_db()
    assert moving.scheduled_at == local(day + timedelta(days=2), 10)
    screenshot(page, "calendar-month-moved")

    page.reload()  # the server agrees
    expect(free.locator(f'.chip[data-variant="{moving.pk}"]')).to_be_visible()

    # The week of next spring's clock change, hour by hour.
    page.get_by_role("link", name="Week").click()
    expect(page.locator(".cal-weekgrid")).to_be_visible()
    page.goto("/calendar/?view=week&date=2027-03-14")
    expect(page.locator('.wk-day[data-date="2027-03-14"]')).to_contain_text(
        "23-hour day: clocks go forward"
    )
    screenshot(page, "calendar-week")
    assert errors == []


def test_the_phone_opens_the_list_and_moves_a_post_with_the_form(page, alice, shop):  # noqa: F811
    if page.viewport_name != "phone":
        pytest.skip("the list is the phone's default")
    today = timezone.now().astimezone(NEW_YORK).date()
    day = today + timedelta(days=2)
    if day.month != today.month:
        day = today  # the default page is this month
    variant = plan(shop, local(day, 23, 0), text="Open until 8 pm tonight")

    log_in(page, "alice")
    page.goto("/calendar/")
    expect(page.locator(".cal-month")).to_be_hidden()
    listed = page.locator(".cal-list")
    expect(listed).to_be_visible()
    expect(listed.locator(f'.list-day[data-date="{day:%Y-%m-%d}"]')).to_contain_text(
        "Open until 8 pm tonight"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "calendar-list")

    listed.locator(f'.chip[data-variant="{variant.pk}"]').click()
    page.get_by_label("Time").fill("21:30")
    page.get_by_role("button", name="Move").click()
    expect(page.locator(".flash")).to_contain_text("Moved to")
    assert Variant.objects.get(pk=variant.pk).scheduled_at == local(day, 21, 30)
    screenshot(page, "calendar-list-moved")


def test_the_sample_stores_planned_month(page, alice, workspace):  # noqa: F811
    from harken.publishing import demo

    demo.fill(workspace)
    log_in(page, "alice")
    page.goto("/calendar/")
    shown = page.locator(".cal-month" if page.viewport_name == "desktop" else ".cal-list")
    expect(shown).to_be_visible()
    expect(shown.locator(".chip").first).to_be_visible()
    expect(page.locator(".cal-notes .flash.error")).to_contain_text("failed")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, "calendar-sample-month")


def test_drag_a_post_on_two_accounts_to_another_hour_in_the_week(page, alice, shop, sky):  # noqa: F811
    if page.viewport_name != "desktop":
        pytest.skip("dragging is for a pointer; the phone has the list and the move form")
    day = timezone.now().astimezone(NEW_YORK).date() + timedelta(days=10)
    first = plan(shop, local(day, 10, 15), text="Engraving ideas for her")
    second = Variant.objects.create(
        workspace=first.workspace,
        post=first.post,
        account=sky,
        text="Engraving ideas, for Bluesky",
        state=first.state,
        scheduled_at=first.scheduled_at,
    )
    log_in(page, "alice")
    page.goto(f"/calendar/?view=week&date={day:%Y-%m-%d}")
    chip = page.locator(f'.post-chip[data-post="{first.post_id}"]')
    expect(chip.locator(".dot")).to_have_count(2)  # one chip, a dot per account
    expect(page.locator(f'.hg-cell[data-date="{day:%Y-%m-%d}"][data-hour="10"]')).to_contain_text(
        "Engraving ideas for her"
    )
    target = page.locator(
        f'.hg-cell[data-date="{day + timedelta(days=1):%Y-%m-%d}"][data-hour="14"]'
    )
    chip.drag_to(target)
    expect(page.locator("#cal-status")).to_contain_text("Moved to")
    expect(target.locator(".post-chip")).to_be_visible()
    moved = {v.scheduled_at for v in Variant.objects.filter(pk__in=[first.pk, second.pk])}
    assert moved == {local(day + timedelta(days=1), 14, 15)}  # the hour changes, the minutes stay
    screenshot(page, "calendar-week-moved")
