"""A manager writes an assignment rule in the browser; a complaint arrives through the
ingest pipeline and is assigned by it, with its service-level badge on the row, on a
desktop and on a phone. The assignee hears of it by e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from harken.inbox.models import AssignmentRule, Conversation, ServiceLevel
from harken.listening.models import Source
from harken.listening.pipeline import ingest
from tests.browser.conftest import log_in, screenshot
from tests.listening.helpers import item

pytestmark = pytest.mark.browser


def test_a_rule_assigns_a_new_complaint_and_the_row_shows_its_time_left(
    page, workspace, alice, bob
):
    ServiceLevel.objects.create(
        workspace=workspace,
        hours={str(day): ["00:00", "23:59"] for day in range(7)},
        complaint_minutes=60,
    )
    log_in(page, "alice")
    page.goto("/inbox/assignment/")
    expect(page.get_by_text("No rules yet")).to_be_visible()
    form = page.locator("#rule-form")
    form.get_by_label("Name").fill("Complaints to Bob")
    form.get_by_label("Intent").select_option("complaint")
    form.get_by_label("Assign to").select_option(label="bob")
    screenshot(page, "inbox-rules-form")
    form.get_by_role("button", name="Save rule").click()
    expect(page.locator("#rule-list")).to_contain_text("Complaints to Bob")
    expect(page.locator("#rule-list")).to_contain_text("complaint")
    assert AssignmentRule.objects.get().assignee == bob

    # A complaint arrives the way every mention does (live server: commits are real, so
    # the routing task runs after the batch is stored, as in production).
    source = Source.objects.create(
        workspace=workspace, name="Mentions", kind=Source.Kind.SEARCH, network="mastodon"
    )
    text = "My ring broke after two days, this is terrible service and nobody answers"
    posted = timezone.now() - timedelta(minutes=40)  # 20 of its 60 minutes are left
    ingest(source, [item("77", text=text, created=posted)])
    conversation = Conversation.objects.get()
    assert conversation.assignee == bob and conversation.intent == "complaint"

    page.goto("/inbox/?view=at_risk")
    row = page.locator("[data-row]").filter(has_text="@user77")
    expect(row).to_be_visible()
    badge = row.locator("[data-sla]")
    expect(badge).to_have_text(re.compile(r"^due in (19|20) min$"))
    expect(badge).to_have_attribute("data-sla", "risk")
    expect(row.locator(".assignee")).to_have_attribute("title", "Assigned to bob")
    screenshot(page, "inbox-sla-at-risk")

    # Narrow the list to complaints and keep it as a saved view, counted beside the others.
    page.get_by_text("More filters").click()
    page.get_by_label("Intent").select_option("complaint")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text("Save this view").click()
    page.locator("#save-view-form").get_by_label("Name").fill("Complaints at risk")
    page.locator("#save-view-form").get_by_role("button", name="Save view").click()
    saved = page.locator("#saved-views").get_by_role("link", name=re.compile("Complaints at risk"))
    expect(saved).to_have_attribute("aria-current", "page")
    expect(saved.locator(".view-count")).to_have_text("1")
    expect(page.locator("[data-row]")).to_have_count(1)
    screenshot(page, "inbox-saved-view")
    told = [m for m in mail.outbox if m.to == ["bob@example.com"]]
    assert any("Assigned to you by a rule: @user77" in m.subject for m in told)


def test_a_member_sets_notifications_and_a_manager_the_opening_hours(page, workspace, alice):
    log_in(page, "alice")
    page.goto("/settings/notifications/")
    form = page.locator("#notification-settings")
    form.get_by_label("ntfy topic").fill("alice-phone")
    form.get_by_label("A new high-priority conversation").uncheck()
    form.get_by_label("I am taking conversations").uncheck()
    screenshot(page, "settings-notifications")
    form.get_by_role("button", name="Save notifications").click()
    expect(page.get_by_text("Notification settings saved.")).to_be_visible()
    expect(form.get_by_label("A new high-priority conversation")).not_to_be_checked()
    expect(form.get_by_label("I am taking conversations")).not_to_be_checked()

    page.goto("/inbox/service-level/")
    sla = page.locator("#sla-form")
    sla.get_by_label("Open on Saturday").check()
    sla.get_by_label("Saturday opens").fill("10:00")
    sla.get_by_label("Saturday closes").fill("14:00")
    sla.get_by_label("Complaints: answer within (minutes)").fill("45")
    screenshot(page, "settings-service-levels")
    sla.get_by_role("button", name="Save service level").click()
    expect(page.get_by_text("Service level saved")).to_be_visible()
    level = ServiceLevel.objects.get(workspace=workspace)
    assert level.hours["5"] == ["10:00", "14:00"] and level.complaint_minutes == 45
    assert "6" not in level.hours  # Sunday stays closed
