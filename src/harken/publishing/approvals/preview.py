"""What a variant will put on its network, for a reviewer: the post (or each part of its
thread, split the way the engine splits it), its network's own fields (Reddit's title and
subreddit), its first comment and its images."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harken.networks.registry import connector_class
from harken.publishing.compose.threads import can_reply, post_texts
from harken.publishing.models import Variant


@dataclass
class Preview:
    parts: list[str]
    first_comment: str = ""
    media: list[Any] = field(default_factory=list)
    #: (label, value) of the network's own fields, in the connector's order.
    fields: list[tuple[str, str]] = field(default_factory=list)


def preview(variant: Variant) -> Preview:
    comment = (variant.first_comment or "").strip()
    return Preview(
        parts=post_texts(variant),
        first_comment=comment if comment and can_reply(variant.account) else "",
        media=list(variant.media.order_by("pk")),  # type: ignore[attr-defined]
        fields=[
            (spec.label, str((variant.post_options or {}).get(spec.name, "")))
            for spec in connector_class(variant.account.network).post_fields
        ],
    )
