"""The approval flow: submit, approve, send back, re-approval after an edit, overrides."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from harken.core.models import AuditEntry, Notification
from harken.publishing.approvals import actions
from harken.publishing.approvals.notices import AWAITING, DECIDED
from harken.publishing.models import ApprovalComment
from harken.publishing.states import State
from harken.publishing.validation import CannotSchedule
from tests.publishing.approvals.conftest import make_post, member, states

pytestmark = pytest.mark.django_db


def test_a_responders_post_waits_for_approval_and_the_approvers_are_told(
    bob, alice, mia, victor, accounts, django_capture_on_commit_callbacks
):
    post = make_post(bob, accounts)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_submit(post, member(bob))
    assert states(post) == [State.AWAITING_APPROVAL] * 2
    assert AuditEntry.objects.filter(action="post.submit").count() == 1
    told = Notification.objects.filter(kind=AWAITING)
    assert sorted(n.member.user.username for n in told) == ["alice", "mia"]  # not bob, not victor
    assert all(n.url == f"/calendar/approvals/posts/{post.pk}/" for n in told)
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "mia@example.com"]


def test_an_owners_post_is_scheduled_without_approval(alice, accounts):
    post = make_post(alice, accounts)
    actions.do_submit(post, member(alice))
    assert states(post) == [State.SCHEDULED] * 2
    assert not Notification.objects.filter(kind=AWAITING).exists()


def test_the_authority_is_data_a_manager_can_be_made_to_need_approval(mia, accounts):
    from harken.core.models import Authority

    Authority.objects.create(
        workspace=accounts[0].workspace, role="manager", key="posts_need_approval", value=True
    )
    post = make_post(mia, accounts)
    actions.do_submit(post, member(mia))
    assert states(post) == [State.AWAITING_APPROVAL] * 2


def test_a_variant_breaking_its_networks_rules_cannot_be_submitted(bob, accounts):
    post = make_post(bob, accounts, ["Fine for Mastodon.", "x" * 301])
    with pytest.raises(CannotSchedule, match="Bluesky allows 300"):
        actions.do_submit(post, member(bob))
    assert states(post) == [State.DRAFT] * 2


def test_a_viewer_cannot_submit(victor, accounts):
    post = make_post(victor, accounts)
    with pytest.raises(PermissionDenied):
        actions.do_submit(post, member(victor))
    assert states(post) == [State.DRAFT] * 2


def test_a_manager_approves_and_the_author_is_told(bob, mia, accounts):
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    actions.do_approve(post, member(mia), "Lovely, thanks.")
    assert states(post) == [State.SCHEDULED] * 2
    entry = AuditEntry.objects.get(action="post.approve")
    assert entry.actor.username == "mia" and entry.changes == {"variants": 2}
    assert ApprovalComment.objects.get(post=post).decision == "approved"
    told = Notification.objects.get(kind=DECIDED)
    assert told.member.user.username == "bob" and told.subject == "mia approved your post"
    assert "Lovely, thanks." in told.body


def test_a_responder_cannot_approve_even_their_own_post(bob, accounts):
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    with pytest.raises(PermissionDenied):
        actions.do_approve(post, member(bob))
    assert states(post) == [State.AWAITING_APPROVAL] * 2
    assert not AuditEntry.objects.filter(action="post.approve").exists()


def test_approval_passes_the_guidelines_gate_again_all_or_nothing(bob, mia, accounts):
    post = make_post(
        bob, accounts, ["A calm winter note.", "Rings!!!! Now!!"], state=State.AWAITING_APPROVAL
    )
    with pytest.raises(CannotSchedule, match="exclamation marks"):
        actions.do_approve(post, member(mia))
    # The first variant passed, the second did not: neither moved.
    assert states(post) == [State.AWAITING_APPROVAL] * 2


def test_a_manager_overrides_a_finding_with_a_reason_and_then_approves(bob, mia, accounts):
    post = make_post(
        bob, accounts, ["A calm winter note.", "Rings!!!! Now!!"], state=State.AWAITING_APPROVAL
    )
    loud = post.variants.order_by("pk").last()
    with pytest.raises(ValidationError, match="reason"):
        actions.do_override(loud, member(mia), "exclamations", "  ")
    with pytest.raises(ValidationError, match="no finding"):
        actions.do_override(loud, member(mia), "daily_cap", "Busy day.")
    with pytest.raises(PermissionDenied):
        actions.do_override(loud, member(bob), "exclamations", "I like them.")
    actions.do_override(loud, member(mia), "exclamations", "The client's house style.")
    loud.refresh_from_db()
    assert loud.overrides == ["exclamations"]
    entry = AuditEntry.objects.get(action="guideline.override")
    assert entry.changes == {"rule": "exclamations", "reason": "The client's house style."}
    actions.do_approve(post, member(mia))
    assert states(post) == [State.SCHEDULED] * 2


def test_sending_back_needs_a_comment_and_returns_drafts(bob, mia, accounts):
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    with pytest.raises(ValidationError, match="what should change"):
        actions.do_send_back(post, member(mia), " ")
    assert states(post) == [State.AWAITING_APPROVAL] * 2
    actions.do_send_back(post, member(mia), "Name the <b>new</b> collection.")
    assert states(post) == [State.DRAFT] * 2
    comment = ApprovalComment.objects.get(post=post)
    assert (comment.decision, comment.text) == ("sent_back", "Name the <b>new</b> collection.")
    entry = AuditEntry.objects.get(action="post.send_back")
    assert entry.changes["comment"] == "Name the <b>new</b> collection."
    assert Notification.objects.get(kind=DECIDED).subject == "mia sent your post back"


def test_nothing_awaiting_cannot_be_approved(bob, mia, accounts):
    post = make_post(bob, accounts)
    with pytest.raises(ValidationError, match="Nothing in this post"):
        actions.do_approve(post, member(mia))


def test_editing_an_approved_post_sends_it_back_for_approval(bob, mia, accounts):
    post = make_post(bob, accounts, state=State.SCHEDULED)
    moved = actions.on_edit(post, member(bob))
    assert len(moved) == 2 and states(post) == [State.AWAITING_APPROVAL] * 2
    assert AuditEntry.objects.filter(action="post.resubmit").count() == 1
    assert Notification.objects.filter(kind=AWAITING, member=member(mia)).exists()


def test_a_managers_edit_keeps_the_post_scheduled(alice, accounts):
    post = make_post(alice, accounts, state=State.SCHEDULED)
    assert actions.on_edit(post, member(alice)) == []
    assert states(post) == [State.SCHEDULED] * 2


def test_a_failed_variant_is_retried_through_the_state_machine(bob, accounts):
    post = make_post(bob, accounts[:1], state=State.FAILED)
    variant = post.variants.get()
    variant.error, variant.attempts = "The network said no.", 3
    variant.save()
    actions.do_retry_variant(variant, member(bob))
    variant.refresh_from_db()
    assert (variant.state, variant.error, variant.attempts) == (State.SCHEDULED, "", 0)
    assert AuditEntry.objects.filter(action="variant.retry").exists()


def test_comments_are_kept_per_variant(bob, accounts, victor):
    post = make_post(bob, accounts)
    first = post.variants.order_by("pk").first()
    actions.do_comment(post, member(bob), "Check the price.", first)
    actions.do_comment(post, member(bob), "On the whole post.")
    assert [(c.variant_id, c.by) for c in ApprovalComment.objects.order_by("pk")] == [
        (first.pk, "bob"),
        (None, "bob"),
    ]
    with pytest.raises(PermissionDenied):
        actions.do_comment(post, member(victor), "Me too.")
    with pytest.raises(ValidationError):
        actions.do_comment(post, member(bob), "   ")


def test_a_decision_racing_another_moves_nothing(bob, mia, accounts):
    """Two approvers at once: the second finds a variant already moved and changes nothing."""
    from harken.publishing.models import Variant
    from harken.publishing.states import IllegalTransition

    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    stale = list(post.variants.order_by("pk"))
    first, second = stale
    # Another approver sent the second variant back between our read and our write.
    Variant.objects.filter(pk=second.pk).update(state=State.DRAFT)
    with pytest.raises(IllegalTransition):
        actions.send_back_for(post, member(mia), None, "Too long.", waiting=stale)
    assert states(post) == [State.AWAITING_APPROVAL, State.DRAFT]
    assert not ApprovalComment.objects.exists()
    assert not AuditEntry.objects.filter(action="post.send_back").exists()


def test_an_approval_without_words_is_still_kept_on_the_page(bob, mia, accounts):
    post = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    actions.do_approve(post, member(mia))
    kept = ApprovalComment.objects.get(post=post)
    assert (kept.by, kept.decision, kept.text) == ("mia", "approved", "")
