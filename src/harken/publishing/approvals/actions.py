"""State changes of approvals. Each ``do_*`` function checks, changes (through the
variant state machine, in one transaction), audits, and then tells the people concerned.

Authority is data: a member whose role has ``posts_need_approval`` submits a post for
approval; an owner or manager approves or sends it back; anyone else's post is scheduled
at once. An approval runs the same checks as scheduling (the network's rules and the
guidelines gate), so approving never lets through what scheduling would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from harken.core.actions import audit
from harken.core.models import Authority, Member, Role
from harken.publishing.approvals import notices
from harken.publishing.gate import findings_for
from harken.publishing.models import ApprovalComment, Post, Variant
from harken.publishing.scheduling import do_retry, do_schedule
from harken.publishing.states import IllegalTransition, State, transition
from harken.publishing.validation import CannotSchedule, Problem, check_variant

#: The role that may approve, send back and override guidelines.
APPROVER = Role.MANAGER
COMMENT_MAX = 2000
RACE = "Someone else changed this post a moment ago; reload it."


def needs_approval(member: Member | None) -> bool:
    """Whether ``member``'s posts wait for an approver (a post without a member does)."""
    if member is None:
        return True
    return bool(Authority.value_for(member.workspace, member.role, "posts_need_approval"))


def may_approve(member: Member | None) -> bool:
    return member is not None and member.can(APPROVER)


def check_approver(member: Member, what: str) -> None:
    if not may_approve(member):
        raise PermissionDenied(f"Only a manager or an owner can {what}.")


def _variants(post: Post, states: Iterable[State]) -> list[Variant]:
    return list(
        post.variants.filter(state__in=list(states))  # type: ignore[attr-defined]
        .select_related("account", "post", "workspace")
        .order_by("pk")
    )


def _schedule(variant: Variant, user: object, overrides: dict[str, str] | None = None) -> None:
    """Schedule ``variant`` at its own time, with every check of scheduling."""
    if variant.scheduled_at is None:
        raise CannotSchedule([Problem("time", "Choose when to publish it.")])
    do_schedule(variant, variant.scheduled_at, overrides=overrides, actor=user)


def _clean_comment(text: str) -> str:
    return (text or "").strip()[:COMMENT_MAX]


# --- the author ---------------------------------------------------------------------------


def do_submit(post: Post, actor: Member) -> list[Variant]:
    """Send a post's drafts on their way: to awaiting approval when ``actor`` needs
    approval, straight to scheduled when not. Every variant moves, or none does: a
    variant that breaks its network's rules (or has no time) raises ``CannotSchedule``.
    Guideline findings do not stop a submission: the approver sees them and may override
    them; scheduling (now, or at approval) refuses what is not overridden."""
    if not actor.can(Role.RESPONDER):
        raise PermissionDenied("A viewer cannot submit a post.")
    drafts = _variants(post, [State.DRAFT])
    if not drafts:
        raise ValidationError("This post has no drafts to submit.")
    if not needs_approval(actor):
        with transaction.atomic():
            for variant in drafts:
                _schedule(variant, actor.user)
            audit(post.workspace, actor.user, "post.schedule", post, variants=len(drafts))
        return drafts
    problems = [p for variant in drafts for p in check_variant(variant)]
    if problems:
        raise CannotSchedule(problems)
    with transaction.atomic():
        for variant in drafts:
            if not transition(variant, State.AWAITING_APPROVAL):
                raise IllegalTransition(RACE)
        audit(post.workspace, actor.user, "post.submit", post, variants=len(drafts))
    notices.awaiting(post, actor)
    return drafts


def on_edit(post: Post, editor: Member | None) -> list[Variant]:
    """Call after a person changed an approved post (its text, time or accounts): its
    scheduled variants wait for approval again when ``editor`` needs approval, since
    what was approved is no longer what would go out. Returns the variants moved."""
    if not needs_approval(editor):
        return []
    moved = []
    with transaction.atomic():
        for variant in _variants(post, [State.SCHEDULED]):
            if transition(variant, State.AWAITING_APPROVAL, next_attempt_at=None):
                moved.append(variant)
        if moved:
            audit(
                post.workspace,
                editor.user if editor else None,
                "post.resubmit",
                post,
                variants=len(moved),
            )
    if moved:
        notices.awaiting(post, editor)
    return moved


# --- the approver -------------------------------------------------------------------------


def do_approve(
    post: Post,
    actor: Member,
    comment: str = "",
    overrides: dict[str, str] | None = None,
) -> list[Variant]:
    """Approve every variant awaiting approval: each is scheduled at its time after the
    same checks as scheduling (``CannotSchedule`` names what fails, and nothing moves).
    ``overrides`` maps guideline rules to the approver's reasons (audited)."""
    check_approver(actor, "approve a post")
    return approve_for(post, actor, None, comment, overrides)


