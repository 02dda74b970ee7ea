"""Whether a variant may be scheduled on its account's network, and why not.

Each network counts text its own way, read from its connector class (``max_chars``,
``counts_urls_as``, ``text_counting``) and, for a server that says its own limits
(Mastodon), from what the account last read from it (``config["limits"]``). A problem
names the rule it breaks, so the composer can say exactly what to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from harken.networks.base import Connector
from harken.networks.counting import limits, text_length
from harken.networks.models import Account
from harken.networks.registry import connector_class, network_label


@dataclass(frozen=True)
class Problem:
    """One broken rule: ``rule`` is a stable name, ``message`` says what and how to fix."""

    rule: str
    message: str


class CannotSchedule(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems


def check_text(text: str, account: Account, *, main: bool = False) -> list[Problem]:
    """The rules ``text`` breaks on ``account``'s network (empty when none); ``main``:
    it is a post's body, which may have a limit of its own (Reddit's 40,000)."""
    cls = connector_class(account.network)
    label = network_label(account.network)
    if "publish" not in cls.capabilities:
        return [Problem("network", f"Harken cannot publish to {label}.")]
    if not text.strip():
        return [Problem("empty", f"The {label} text is empty; write what to post there.")]
    max_chars, url_chars = limits(cls, cast(dict[str, Any], account.config))
    if main and cls.post_max_chars:
        max_chars = cls.post_max_chars
    if max_chars is None:
        return []
    length = text_length(text, cls, url_chars)
    if length <= max_chars:
        return []
    return [Problem("length", _length_message(label, cls, length, max_chars, url_chars))]


def _length_message(
    label: str, cls: type[Connector], length: int, max_chars: int, url_chars: int | None
) -> str:
    how = {
        "graphemes": "counting each emoji or accented letter as one",
        "weighted": "counting emoji and CJK characters as two",
    }.get(cls.text_counting, "")
    links = f"each link as {url_chars}" if url_chars is not None else ""
    counted = ", ".join(part for part in (how, links) if part)
    said = f" ({counted})" if counted else ""
    return (
        f"{label} allows {max_chars} characters; this text has {length}{said}. "
        f"Shorten it by {length - max_chars}."
    )


def check_variant(variant: Any) -> list[Problem]:
    """Everything that keeps ``variant`` from being scheduled."""
    problems = []
    account = variant.account
    if account.status != Account.Status.ACTIVE:
        from harken.publishing.demo import is_demo_account

        label = network_label(account.network)
        if is_demo_account(account):
            problems.append(
                Problem(
                    "account",
                    f"{account.handle} on {label} is a demo account: connect a real "
                    f"{label} account to publish.",
                )
            )
            return problems + check_texts(variant)
        problems.append(
            Problem(
                "account",
                f"{account.handle} on {label} needs reconnecting before it can publish.",
            )
        )
    if variant.scheduled_at is None:
        problems.append(Problem("time", "Choose when to publish it."))
    return problems + check_texts(variant)


def check_texts(variant: Any) -> list[Problem]:
    """The main text (each part of it, for a thread) and the first comment."""
    from harken.publishing.compose.media import check_media
    from harken.publishing.compose.threads import can_reply, post_texts

    account = variant.account
    problems = []
    for text in post_texts(variant):
        problems += [p for p in check_text(text, account, main=True) if p not in problems]
    options = getattr(variant, "post_options", None) or {}
    field_problems = check_post_fields(account, options)
    if not field_problems:  # each field well formed: how they go together (an offer's dates)
        main = variant.text or ""
        cls = connector_class(account.network)
        field_problems = [Problem("post_fields", m) for m in cls.post_problems(main, options)]
    problems += field_problems
    comment = (getattr(variant, "first_comment", "") or "").strip()
    if comment and not can_reply(account):
        label = network_label(account.network)
        problems.append(
            Problem(
                "first_comment", f"{label} takes no replies from Harken; remove the first comment."
            )
        )
    elif comment:
        problems += [
            Problem("first_comment", "The first comment: " + p.message)
            for p in check_text(comment, account)
        ]
    return problems + check_media(variant)


def check_post_fields(account: Account, values: dict[str, Any]) -> list[Problem]:
    """The network's own fields of a post (its connector's ``post_fields``: Reddit's
    title and subreddit): present, within their length, of the right shape."""
    label = network_label(account.network)
    problems = []
    for spec in connector_class(account.network).post_fields:
        value = str(values.get(spec.name) or "").strip()
        name = f"The {label} {spec.label.lower()}"
        if not value:
            if spec.required:
                problems.append(Problem(spec.name, f"{name} is empty; {label} needs one."))
            continue
        if spec.max_chars is not None and len(value) > spec.max_chars:
            problems.append(
                Problem(
                    spec.name,
                    f"{name} has {len(value)} characters; {label} allows {spec.max_chars}. "
                    f"Shorten it by {len(value) - spec.max_chars}.",
                )
            )
        elif spec.pattern and not re.fullmatch(spec.pattern, value):
            problems.append(Problem(spec.name, f"{name} {value!r} is not {spec.hint}."))
    return problems
