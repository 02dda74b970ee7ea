"""What the composer shows beside each account's text, computed on the server: the count
the network's way, the thread's parts, the network's rules it breaks and the guidelines
gate's findings. The browser mirrors the count while typing; this is the authority."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, cast

from django.conf import settings

from harken.networks.counting import URL, Count, count, unit_for
from harken.networks.models import Account
from harken.networks.registry import connector_class, network_label
from harken.publishing.compose.saving import Composed
from harken.publishing.compose.threads import can_reply, post_texts
from harken.publishing.gate import findings_for
from harken.publishing.guidelines import Finding
from harken.publishing.models import Post, Variant
from harken.publishing.validation import Problem, check_texts


@dataclass
class Column:
    account: Account
    label: str
    text: str
    count: Count
    unit: str
    can_reply: bool
    parts: list[tuple[str, Count]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: The network's own fields counted (Reddit's title: "12 / 300 characters").
    field_counts: list[tuple[str, Count]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    #: What the page shows: the findings with the reason typed to override each, and
    #: the links with whether the author keeps them as written.
    notes: list[Any] = field(default_factory=list)
    link_rows: list[dict[str, Any]] = field(default_factory=list)


def columns(composed: Composed, workspace: Any, post: Post | None = None) -> list[Column]:
    """One column per chosen account, checked as the variant would be."""
    draft_post = Post(
        workspace=workspace,
        persona=composed.persona,
        stage=composed.stage,
        category=composed.category,
        sponsored=composed.sponsored,
    )
    if post is not None:
        draft_post.pk = post.pk
    existing = {v.account_id: v for v in post.variants.all()} if post else {}  # type: ignore[attr-defined]
    out = []
    for account in composed.accounts:
        before = existing.get(account.pk)
        variant = Variant(
            workspace=workspace,
            post=draft_post,
            account=account,
            text=composed.texts.get(account.pk) or composed.text,
            first_comment=composed.comments.get(account.pk, ""),
            thread=composed.threads.get(account.pk, False),
            numbered=composed.numbered.get(account.pk, False),
            scheduled_at=composed.at,
            overrides=list(before.overrides) if before else [],
            post_options=composed.options.get(account.pk, {}),
        )
        if before is not None:
            variant.pk = before.pk
        out.append(column(variant))
    return out


def _tracked() -> str:
    """The start of Harken's own short links: already tracked, nothing to choose."""
    return f"{settings.BASE_URL}/l/"


def _main_count(account: Account, text: str) -> Count:
    """The body counted against its own limit where the network's post has one."""
    counted = count(account.network, text, cast(dict[str, Any], account.config))
    own = connector_class(account.network).post_max_chars
    return replace(counted, limit=own) if own else counted


def _linked(variant: Variant) -> str:
    """The text and the post's web-address fields (Google's link button): the links the
    author may keep as written instead of tracked."""
    options = variant.post_options or {}
    fields = connector_class(variant.account.network).post_fields
    return " ".join(
        [variant.text, *(str(options.get(f.name) or "") for f in fields if f.input_type == "url")]
    )


def column(variant: Variant) -> Column:
    account = variant.account
    config = cast(dict[str, Any], account.config)
    texts = post_texts(variant)
    col = Column(
        account=account,
        label=network_label(account.network),
        text=variant.text,
        count=_main_count(account, variant.text),
        unit=unit_for(account.network),
        can_reply=can_reply(account),
        problems=check_texts(variant) if variant.text.strip() else [],
        links=sorted({u for u in URL.findall(_linked(variant)) if not u.startswith(_tracked())}),
    )
    for spec in connector_class(account.network).post_fields:
        if spec.max_chars is not None:
            value = str((variant.post_options or {}).get(spec.name) or "").strip()
            col.field_counts.append((spec.label, Count(len(value), spec.max_chars, "characters")))
    if len(texts) > 1:
        col.parts = [(text, count(account.network, text, config)) for text in texts]
    if variant.scheduled_at is not None and variant.text.strip():
        col.findings = findings_for(variant, variant.scheduled_at)
    return col
