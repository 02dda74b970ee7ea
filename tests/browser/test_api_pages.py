"""In a real Chromium: Settings → API makes a token that is shown once and works, lists
and revokes it; the API reference draws every operation from vendored files under the
site's CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harken.api.models import Token
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_csp_and_forms import _violations, watched  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_token_is_made_shown_once_used_and_revoked(page, alice, live_server):
    log_in(page, "alice")
    page.goto("/settings/")
    page.get_by_role("link", name="API", exact=True).click()
    expect(page.get_by_role("heading", name="API", exact=True)).to_be_visible()
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_label("Contacts").select_option("write")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("New token").input_value()
    assert secret.startswith("hk_")
    screenshot(page, "api-token-created")

    answer = page.request.get(
        f"{live_server.url}/api/v1/contacts", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200 and answer.json()["items"] == []

    page.reload()  # shown once: gone on the next visit
    expect(page.get_by_label("New token")).to_have_count(0)
    row = page.locator("#token-list tr", has_text="CRM sync")
    expect(row).to_contain_text("contacts:write")
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Revoked “CRM sync”")).to_be_visible()
    assert Token.objects.get().revoked is not None
    refused = page.request.get(
        f"{live_server.url}/api/v1/contacts", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status == 401
    screenshot(page, "api-tokens")


def test_the_api_reference_draws_under_the_csp(watched, alice):  # noqa: F811
    page = watched
    log_in(page, "alice")
    page.goto("/api/tokens/")
    page.get_by_role("link", name="Harken API").click()
    expect(page.get_by_text("/api/v1/mentions").first).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    assert page.locator(".opblock").count() >= 25
    assert _violations(page) == [] and page.problems == []
    screenshot(page, "api-docs")
