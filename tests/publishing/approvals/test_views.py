"""The approvals queue, the post page and the client's review page, through Django's client."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from harken.core.models import AuditEntry
from harken.publishing.approvals import review
from harken.publishing.models import ReviewLink
from harken.publishing.states import State
from tests.conftest import client_for
from tests.publishing.approvals.conftest import make_post, member, states

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def page_of(post) -> str:
    return f"/calendar/approvals/posts/{post.pk}/"


def test_the_queue_lists_awaiting_posts_with_a_count(mia_client, bob, accounts):
    waiting = make_post(bob, accounts, [HOSTILE, "Second."], state=State.AWAITING_APPROVAL)
    make_post(bob, accounts)  # a draft is not in the queue
    response = mia_client.get("/calendar/approvals/")
    body = response.content.decode()
    assert response.status_code == 200
    assert page_of(waiting) in body
    assert re.search(r"Approvals <span[^>]*>1</span>", body)
    assert "Awaiting approval (1)" in body and "Failed (0)" in body and "Sent back (0)" in body
    assert "<script>alert" not in body and "&lt;script&gt;" in body


def test_the_post_page_shows_each_variant_escaped_with_its_state(
    mia_client, bob, accounts, workspace
):
    workspace.time_zone = "America/New_York"
    workspace.save()
    post = make_post(bob, accounts, [HOSTILE, "Second."], state=State.FAILED)
    failed = post.variants.order_by("pk").first()
    failed.error = "Mastodon said: <i>Validation failed</i>"
    failed.save()
    body = mia_client.get(page_of(post)).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body
    assert "&lt;i&gt;Validation failed&lt;/i&gt;" in body
    assert 'value="retry-' in body
    assert "EST" in body  # the time, in the workspace's zone


def test_a_published_variant_links_to_the_network(mia_client, bob, accounts):
    post = make_post(bob, accounts[:1], state=State.PUBLISHED)
    post.variants.update(url="https://shop.example/@harbor/1")
    body = mia_client.get(page_of(post)).content.decode()
    assert 'href="https://shop.example/@harbor/1"' in body


def test_another_workspaces_post_is_not_found(charlie_client, bob, accounts):
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    assert charlie_client.get(page_of(post)).status_code == 404
    response = charlie_client.post(page_of(post), {"do": "approve"})
    assert response.status_code == 404
    assert states(post) == [State.AWAITING_APPROVAL] * 2


def test_a_responder_posting_approve_is_refused_on_the_page(bob_client, bob, accounts):
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    response = bob_client.post(page_of(post), {"do": "approve"})
    assert response.status_code == 302 and response["Location"] == page_of(post)
    assert states(post) == [State.AWAITING_APPROVAL] * 2
    body = bob_client.get(page_of(post)).content.decode()
    assert "Only a manager or an owner can approve a post." in body


def test_a_manager_approves_from_the_page(mia_client, bob, accounts):
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    response = mia_client.post(
        page_of(post), {"do": "approve", "approve-comment": "Good to go."}, follow=True
    )
    assert states(post) == [State.SCHEDULED] * 2
    assert "Approved" in response.content.decode()


def test_a_refused_send_back_keeps_nothing_and_says_why(mia_client, bob, accounts):
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    mia_client.post(page_of(post), {"do": "send_back", "send_back-comment": ""})
    assert states(post) == [State.AWAITING_APPROVAL] * 2
    body = mia_client.get(page_of(post)).content.decode()
    assert "Say what should change" in body


def test_the_author_submits_from_the_page(bob_client, bob, accounts):
    post = make_post(bob, accounts)
    bob_client.post(page_of(post), {"do": "submit"})
    assert states(post) == [State.AWAITING_APPROVAL] * 2


def test_retry_from_the_page(bob_client, bob, accounts):
    post = make_post(bob, accounts[:1], state=State.FAILED)
    variant = post.variants.get()
    bob_client.post(page_of(post), {"do": f"retry-{variant.pk}"})
    assert states(post) == [State.SCHEDULED]


def test_a_variant_of_another_post_cannot_be_retried_through_this_one(bob_client, bob, accounts):
    post = make_post(bob, accounts[:1], state=State.FAILED)
    other = make_post(bob, accounts[:1], state=State.FAILED)
    bob_client.post(page_of(post), {"do": f"retry-{other.variants.get().pk}"})
    assert states(other) == [State.FAILED]


def test_override_from_the_page_needs_a_reason(mia_client, bob, accounts):
    post = make_post(bob, accounts[:1], ["Sale!!!! Now!!"], state=State.AWAITING_APPROVAL)
    variant = post.variants.get()
    prefix = f"override-{variant.pk}"
    mia_client.post(page_of(post), {"do": prefix, f"{prefix}-rule": "exclamations"})
    variant.refresh_from_db()
    assert variant.overrides == []
    mia_client.post(
        page_of(post),
        {"do": prefix, f"{prefix}-rule": "exclamations", f"{prefix}-reason": "House style."},
    )
    variant.refresh_from_db()
    assert variant.overrides == ["exclamations"]


def test_a_review_link_is_shown_once_and_can_be_revoked(mia_client, bob, accounts):
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    mia_client.post(page_of(post), {"do": "share", "share-days": "5"})
    body = mia_client.get(page_of(post)).content.decode()
    url = re.search(r'value="(http://testserver/review/[^"]+)"', body).group(1)
    assert url not in mia_client.get(page_of(post)).content.decode()  # only once
    link = ReviewLink.objects.get()
    mia_client.post(page_of(post), {"do": "revoke", "link": str(link.pk)})
    link.refresh_from_db()
    assert link.revoked is not None


def test_the_client_page_needs_no_login_and_shows_no_workspace_navigation(bob, mia, accounts):
    post = make_post(bob, accounts, [HOSTILE, "Second."], state=State.AWAITING_APPROVAL)
    _, token = review.do_create_link(post, member(mia))
    response = Client().get(f"/review/{token}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    assert 'class="rail"' not in body and "/inbox/" not in body
    assert "Request changes" in body


def test_the_client_form_is_protected_by_csrf(bob, mia, accounts):
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    _, token = review.do_create_link(post, member(mia))
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"/review/{token}/", {"name": "Dana", "decision": "approve"})
    assert response.status_code == 403
    assert states(post) == [State.AWAITING_APPROVAL] * 2
    page = browser.get(f"/review/{token}/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    response = browser.post(
        f"/review/{token}/",
        {"name": "Dana", "decision": "approve", "csrfmiddlewaretoken": csrf.group(1)},
    )
    assert response.status_code == 302
    assert states(post) == [State.SCHEDULED] * 2
    assert AuditEntry.objects.get(action="post.approve").changes["client"] == "Dana"


def test_a_client_request_without_a_comment_is_refused_and_kept(bob, mia, accounts):
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    _, token = review.do_create_link(post, member(mia))
    browser = Client()
    browser.post(f"/review/{token}/", {"name": "Dana", "decision": "changes"})
    assert states(post) == [State.AWAITING_APPROVAL] * 2
    body = browser.get(f"/review/{token}/").content.decode()
    assert "Say what should change." in body and 'value="Dana"' in body


@pytest.mark.parametrize(
    ("how", "status", "words"),
    [
        ("expired", 410, "has expired"),
        ("revoked", 410, "was withdrawn"),
        ("bad", 404, "does not work"),
    ],
)
def test_a_closed_link_says_so_clearly(bob, mia, accounts, how, status, words):
    from datetime import timedelta

    from django.utils import timezone

    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    link, token = review.do_create_link(post, member(mia))
    if how == "expired":
        ReviewLink.objects.filter(pk=link.pk).update(expires=timezone.now() - timedelta(days=1))
    elif how == "revoked":
        review.do_revoke_link(link, member(mia))
    else:
        token = token[:-3] + "abc"
    response = Client().get(f"/review/{token}/")
    assert response.status_code == status and words in response.content.decode()
    assert (
        Client().post(f"/review/{token}/", {"name": "D", "decision": "approve"}).status_code
        == status
    )
    assert states(post) == [State.AWAITING_APPROVAL] * 2


def test_a_post_sent_back_is_listed_for_its_author(bob_client, bob, mia, accounts):
    from harken.publishing.approvals import actions

    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    make_post(bob, accounts)  # a draft never submitted is not "sent back"
    actions.do_send_back(post, member(mia), "Add the price.")
    body = bob_client.get("/calendar/approvals/?view=sent_back").content.decode()
    assert "Sent back (1)" in body and page_of(post) in body
    assert "Add the price." in bob_client.get(page_of(post)).content.decode()


def test_an_approver_is_warned_when_the_time_has_passed(mia_client, bob, accounts):
    from datetime import timedelta

    from django.utils import timezone

    post = make_post(
        bob, accounts[:1], state=State.AWAITING_APPROVAL, at=timezone.now() - timedelta(hours=1)
    )
    body = mia_client.get(page_of(post)).content.decode()
    assert "Its time has passed: approving publishes it at once." in body


def test_a_viewer_cannot_submit_someone_elses_draft_from_the_page(bob, victor, accounts):
    post = make_post(bob, accounts)
    response = client_for(victor).post(page_of(post), {"do": "submit"})
    assert response.status_code == 403
    assert states(post) == [State.DRAFT, State.DRAFT]
    assert not AuditEntry.objects.filter(action__in=["post.submit", "post.schedule"]).exists()


def test_another_responder_may_submit_a_draft_as_the_composer_lets_them(bob, mia, accounts):
    post = make_post(mia, accounts)  # the composer lets any responder edit any draft
    response = client_for(bob).post(page_of(post), {"do": "submit"})
    assert response.status_code == 302
    assert states(post) == [State.AWAITING_APPROVAL, State.AWAITING_APPROVAL]
