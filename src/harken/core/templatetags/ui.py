"""How every page says a time, an identifier or a count: one format, used everywhere.

``{% load ui %}`` then:

- ``{{ mention.posted|when }}``: a ``<time>`` saying "5 min ago" (or "in 3 h", or
  "12 Jan" once it is more than a week away), with the exact time in the workspace's time
  zone on hover. The workspace's zone is the active one (``WorkspaceTimezoneMiddleware``).
- ``{{ "purchase_intent"|label }}``: "Purchase intent"; network names as the networks
  spell them ("X", "Bluesky", "Web feed").
- ``{{ count|count:"mention" }}``: "42 mentions", "1 mention", "1,204 replies" with
  ``count:"reply,replies"``.
- ``{{ entry.action|action }}``: an audit action in words ("Changed a member's role").
- ``{{ code|language }}``: "English" for ``en``; an unknown code stays as it is.
- ``{{ workspace.name|initials }}``: "HS" for the avatar of "Harbor Street Jewelers".
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info

register = template.Library()

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
#: Beyond this, a relative time ("23 days ago") is harder to read than the date.
RELATIVE_FOR = 7 * DAY

#: Words that a plain "capitalise the first letter" would spell wrong.
SPELLED = {
    "x": "X",
    "feed": "Web feed",
    "rss": "RSS",
    "json": "JSON",
    "url": "URL",
    "api": "API",
    "ntfy": "ntfy",
    "facebook_page": "Facebook Page",
    "sqlite": "SQLite",
    "postgresql": "PostgreSQL",
}

#: Audit actions (``audit(workspace, actor, action, target)``) as a person would say them.
ACTIONS = {
    "account.disconnect": "Disconnected an account",
    "account.reconnect_needed": "An account needs reconnecting",
    "alert.retry": "Retried an alert",
    "alert.test": "Sent a test alert",
    "alert_rule.create": "Created an alert rule",
    "alert_rule.delete": "Deleted an alert rule",
    "alert_rule.update": "Changed an alert rule",
    "api_token.create": "Created an API token",
    "api_token.revoke": "Revoked an API token",
    "assignment.rerun": "Ran the assignment rules again",
    "assignment.rule_delete": "Deleted an assignment rule",
    "assignment.rule_save": "Saved an assignment rule",
    "authority.set": "Changed authority",
    "budget.set": "Set the X spending cap",
    "calendar.feed_issue": "Made a private calendar feed URL",
    "calendar.feed_revoke": "Turned off a calendar feed URL",
    "calendar.import": "Imported posts from CSV",
    "calendar.settings": "Changed the calendar settings",
    "campaign.create": "Created a campaign",
    "campaign.update": "Changed a campaign",
    "canned_reply.delete": "Deleted a canned reply",
    "contact.distinct": "Marked two contacts as different people",
    "contact.merge": "Merged contacts",
    "contact.merge_undo": "Undid a contact merge",
    "contact.update": "Changed a contact",
    "contacts.import": "Imported contacts",
    "conversation.assign": "Assigned a conversation",
    "conversation.note": "Added a note",
    "conversation.snooze": "Snoozed a conversation",
    "conversation.snooze_ended": "A snooze ended",
    "conversation.snooze_woken": "A new message woke a snoozed conversation",
    "conversation.spam": "Marked a conversation as spam",
    "conversation.status": "Changed a conversation's status",
    "conversation.tag": "Tagged a conversation",
    "conversation.unsnooze": "Woke a snoozed conversation",
    "conversation.untag": "Removed a tag from a conversation",
    "demo.fill": "Filled the sample workspace",
    "draft_feed.add": "Added a feed for drafts",
    "draft_feed.delete": "Removed a feed for drafts",
    "event.create": "Added a calendar event",
    "event.delete": "Removed a calendar event",
    "event.update": "Changed a calendar event",
    "guideline.override": "Overrode a guideline with a reason",
    "inbox.view_delete": "Deleted a saved view",
    "inbox.view_save": "Saved a view",
    "invitation.accept": "Accepted an invitation",
    "invitation.create": "Invited someone",
    "invitation.revoke": "Revoked an invitation",
    "link.create": "Created a tracked link",
    "member.availability": "Changed a member's availability",
    "member.remove": "Removed a member",
    "member.role": "Changed a member's role",
    "mention.corrected": "Corrected a mention",
    "notifications.settings": "Changed notification settings",
    "post.approve": "Approved a post",
    "post.comment": "Commented on a post",
    "post.drafts_from_feed": "Made drafts from a feed",
    "post.resubmit": "Sent an edited post for approval again",
    "post.save_draft": "Saved a draft post",
    "post.schedule": "Scheduled a post",
    "post.send_back": "Sent a post back to its author",
    "post.submit": "Sent a post for approval",
    "queue.slot_add": "Added a queue slot",
    "queue.slot_remove": "Removed a queue slot",
    "reply.approve": "Approved a held reply",
    "reply.failed": "A reply was not sent",
    "reply.held": "A reply was held for approval",
    "reply.retry": "Retried a reply",
    "reply.send_back": "Sent a held reply back",
    "reply.sent": "Sent a reply",
    "reply.write": "Wrote a reply",
    "review_link.create": "Made a client review link",
    "review_link.revoke": "Withdrew a client review link",
    "series.create": "Created a recurring series",
    "series.delete": "Deleted a recurring series",
    "series.update": "Changed a recurring series",
    "sla.save": "Changed the response time targets",
    "source.add_feed": "Added a web feed",
    "source.add_search": "Added a search",
    "source.create": "Added a source",
    "source.delete": "Deleted a source",
    "source.disabled": "Paused a source",
    "source.edit": "Changed a source",
    "source.enabled": "Resumed a source",
    "source.poll_now": "Polled a source now",
    "topic.create": "Created a topic",
    "topic.delete": "Deleted a topic",
    "topic.update": "Changed a topic",
    "user.create": "Created a user",
    "variant.failed": "A post failed to publish",
    "variant.move": "Moved a post",
    "variant.retry": "Retried a post",
    "webhook.create": "Added a webhook",
    "webhook.disabled": "Turned off a webhook",
    "webhook.enabled": "Turned on a webhook",
    "webhook.redeliver": "Sent a webhook delivery again",
    "webhook.secret_rolled": "Gave a webhook a new secret",
    "webhook.update": "Changed a webhook",
    "workspace.create": "Created the workspace",
    "workspace.update": "Changed the workspace",
}


@register.filter(is_safe=True)
def when(value: Any) -> str:
    """A ``<time>`` element: relative words, the exact local time on hover."""
    if not isinstance(value, dt.datetime):
        if isinstance(value, dt.date):
            return _day(value)
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(timespec="seconds"),
        exact(local),
        relative(value, timezone.now()),
    )


def exact(local: dt.datetime) -> str:
    """ "Tue 10 Feb 2026, 2:32 pm EST": the full time in the zone it is given in."""
    hour = local.hour % 12 or 12
    return (
        f"{local:%a} {local.day} {local:%b %Y}, {hour}:{local:%M} "
        f"{'am' if local.hour < 12 else 'pm'} {local.tzname() or ''}"
    ).rstrip()


def relative(value: dt.datetime, now: dt.datetime) -> str:
    """ "just now", "5 min ago", "in 3 h", "yesterday", "4 days ago", else the date."""
    seconds = (now - value).total_seconds()
    past = seconds >= 0
    span = abs(seconds)
    if span < 45:
        return "just now"
    if span >= RELATIVE_FOR:
        return _date_words(timezone.localtime(value), timezone.localtime(now))
    if span < HOUR:
        amount = f"{max(1, round(span / MINUTE))} min"
    elif span < DAY:
        amount = f"{int(span // HOUR)} h"
    else:
        days = int(span // DAY)
        if days == 1:
            return "yesterday" if past else "tomorrow"
        amount = f"{days} days"
    return f"{amount} ago" if past else f"in {amount}"


def _date_words(local: dt.datetime | dt.date, today: dt.datetime | dt.date) -> str:
    if local.year == today.year:
        return f"{local.day} {local:%b}"
    return f"{local.day} {local:%b %Y}"


def _day(value: dt.date) -> str:
    today = timezone.localdate()
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        f"{value:%a} {value.day} {value:%b %Y}",
        _date_words(value, today),
    )


@register.filter
def label(value: Any) -> str:
    """An identifier in words: ``purchase_intent`` is "Purchase intent"."""
    if value is None:
        return ""
    key = str(value).strip()
    spelled = SPELLED.get(key.lower()) or _network_label(key.lower())
    if spelled:
        return spelled
    words = re.sub(r"[_.\-]+", " ", key).strip()
    return words[:1].upper() + words[1:] if words else ""


def _network_label(key: str) -> str:
    """A registered network's own name (``Connector.label``), so no network is spelled here."""
    from harken.networks.registry import CONNECTORS, network_label

    return network_label(key) if key in CONNECTORS else ""


