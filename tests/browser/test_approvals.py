"""Approvals in a real browser, on a desktop and on a phone: a manager approves a
responder's post, a client requests changes through a review link without an account,
and a failed variant is retried from its page and then published to a local Mastodon."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from harken.core.models import AuditEntry
from harken.publishing.engine import do_publish_due
from harken.publishing.models import ApprovalComment
from harken.publishing.states import State
from tests.browser.conftest import log_in, screenshot
from tests.publishing.approvals.conftest import (  # noqa: F401  (fixtures)
    accounts,
    make_post,
    mia,
    states,
)
from tests.publishing.conftest import mastodon, mastodon_account  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def watch_csp(page) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return refused


def test_a_manager_approves_a_responders_post(page, bob, mia, accounts):  # noqa: F811
    post = make_post(
        bob,
        accounts,
        ["Our winter rings are in the window. <b>Come by</b>!", "Winter rings, in store now."],
        state=State.AWAITING_APPROVAL,
    )
    refused = watch_csp(page)
    log_in(page, "mia")
    page.goto("/calendar/approvals/")
    expect(page.get_by_role("heading", name="Awaiting approval")).to_be_visible()
    expect(page.get_by_role("navigation", name="Plan and publish")).to_contain_text("Approvals 1")
    screenshot(page, "approvals-queue")
    page.get_by_role("link", name="Our winter rings are in the window").click()
    expect(page.locator(".variant-text").first).to_contain_text("<b>Come by</b>")  # escaped
    expect(page.locator(".variant .badge").first).to_have_text("Awaiting approval")
    first = page.locator(".variant").first
    first.get_by_text("Comment on this variant").click()
    first.get_by_label("Your comment").fill("Could we say <i>which</i> window?")
    first.get_by_role("button", name="Comment").click()
    said = page.locator(".variant").first.locator(".approval-comments li")
    expect(said).to_contain_text("mia")
    expect(said).to_contain_text("Could we say <i>which</i> window?")  # escaped
    page.get_by_label("Note for the author (optional)").fill("Lovely, thank you.")
    screenshot(page, "approvals-post")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved: it is scheduled")).to_be_visible()
    expect(page.locator(".variant .badge").first).to_have_text("Scheduled")
    assert states(post) == [State.SCHEDULED] * 2
    assert AuditEntry.objects.get(action="post.approve").actor.username == "mia"
    assert refused == []


def test_a_client_requests_changes_through_a_review_link(page, bob, mia, accounts):  # noqa: F811
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    log_in(page, "mia")
    page.goto(f"/calendar/approvals/posts/{post.pk}/")
    page.get_by_label("Open for (days)").fill("3")
    page.get_by_role("button", name="Make a review link").click()
    link = page.get_by_label("The review link (shown once)").input_value()
    assert "/review/" in link
    page.context.clear_cookies()  # the client has no account

    refused = watch_csp(page)
    page.goto(link)
    expect(page.get_by_role("heading", name="Review a post")).to_be_visible()
    expect(page.locator(".rail")).to_have_count(0)
    page.get_by_label("Your name").fill("Dana from Harbor Street")
    page.get_by_role("button", name="Request changes").click()  # without a comment: refused
    expect(page.get_by_role("alert")).to_contain_text("Say what should change.")
    expect(page.get_by_label("Your name")).to_have_value("Dana from Harbor Street")
    assert states(post) == [State.AWAITING_APPROVAL] * 2
    page.get_by_label("Comment (needed when you request changes)").fill(
        "Please mention the engraving offer."
    )
    screenshot(page, "approvals-client-review")
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Changes were requested by Dana from Harbor Street")).to_be_visible()
    assert states(post) == [State.DRAFT] * 2
    comment = ApprovalComment.objects.get(post=post)
    assert comment.by == "Dana from Harbor Street (client)"
    assert AuditEntry.objects.get(action="post.send_back").changes["client"] == (
        "Dana from Harbor Street"
    )
    assert refused == []


def test_a_failed_variant_is_retried_from_its_page(page, bob, mastodon, mastodon_account):  # noqa: F811
    post = make_post(
        bob, [mastodon_account], state=State.FAILED, at=timezone.now() - timedelta(minutes=5)
    )
    post.variants.update(error="Validation failed: Text character limit of 500 exceeded")
    log_in(page, "bob")
    page.goto("/calendar/approvals/?view=failed")
    page.get_by_role("link", name="Winter rings are in the window").click()
    alert = page.locator(".failed")
    expect(alert).to_contain_text("Mastodon said: Validation failed")
    screenshot(page, "approvals-failed")
    alert.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("Queued again")).to_be_visible()
    expect(page.locator(".variant .badge")).to_have_text("Scheduled")

    assert do_publish_due().published == [post.variants.get().pk]
    page.reload()
    expect(page.locator(".variant .badge")).to_have_text("Published")
    link = page.get_by_role("link", name="See it on Mastodon")
    expect(link).to_have_attribute("href", post.variants.get().url)
    assert len(mastodon.posts) == 1
