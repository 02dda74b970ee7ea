"""What an alert says, and how each payload format writes it.

Titles and texts quote mentions, which anyone on the internet wrote: every format that
gives characters a meaning escapes them here (HTML in the email template, Slack's
``& < >``, Discord's markdown and its pings). Plain text and JSON need nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from harken.listening.models import AlertEvent, AlertRule

#: A digest lists at most this many events in full; the rest are counted.
DIGEST_LIMIT = 25
DISCORD_LIMIT = 2000


@dataclass(frozen=True)
class Item:
    title: str
    text: str
    url: str
    created: dt.datetime
    key: str


@dataclass(frozen=True)
class Message:
    rule: AlertRule
    items: list[Item]
    total: int
    digest: bool
    link: str

    @property
    def subject(self) -> str:
        if not self.digest:
            return self.items[0].title
        return f"{self.rule.name}: {self.total} alert{'s' if self.total != 1 else ''}"

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def build(rule: AlertRule, events: list[AlertEvent], digest: bool) -> Message:
    shown = events[:DIGEST_LIMIT]
    items = [Item(e.title, e.text, safe_url(e.url), e.created, e.key) for e in shown]
    return Message(rule=rule, items=items, total=len(events), digest=digest, link=rule_link(rule))


def rule_link(rule: AlertRule) -> str:
    try:
        return settings.BASE_URL + reverse("alert_rule_detail", args=[rule.pk])
    except NoReverseMatch:  # the pages are not wired into this project's URLs
        return settings.BASE_URL


def safe_url(url: str) -> str:
    """An http(s) URL without spaces or control characters, else "" (never a javascript: link)."""
    url = (url or "").strip()
    if not re.match(r"^https?://[^\s<>\"'|\\^`{}\x00-\x1f\x7f]+$", url, re.IGNORECASE):
        return ""
    return url


def one_line(text: str) -> str:
    """Headers and subjects: no line breaks (they would start a new header)."""
    return " ".join(text.split())


# --- plain text (email body, ntfy body, plain webhooks) ------------------------------------


def plain_text(message: Message) -> str:
    blocks = [_plain_item(item, message.digest) for item in message.items]
    if message.more:
        blocks.append(f"… and {message.more} more.")
    blocks.append(f"Rule “{message.rule.name}”: {message.link}")
    return "\n\n".join(blocks)


def _plain_item(item: Item, digest: bool) -> str:
    lines = [item.title] if digest else []
    lines += [item.text] if item.text else []
    lines += [item.url] if item.url else []
    return "\n".join(lines)


# --- Slack (mrkdwn) -----------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Slack's three control characters; stops ``<!channel>`` pings and fake links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(message: Message) -> str:
    lines = [f"*{slack_escape(one_line(message.subject))}*"]
    for item in message.items:
        if message.digest:
            lines.append(f"• *{slack_escape(one_line(item.title))}*")
        quoted = "\n".join(f"> {slack_escape(line)}" for line in item.text.splitlines() if line)
        lines += [quoted] if quoted else []
        lines += [f"<{item.url}|Open>"] if item.url else []
    if message.more:
        lines.append(f"… and {message.more} more.")
    lines.append(f"<{message.link}|Rule in Harken>")
    return "\n".join(lines)


# --- Discord (markdown) ------------------------------------------------------------------

_DISCORD_SPECIAL = re.compile(r"([\\*_~`|>#\[\]()<@:-])")


def discord_escape(text: str) -> str:
    """Backslash Discord's markdown so a mention cannot forge links, headings or pings."""
    return _DISCORD_SPECIAL.sub(r"\\\1", text)


def discord_text(message: Message) -> str:
    lines = [f"**{discord_escape(one_line(message.subject))}**"]
    for item in message.items:
        if message.digest:
            lines.append(f"**{discord_escape(one_line(item.title))}**")
        lines += [discord_escape(item.text)] if item.text else []
        lines += [f"<{item.url}>"] if item.url else []
    if message.more:
        lines.append(f"… and {message.more} more.")
    lines.append(f"<{message.link}>")
    text = "\n".join(lines)
    return text if len(text) <= DISCORD_LIMIT else text[: DISCORD_LIMIT - 1] + "…"


# --- JSON for plain webhooks ---------------------------------------------------------------


def plain_json(message: Message) -> dict:
    return {
        "rule": {"id": message.rule.pk, "name": message.rule.name, "kind": message.rule.kind},
        "digest": message.digest,
        "subject": message.subject,
        "total": message.total,
        "events": [
            {
                "key": item.key,
                "title": item.title,
                "text": item.text,
                "url": item.url,
                "created": item.created.isoformat(),
            }
            for item in message.items
        ],
        "link": message.link,
        "text": plain_text(message),
    }
