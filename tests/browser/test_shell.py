"""The app shell in a real browser: a dark rail on a desktop, a bottom tab bar on a phone,
tabs that look like tabs, buttons sized to their words, branded error pages.

The last test walks every page of the sample workspace (`harken demo`) and keeps a
screenshot of each at 1280×800 and 390×844 in test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from harken.core.demo import do_fill_demo
from harken.core.models import Member, Role, Workspace
from harken.listening.models import AlertRule, Source, Topic
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCENT = "rgb(14, 116, 144)"
SECTIONS = ["Inbox", "Listening", "Calendar", "Analytics", "Settings"]


@pytest.fixture
def sample(alice) -> Workspace:
    """Alice owns her business and the sample workspace, and opened the sample last."""
    workspace = do_fill_demo([alice])
    Member.objects.filter(user=alice, workspace=workspace).update(last_opened="2026-01-01T00:00Z")
    return workspace


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def test_the_shell_has_a_rail_on_a_desktop_and_a_tab_bar_on_a_phone(page, alice, sample):
    log_in(page, "alice")
    expect(page.locator(".section-title")).to_have_text("Inbox")
    nav = page.get_by_role("navigation", name="Sections")
    for section in SECTIONS:
        expect(nav.get_by_role("link", name=section)).to_be_visible()
    expect(nav.get_by_role("link", name="Inbox")).to_have_attribute("aria-current", "page")
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    rail = box(page.locator("aside.rail"))
    if page.viewport_name == "desktop":
        # A compact column down the left edge, the whole height of the window.
        assert rail["x"] == 0 and rail["width"] <= 96 and rail["height"] == height
        expect(page.get_by_role("img", name="Harken")).to_be_visible()
        inbox = box(nav.get_by_role("link", name="Inbox"))
        settings = box(nav.get_by_role("link", name="Settings"))
        assert inbox["y"] < 320 < height - 200 < settings["y"]  # Settings sits at the bottom
    else:
        # A bar along the bottom edge, the whole width, the five sections side by side.
        assert rail["width"] == width and rail["y"] + rail["height"] == height
        assert rail["height"] <= 72
        tops = {round(box(nav.get_by_role("link", name=s))["y"]) for s in SECTIONS}
        assert len(tops) == 1
        expect(page.get_by_role("img", name="Harken")).to_be_hidden()
    assert overflow(page) <= 0
    screenshot(page, "shell")


def test_the_workspace_name_is_whole_and_log_out_is_in_a_small_menu(page, alice, sample):
    log_in(page, "alice")
    name = page.locator(".topbar .ws-name")
    expect(name).to_have_text(sample.name)
    cut = name.evaluate("e => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight")
    assert not cut
    assert box(name)["x"] + box(name)["width"] <= page.viewport_size["width"]
    # Log out is not a row of its own: it waits in the member's menu.
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_hidden()
    account = page.locator("summary[aria-label='Account of alice']:visible")
    expect(account).to_be_visible()
    topbar = box(page.locator(".topbar"))
    assert topbar["height"] <= 90
    if page.viewport_name == "phone":
        # The member sits on the workspace's row, at the right.
        assert abs(box(account)["y"] - box(page.locator(".ws-menu > summary"))["y"]) < 24
    account.click()
    expect(log_out).to_be_visible()
    assert box(page.locator(".topbar"))["height"] == topbar["height"]  # the menu floats
    screenshot(page, "member-menu")
    page.keyboard.press("Escape")
    expect(log_out).to_be_hidden()
    account.click()
    log_out.click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_switching_workspace_is_remembered_at_the_next_log_in(page, alice, sample, workspace):
    log_in(page, "alice")
    expect(page.locator(".topbar .ws-name")).to_have_text(sample.name)
    page.goto("/listening/topics/")
    page.locator(".ws-menu > summary").click()
    page.locator(".ws-menu .menu").get_by_role(
        "button", name="Harbor Street Jewelers", exact=True
    ).click()
    expect(page.locator(".topbar .ws-name")).to_have_text("Harbor Street Jewelers")
    # The switch keeps you in the section you were in.
    expect(page.locator(".section-title")).to_have_text("Listening")
    screenshot(page, "workspace-switched")
    page.context.clear_cookies()
    log_in(page, "alice")
    expect(page.locator(".topbar .ws-name")).to_have_text("Harbor Street Jewelers")


def test_an_agency_switches_client_from_the_rail(page, alice, sample, workspace, other_workspace):
    if page.viewport_name == "phone":
        pytest.skip("the rail's client avatars are a desktop affordance; phones use the menu")
    Member.objects.create(workspace=other_workspace, user=alice, role=Role.MANAGER)
    log_in(page, "alice")
    clients = page.get_by_role("group", name="Clients")
    expect(clients.get_by_role("button")).to_have_count(3)
    clients.get_by_role("button", name="Rival Rings").click()
    expect(page.locator(".topbar .ws-name")).to_have_text("Rival Rings")
    expect(clients.get_by_role("button", name="Rival Rings")).to_have_attribute(
        "aria-current", "true"
    )


def test_sub_navigation_looks_like_tabs(page, alice, sample):
    log_in(page, "alice")
    page.goto("/listening/topics/")
    tabs = page.get_by_role("navigation", name="Listening")
    assert tabs.evaluate("e => getComputedStyle(e).display") == "flex"
    current = tabs.get_by_role("link", name="Topics")
    other = tabs.get_by_role("link", name="Sources")
    style = "e => { const s = getComputedStyle(e); return [s.borderBottomWidth, s.borderBottomStyle, s.borderBottomColor, s.textDecorationLine, s.color]; }"
    width, line, colour, decoration, _ = current.evaluate(style)
    assert (width, line, colour, decoration) == ("2px", "solid", ACCENT, "none")
    o_width, _, o_colour, o_decoration, o_text = other.evaluate(style)
    assert o_colour == "rgba(0, 0, 0, 0)" and o_decoration == "none"
    assert o_text != ACCENT
    # Tabs sit side by side on one line, on a phone too (they scroll sideways if they must).
    tops = {round(box(tabs.get_by_role("link", name=n))["y"]) for n in ("Stream", "Alerts")}
    assert len(tops) == 1
    page.goto("/settings/members/")
    settings_tabs = page.get_by_role("navigation", name="Settings")
    assert settings_tabs.evaluate("e => getComputedStyle(e).display") == "flex"
    assert settings_tabs.get_by_role("link", name="Members").evaluate(style)[2] == ACCENT
    # On a phone the settings tabs scroll sideways, and the current one is scrolled into view.
    page.goto("/settings/system/")
    current = box(
        page.get_by_role("navigation", name="Settings").get_by_role("link", name="System")
    )
    assert current["x"] >= 0 and current["x"] + current["width"] <= page.viewport_size["width"]


def test_buttons_are_sized_to_their_words_and_share_one_height(page, alice, sample):
    log_in(page, "alice")
    source = Source.objects.filter(workspace=sample, kind="feed").first()
    page.goto(f"/listening/sources/{source.pk}/edit/")
    save = page.get_by_role("button", name="Save")
    cancel = page.get_by_role("button", name="Cancel")  # a link that looks like a button
    assert box(save)["width"] < 160
    assert box(save)["height"] == box(cancel)["height"]
    assert abs(box(save)["y"] - box(cancel)["y"]) < 2  # side by side
    page.goto("/settings/")
    saved = page.get_by_role("button", name="Save")
    main = box(page.locator("main"))
    assert box(saved)["width"] < main["width"] / 3
    page.goto("/listening/topics/new/")
    create = page.get_by_role("button", name="Create topic")
    preview = page.get_by_role("button", name="Preview matches")
    assert box(create)["width"] < main["width"] / 3
    assert box(create)["height"] == box(preview)["height"]


def test_a_flash_message_is_a_plain_note_without_a_bullet(page, alice, sample):
    log_in(page, "alice")
    page.goto("/settings/")
    page.get_by_role("button", name="Save").click()
    flash = page.locator(".flash").first
    expect(flash).to_have_text("Workspace saved.")
    display = flash.evaluate("e => getComputedStyle(e).display")
    assert display != "list-item"
    assert page.locator("main ul.messages, main .flashes li").count() == 0


def test_the_authority_table_becomes_cards_on_a_phone(page, alice, sample):
    log_in(page, "alice")
    page.goto("/settings/authority/")
    table = page.locator("#authority-table")
    row = table.locator("tbody tr").first
    inputs = row.locator("input")
    expect(inputs.first).to_be_visible()
    if page.viewport_name == "phone":
        assert row.evaluate("e => getComputedStyle(e).display") == "block"
        labels = row.locator("td[data-label]").evaluate_all(
            "cells => cells.map(c => getComputedStyle(c, '::before').content)"
        )
        assert labels == ['"Owner"', '"Manager"', '"Responder"', '"Viewer"']
        for n in range(inputs.count()):
            edge = box(inputs.nth(n))
            assert edge["x"] >= 0 and edge["x"] + edge["width"] <= 390
    assert overflow(page) <= 0
    screenshot(page, "authority")


def test_pages_that_go_wrong_are_branded(page, alice):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="There's nothing here")).to_be_visible()
    expect(page.get_by_role("button", name="Go to Harken")).to_have_attribute("href", "/")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon and icon.endswith(".svg")
    assert overflow(page) <= 0
    screenshot(page, "error-404")
    served = page.request.get(icon)
    assert served.status == 200
    assert served.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in served.text()


def test_times_say_when_in_words_with_the_exact_time_on_hover(page, alice, sample):
    log_in(page, "alice")
    page.goto("/listening/sources/")
    stamp = page.locator("main time[title]").first
    expect(stamp).to_have_text(re.compile(r"(just now|\d+ (min|h) ago|in \d+ (min|h))"))
    # The sample business is in New York: the exact time is said in its zone.
    expect(stamp).to_have_attribute("title", re.compile(r"\d{4}, \d{1,2}:\d\d [ap]m E[SD]T$"))


def test_every_page_of_the_sample_workspace(page, alice, sample):
    """Each page at 1280×800 and 390×844: in the shell, nothing wider than the screen."""
    log_in(page, "alice")
    topic = Topic.objects.filter(workspace=sample).first()
    feed = Source.objects.filter(workspace=sample, kind="feed").first()
    rule = AlertRule.objects.filter(workspace=sample).first()
    pages = {
        "inbox": "/inbox/",
        "stream": "/listening/",
        "stream-search": "/listening/?q=ring",
        "topics": "/listening/topics/",
        "topic-new": "/listening/topics/new/",
        "topic-edit": f"/listening/topics/{topic.pk}/",
        "sources": "/listening/sources/",
        "source-edit": f"/listening/sources/{feed.pk}/edit/",
        "alerts": "/listening/alerts/",
        "alert-new": "/listening/alerts/new/",
        "alert-detail": f"/listening/alerts/{rule.pk}/",
        "calendar": "/calendar/",
        "analytics": "/analytics/",
        "settings-workspace": "/settings/",
        "settings-members": "/settings/members/",
        "settings-accounts": "/networks/accounts/",
        "settings-authority": "/settings/authority/",
        "settings-analysis": "/analysis/settings/",
        "settings-audit": "/settings/audit/",
        "settings-system": "/settings/system/",
        "workspaces": "/workspaces/",
        "workspace-new": "/workspaces/new/",
        "notifications": "/notifications/",
    }
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Every stylesheet, script, icon sprite and favicon the pages ask for is served.
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    for name, path in pages.items():
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.get_by_role("navigation", name="Sections")).to_be_visible()
        assert overflow(page) <= 0, f"{path} is wider than the screen"
        screenshot(page, f"page-{name}")
    assert errors == []
    page.locator("summary[aria-label='Account of alice']:visible").click()
    page.get_by_role("button", name="Log out").click()
    screenshot(page, "page-login")


def test_a_role_changes_as_soon_as_it_is_chosen_without_inline_script(page, alice, bob):
    log_in(page, "alice")
    page.goto("/settings/members/")
    page.get_by_label("Role of bob").select_option(label="Manager")
    expect(page.locator(".flash").first).to_be_visible()
    expect(page.get_by_label("Role of bob")).to_have_value("manager")
    assert Member.objects.get(user=bob).role == "manager"
    assert page.locator("[onchange], [onclick], [onsubmit]").count() == 0
