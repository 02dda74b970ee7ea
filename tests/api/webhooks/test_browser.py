"""Settings › Webhooks in a real browser, on a desktop (1280×800) and a phone (390×844):
a manager adds an endpoint, copies its secret, sends a test event that reaches a real
receiver, and reads it in the delivery log."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.api.webhooks.models import Delivery, Endpoint
from tests.browser.conftest import browser, log_in, page, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_adds_a_webhook_and_sends_a_test_event(page, alice, receiver):  # noqa: F811
    log_in(page, "alice")
    page.goto("/api/tokens/")
    page.get_by_role("link", name="Webhooks", exact=True).click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Description").fill("Help desk")
    page.get_by_label("A reply is sent").check()
    page.get_by_label("A conversation is resolved").check()
    screenshot(page, "webhooks-new")
    page.get_by_role("button", name="Add webhook").click()
    secret = page.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["conversation.resolved", "reply.sent"]
    receiver.secret = secret
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("Sent a test event")).to_be_visible()
    row = page.locator("#delivery-log tr", has_text="webhook.test")
    expect(row).to_contain_text("Delivered")
    expect(row).to_contain_text("200")
    [delivered] = Delivery.objects.all()
    assert list(receiver.events) == [delivered.event_id]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "webhook-log")
