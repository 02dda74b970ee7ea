"""What the composer's buttons do: save the post as drafts, or schedule it.

Everything happens in one transaction: a post whose variants cannot all be scheduled is
refused whole (``CannotSchedule`` names each broken rule per account) and nothing changes.
A variant being edited goes back to draft first, so an edited post is checked and, when
its author's authority says posts need approval, approved again: what was approved is
no longer what would go out.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from harken.core.actions import audit
from harken.core.models import Member, Role
from harken.networks.models import Account
from harken.networks.registry import connector_class, network_label
from harken.publishing.gate import findings_for
from harken.publishing.models import Campaign, Media, Post, Variant
from harken.publishing.scheduling import do_schedule
from harken.publishing.states import EDITABLE, IllegalTransition, State, transition
from harken.publishing.validation import CannotSchedule, Problem, check_variant

#: Who may pass over a guideline finding (with a reason the audit log keeps).
OVERRIDER = Role.MANAGER
RACE = "Someone else changed this post a moment ago; reload it."


@dataclass
class Composed:
    """The form's content, cleaned: the post's fields and one entry per chosen account."""

    text: str
    persona: str
    stage: str
    category: str
    sponsored: bool
    at: datetime | None
    accounts: list[Account]
    texts: dict[int, str]
    comments: dict[int, str] = field(default_factory=dict)
    threads: dict[int, bool] = field(default_factory=dict)
    numbered: dict[int, bool] = field(default_factory=dict)
    media: dict[int, list[Media]] = field(default_factory=dict)
    overrides: dict[int, dict[str, str]] = field(default_factory=dict)
    keep_links: Collection[str] = ()
    #: Each account's own time where it differs from ``at`` (its queue's next free slot).
    times: dict[int, datetime] = field(default_factory=dict)
    #: The campaign the post serves (its tracked links carry it), or None.
    campaign: Campaign | None = None
    #: Each account's network-own fields (Reddit's title and subreddit).
    options: dict[int, dict[str, str]] = field(default_factory=dict)


class Refused(ValueError):
    """The post cannot be saved as asked; ``problems`` say why, per account handle."""

    def __init__(self, problems: list[tuple[str, Problem]]) -> None:
        super().__init__(" ".join(f"{who}: {p.message}" for who, p in problems))
        self.problems = problems


def needs_approval(member: Member) -> bool:
    from harken.publishing.approvals.actions import needs_approval as rule

    return rule(member)


def locked(variant: Variant) -> bool:
    """Gone out, going out, or partly out (its main post is on the network): not editable."""
    return variant.state not in EDITABLE or bool(variant.external_id)


def do_compose(
    composed: Composed, member: Member, post: Post | None = None, *, schedule: bool = False
) -> Post:
    """Save ``composed`` as ``post`` (a new post when None) with its variants as drafts;
    with ``schedule``, schedule them (or send them for approval). Raises ``Refused``."""
    with transaction.atomic():
        post = _save_post(composed, member, post)
        variants = _save_variants(composed, post, member)
        if schedule:
            _schedule(composed, post, variants, member)
        else:
            audit(post.workspace, member.user, "post.save_draft", post, variants=len(variants))
    if schedule and needs_approval(member):
        from harken.publishing.approvals import notices

        notices.awaiting(post, member)
    return post


def _save_post(composed: Composed, member: Member, post: Post | None) -> Post:
    if post is None:
        post = Post(workspace=member.workspace, author=member)
    post.text = composed.text
    post.persona = composed.persona
    post.stage = composed.stage
    post.category = composed.category
    post.sponsored = composed.sponsored
    post.campaign = composed.campaign
    post.save()
    return post


def _save_variants(composed: Composed, post: Post, member: Member) -> list[Variant]:
    existing = {v.account_id: v for v in post.variants.select_related("account")}  # type: ignore[attr-defined]
    chosen = {a.pk for a in composed.accounts}
    for account_id, variant in existing.items():
        if account_id not in chosen and not locked(variant):
            variant.delete()
    variants = []
    for account in composed.accounts:
        before = existing.get(account.pk)
        if before is not None and locked(before):
            raise Refused(
                [
                    (
                        account.handle,
                        Problem("locked", "This variant has gone out; it cannot change."),
                    )
                ]
            )
        variant = _as_draft(before, post, account)
        variant.text = _tracked(
            composed.texts.get(account.pk) or composed.text, post, account, composed
        )
        variant.first_comment = composed.comments.get(account.pk, "")
        variant.thread = composed.threads.get(account.pk, False)
        variant.numbered = composed.numbered.get(account.pk, False)
        variant.scheduled_at = composed.times.get(account.pk, composed.at)
        variant.post_options = _tracked_fields(
            composed.options.get(account.pk, {}), post, account, composed
        )
        variant.save()
        variant.media.set(composed.media.get(account.pk, []))  # type: ignore[attr-defined]
        variants.append(variant)
    return variants


def _as_draft(variant: Variant | None, post: Post, account: Account) -> Variant:
    """The account's variant, in draft: a new one, or an existing one moved back."""
    if variant is None:
        return Variant(workspace=post.workspace, post=post, account=account, state=State.DRAFT)
    if variant.state != State.DRAFT:
        again = {"error": "", "attempts": 0, "next_attempt_at": None, "claimed_at": None}
        if not transition(variant, State.DRAFT, **again):
            raise IllegalTransition(RACE)
    return variant


