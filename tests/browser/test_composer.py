"""The composer in a real browser, on a desktop and on a phone: a post for X and Bluesky,
counted and previewed per network while typing, refused with the rule it breaks, fixed,
and scheduled in the workspace's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from harken.networks.models import Account
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

LONG = "Our winter collection is in the window: rings, chains and earrings, all made here. " * 4


def test_compose_for_two_networks_break_a_rule_fix_it_and_schedule(page, alice, workspace):
    workspace.time_zone = "America/New_York"
    workspace.save()
    x = Account.objects.create(workspace=workspace, network="x", handle="@harborjewel")
    sky = Account.objects.create(
        workspace=workspace, network="bluesky", handle="harbor.bsky.social"
    )
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, "alice")
    page.goto("/calendar/compose/")
    expect(page.get_by_role("heading", name="New post")).to_be_visible()
    page.get_by_role("checkbox", name="X @harborjewel").check()
    page.get_by_role("checkbox", name="Bluesky harbor.bsky.social").check()
    page.locator("#compose-text").fill("<b>Winter</b> is here 🎉 https://harbor.example/winter")

    x_card = page.locator(f'.compose-card[data-account="{x.pk}"]')
    sky_card = page.locator(f'.compose-card[data-account="{sky.pk}"]')
    # Counted each network's way: on X the emoji weighs 2 and the link 23; on Bluesky
    # every grapheme, the link in full.
    expect(x_card.locator(".compose-count")).to_have_text("48 / 280 characters")
    expect(sky_card.locator(".compose-count")).to_have_text("53 / 300 graphemes")
    # The preview shows what was typed as text, never as markup.
    expect(sky_card.locator(".preview-body")).to_contain_text("<b>Winter</b> is here")
    assert sky_card.locator(".preview-body b").count() == 0
    # The server's check agrees.
    checks = page.locator("#compose-checks")
    expect(checks).to_contain_text("48 / 280 characters")
    expect(checks).to_contain_text("53 / 300 graphemes")

    x_card.get_by_label("Text on X").fill(LONG)
    expect(x_card.locator(".compose-count")).to_have_class("compose-count over")
    page.locator("#id_at").fill("2027-01-15T10:00")
    screenshot(page, "composer-over")
    page.get_by_role("button", name="Schedule").click()
    errors = page.locator("[data-form-errors]")
    expect(errors).to_contain_text("@harborjewel (X): X allows 280 characters; this text has 332")
    assert not Variant.objects.exists()  # nothing saved
    screenshot(page, "composer-refused")

    x_card = page.locator(f'.compose-card[data-account="{x.pk}"]')
    x_card.get_by_label("Text on X").fill("Our winter collection is in the window.")
    expect(x_card.locator(".compose-count")).to_have_text("39 / 280 characters")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Scheduled.")).to_be_visible()
    screenshot(page, "composer-scheduled")

    variants = {v.account.network: v for v in Variant.objects.select_related("account")}
    assert {v.state for v in variants.values()} == {State.SCHEDULED}
    assert variants["x"].text == "Our winter collection is in the window."
    assert variants["bluesky"].text.startswith("<b>Winter</b> is here")
    # 10:00 in New York in January is 15:00 UTC.
    assert variants["x"].scheduled_at == datetime(2027, 1, 15, 15, 0, tzinfo=UTC)
    assert refused == []
