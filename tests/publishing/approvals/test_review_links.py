"""Client review links: signed, expiring, revocable; the client's answer is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from harken.core.models import AuditEntry, Notification
from harken.publishing.approvals import review
from harken.publishing.approvals.notices import DECIDED
from harken.publishing.models import ApprovalComment, ReviewLink
from harken.publishing.states import State
from tests.publishing.approvals.conftest import make_post, member, states

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(bob, accounts):
    return make_post(bob, accounts, state=State.AWAITING_APPROVAL)


def test_a_link_opens_its_post_and_stores_only_a_hash(waiting, mia):
    link, token = review.do_create_link(waiting, member(mia), days=3)
    assert review.open_link(token) == link
    nonce = signing.TimestampSigner(salt=review.SALT).unsign_object(token)["n"]
    assert nonce not in link.nonce_hash and len(link.nonce_hash) == 64
    assert AuditEntry.objects.filter(action="review_link.create").exists()


def test_only_an_approver_makes_links_for_at_most_the_longest_life(waiting, bob, mia):
    with pytest.raises(PermissionDenied):
        review.do_create_link(waiting, member(bob))
    for days in (0, review.MAX_DAYS + 1):
        with pytest.raises(ValidationError):
            review.do_create_link(waiting, member(mia), days=days)
    assert not ReviewLink.objects.exists()


def test_the_client_approves_and_the_audit_names_them(waiting, mia):
    link, token = review.do_create_link(waiting, member(mia))
    review.do_client_approve(review.open_link(token), "  Dana   Client ", "Looks right.")
    assert states(waiting) == [State.SCHEDULED] * 2
    entry = AuditEntry.objects.get(action="post.approve")
    assert entry.actor is None and entry.changes == {"variants": 2, "client": "Dana Client"}
    comment = ApprovalComment.objects.get(post=waiting)
    assert (comment.by, comment.decision) == ("Dana Client (client)", "approved")
    told = Notification.objects.get(kind=DECIDED)
    assert told.subject == "Dana Client approved your post"
    link.refresh_from_db()
    assert link.answered_by == "Dana Client" and link.answered is not None


def test_the_client_requests_changes_with_a_name_and_a_comment(waiting, mia):
    link, _ = review.do_create_link(waiting, member(mia))
    with pytest.raises(ValidationError, match="name"):
        review.do_client_request_changes(link, " ", "Shorter please.")
    with pytest.raises(ValidationError, match="what should change"):
        review.do_client_request_changes(link, "Dana", "")
    assert states(waiting) == [State.AWAITING_APPROVAL] * 2
    review.do_client_request_changes(link, "Dana", "Shorter please.")
    assert states(waiting) == [State.DRAFT] * 2
    assert AuditEntry.objects.get(action="post.send_back").changes["client"] == "Dana"


def test_an_expired_link_is_closed(waiting, mia):
    link, token = review.do_create_link(waiting, member(mia))
    ReviewLink.objects.filter(pk=link.pk).update(expires=timezone.now() - timedelta(seconds=1))
    with pytest.raises(review.LinkClosed) as closed:
        review.open_link(token)
    assert closed.value.reason == "expired"
    link.refresh_from_db()
    with pytest.raises(PermissionDenied):
        review.do_client_approve(link, "Dana")
    assert states(waiting) == [State.AWAITING_APPROVAL] * 2


def test_a_signature_older_than_the_longest_life_is_refused(waiting, mia, monkeypatch):
    _, token = review.do_create_link(waiting, member(mia))
    later = timezone.now().timestamp() + (review.MAX_DAYS + 1) * 86400
    monkeypatch.setattr("time.time", lambda: later)
    with pytest.raises(review.LinkClosed) as closed:
        review.open_link(token)
    assert closed.value.reason == "expired"


def test_a_revoked_link_is_closed(waiting, mia):
    link, token = review.do_create_link(waiting, member(mia))
    review.do_revoke_link(link, member(mia))
    with pytest.raises(review.LinkClosed) as closed:
        review.open_link(token)
    assert closed.value.reason == "revoked"
    assert AuditEntry.objects.filter(action="review_link.revoke").exists()


def test_a_tampered_or_forged_token_is_invalid(waiting, bob, accounts, mia):
    _, token = review.do_create_link(waiting, member(mia))
    other = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    data = signing.TimestampSigner(salt=review.SALT).unsign_object(token)
    # The nonce of one post's link does not open another post.
    moved = signing.TimestampSigner(salt=review.SALT).sign_object({"p": other.pk, "n": data["n"]})
    unsalted = signing.TimestampSigner().sign_object(data)
    for bad in [token[:-2] + "xx", moved, unsalted, "nonsense", ""]:
        with pytest.raises(review.LinkClosed) as closed:
            review.open_link(bad)
        assert closed.value.reason == "invalid"


def test_a_client_cannot_approve_past_the_guidelines_gate(bob, mia, accounts):
    post = make_post(bob, accounts[:1], ["SALE!!!! TODAY!!!!"], state=State.AWAITING_APPROVAL)
    link, _ = review.do_create_link(post, member(mia))
    from harken.publishing.validation import CannotSchedule

    with pytest.raises(CannotSchedule, match="exclamation marks"):
        review.do_client_approve(link, "Dana")
    assert states(post) == [State.AWAITING_APPROVAL]
    assert not AuditEntry.objects.filter(action="post.approve").exists()
    link.refresh_from_db()
    assert link.answered is None