def _tracked(text: str, post: Post, account: Account, composed: Composed) -> str:
    """The text with its links made Harken's tracked short links, unless kept as written.
    The links helper's module is optional: without it, links stay as written."""
    try:
        tracking = importlib.import_module("harken.publishing.links.tracking")
    except ImportError:
        return text
    return str(
        tracking.track_links(
            text,
            workspace=post.workspace,
            network=account.network,
            campaign=post.campaign,
            post=post,
            exclude=set(composed.keep_links),
        )
    )


def _tracked_fields(
    options: dict[str, str], post: Post, account: Account, composed: Composed
) -> dict[str, str]:
    """The post's own fields with a web address (``PostField.input_type`` "url": Google's
    link button) made a tracked short link like the text's links, unless kept as written."""
    urls = {
        spec.name
        for spec in connector_class(account.network).post_fields
        if spec.input_type == "url"
    }
    return {
        name: _tracked(value, post, account, composed) if name in urls and value else value
        for name, value in options.items()
    }


def _schedule(composed: Composed, post: Post, variants: list[Variant], member: Member) -> None:
    """Every variant is checked first (all problems of all accounts are reported at once);
    then each is scheduled, or all are submitted for approval."""
    may_override = member.can(OVERRIDER)
    problems: list[tuple[str, Problem]] = []
    for variant in variants:
        overrides = composed.overrides.get(variant.account_id, {}) if may_override else {}
        variant.overrides = sorted(set(variant.overrides or []) | set(overrides))
        found = check_variant(variant)
        if variant.scheduled_at is not None and not needs_approval(member):
            found += [
                Problem(f.rule, f.message) for f in findings_for(variant, variant.scheduled_at)
            ]
        problems += [(variant.account.handle, p) for p in found]
    if problems:
        raise Refused(problems)
    if needs_approval(member):
        for variant in variants:
            if not transition(variant, State.AWAITING_APPROVAL):
                raise IllegalTransition(RACE)
        audit(post.workspace, member.user, "post.submit", post, variants=len(variants))
        return
    for variant in variants:
        overrides = composed.overrides.get(variant.account_id, {}) if may_override else {}
        assert variant.scheduled_at is not None  # check_variant refused one without a time
        try:
            do_schedule(variant, variant.scheduled_at, overrides=overrides, actor=member.user)
        except CannotSchedule as refused:
            raise Refused([(variant.account.handle, p) for p in refused.problems]) from None
    audit(post.workspace, member.user, "post.schedule", post, variants=len(variants))


def describe(problems: list[tuple[str, Problem]], accounts: dict[str, Account]) -> list[str]:
    """Each problem as a sentence naming the account and its network."""
    out = []
    for handle, problem in problems:
        account = accounts.get(handle)
        where = f"{handle} ({network_label(account.network)})" if account else handle
        out.append(f"{where}: {problem.message}")
    return out