def approve_for(
    post: Post,
    actor: Member | None,
    client: str | None,
    comment: str,
    overrides: dict[str, str] | None = None,
) -> list[Variant]:
    waiting = _variants(post, [State.AWAITING_APPROVAL])
    if not waiting:
        raise ValidationError("Nothing in this post is awaiting approval.")
    user = actor.user if actor else None
    with transaction.atomic():
        for variant in waiting:
            _schedule(variant, user, overrides)
        _comment(post, actor, client, comment, "approved")
        audit(
            post.workspace,
            user,
            "post.approve",
            post,
            variants=len(waiting),
            **({"client": client} if client else {}),
        )
    notices.decided(post, approved=True, by=client or _name(actor), comment=comment)
    return waiting


def do_send_back(post: Post, actor: Member, comment: str) -> list[Variant]:
    """Return the variants awaiting approval to their author as drafts, with a comment."""
    check_approver(actor, "send a post back")
    return send_back_for(post, actor, None, comment)


def send_back_for(
    post: Post,
    actor: Member | None,
    client: str | None,
    comment: str,
    waiting: list[Variant] | None = None,
) -> list[Variant]:
    """Send back ``waiting`` (the post's variants awaiting approval, read now unless
    given): all of them move to draft, or, when another person moved one first, none."""
    comment = _clean_comment(comment)
    if not comment:
        raise ValidationError("Say what should change, so the author knows what to do.")
    waiting = waiting if waiting is not None else _variants(post, [State.AWAITING_APPROVAL])
    if not waiting:
        raise ValidationError("Nothing in this post is awaiting approval.")
    with transaction.atomic():
        for variant in waiting:
            if not transition(variant, State.DRAFT):
                raise IllegalTransition(RACE)
        _comment(post, actor, client, comment, "sent_back")
        audit(
            post.workspace,
            actor.user if actor else None,
            "post.send_back",
            post,
            comment=comment,
            **({"client": client} if client else {}),
        )
    notices.decided(post, approved=False, by=client or _name(actor), comment=comment)
    return waiting


def do_override(variant: Variant, actor: Member, rule: str, reason: str) -> None:
    """A manager lets ``variant`` pass one guideline finding, for a reason the audit log
    keeps. Only a rule the gate finds now can be overridden."""
    check_approver(actor, "override a guideline")
    reason = _clean_comment(reason)
    if not reason:
        raise ValidationError("Give a reason for overriding the guideline; the audit log keeps it.")
    if variant.state not in (State.DRAFT, State.AWAITING_APPROVAL, State.FAILED):
        raise ValidationError("Only a variant that is not scheduled yet can be overridden.")
    at = variant.scheduled_at
    found = {f.rule for f in findings_for(variant, at)} if at else set()
    if rule not in found:
        raise ValidationError("That guideline has no finding on this variant.")
    overrides = sorted({*(variant.overrides or []), rule})
    with transaction.atomic():
        if (
            Variant.objects.filter(pk=variant.pk, state=variant.state).update(overrides=overrides)
            != 1
        ):
            raise IllegalTransition(RACE)
        variant.overrides = overrides
        audit(
            variant.workspace, actor.user, "guideline.override", variant, rule=rule, reason=reason
        )


def do_retry_variant(variant: Variant, actor: Member) -> None:
    """Queue a failed variant again through the state machine (the same checks as
    scheduling). It went through approval before it failed; a member whose posts need
    approval may still retry it, since its text has not changed since it failed."""
    if not actor.can(Role.RESPONDER):
        raise PermissionDenied("A viewer cannot retry a post.")
    do_retry(variant, actor=actor.user)


# --- comments -------------------------------------------------------------------------


def do_comment(
    post: Post, actor: Member, text: str, variant: Variant | None = None
) -> ApprovalComment:
    """A member's inline remark on a post or one of its variants."""
    if not actor.can(Role.RESPONDER):
        raise PermissionDenied("A viewer cannot comment on a post.")
    text = _clean_comment(text)
    if not text:
        raise ValidationError("Write a comment first.")
    if variant is not None and variant.post_id != post.pk:
        raise ValidationError("That variant belongs to another post.")
    made = ApprovalComment.objects.create(
        workspace=post.workspace, post=post, variant=variant, author=actor, text=text
    )
    audit(post.workspace, actor.user, "post.comment", post)
    return made


def _comment(
    post: Post, actor: Member | None, client: str | None, text: str, decision: str
) -> None:
    """Keep a decision on the post's page, with its words if any: who approved it, and when."""
    text = _clean_comment(text)
    ApprovalComment.objects.create(
        workspace=post.workspace,
        post=post,
        author=actor,
        client_name=client or "",
        text=text,
        decision=decision,
    )


def _name(member: Member | None) -> str:
    return member.user.get_username() if member is not None else "someone"