@register.filter
def action(value: Any) -> str:
    """An audit action in words; an action without words of its own gets a readable label."""
    key = str(value or "")
    return ACTIONS.get(key) or label(key)


@register.filter(is_safe=False)
def count(value: Any, noun: str) -> str:
    """ "42 mentions": a number with its noun, ``noun`` as "mention" or "reply,replies"."""
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        number = 0
    singular, _, plural = noun.partition(",")
    word = singular if number == 1 else (plural or f"{singular}s")
    return f"{intcomma(number)} {word}"


@register.filter
def language(value: Any) -> str:
    """The language's English name for a code such as ``en`` or ``pt-br``."""
    code = str(value or "").strip()
    return _language_name(code.lower()) if code else ""


@cache
def _language_name(code: str) -> str:
    for candidate in (code, code.split("-")[0]):
        try:
            return str(get_language_info(candidate)["name"])
        except KeyError:
            continue
    return code


@register.filter
def initials(value: Any) -> str:
    """Two letters for an avatar: "Harbor Street Jewelers" is "HS" (a "Sample:" prefix skipped)."""
    name = str(value or "")
    if ":" in name and name.split(":", 1)[1].strip():
        name = name.split(":", 1)[1]
    words = re.findall(r"[^\W\d_]+", name)
    letters = "".join(word[0] for word in words[:2]) or name[:2]
    return letters.upper()


@register.filter
def percent(part: Any, whole: Any) -> int:
    """``part`` as a whole percentage of ``whole`` (0 when ``whole`` is 0)."""
    try:
        return round(100 * float(part) / float(whole)) if whole else 0
    except (TypeError, ValueError):
        return 0


@register.simple_tag
def icon(name: str, css: str = "i") -> SafeString:
    """An icon from the static sprite: ``{% icon "inbox" %}`` (decorative: hidden from readers)."""
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        css,
        static("harken/icons.svg"),
        name,
    )
