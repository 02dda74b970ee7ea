"""The mails a list sends: an issue to one subscriber (its own unsubscribe link, RFC 8058
one-click headers and the postal address), and the confirmation of a subscription."""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any

from django.conf import settings
from django.urls import reverse

from harken.networks.newsletter import tokens


def public_url(name: str, token: str) -> str:
    return settings.BASE_URL + reverse(f"networks:{name}", args=[token])


def unsubscribe_url(subscriber_pk: int) -> str:
    return public_url("newsletter_unsubscribe", tokens.unsubscribe_token(subscriber_pk))


def _one_line(value: str) -> str:
    """A header value on one line: a subject with a line break would inject headers."""
    return " ".join(str(value).split())


def _domain(config: Mapping[str, Any]) -> str:
    return str(config.get("from_email") or "localhost").rpartition("@")[2] or "localhost"


def sender(config: Mapping[str, Any]) -> str:
    return formataddr(
        (_one_line(config.get("from_name") or config.get("name") or ""), config["from_email"])
    )


def issue(
    config: Mapping[str, Any],
    *,
    to: str,
    subscriber_pk: int,
    subject: str,
    text: str,
    issue_key: str,
) -> EmailMessage:
    """One subscriber's copy of an issue. Its Message-ID is the issue's and the
    subscriber's, so a copy is recognisable in a bounce or a reply."""
    unsubscribe = unsubscribe_url(subscriber_pk)
    message = EmailMessage()
    message["From"] = sender(config)
    message["To"] = to
    message["Subject"] = _one_line(subject)
    message["Date"] = formatdate(localtime=False)
    domain = _domain(config)
    message["Message-ID"] = f"<{issue_key[:40]}.{subscriber_pk}@{domain}>"
    # RFC 2919: a phrase, then the id in angle brackets; the name's own brackets and
    # quotes would break the header's parse.
    label = _one_line(re.sub(r'[<>"\\]', "", str(config.get("name") or "")))
    message["List-Id"] = f"{label} <{config['list_id']}.{domain}>"
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Precedence"] = "bulk"
    if config.get("reply_to"):
        message["Reply-To"] = str(config["reply_to"])
    footer = [
        "-- ",
        f"You receive {config.get('name') or 'this newsletter'} because you subscribed.",
        f"Unsubscribe: {unsubscribe}",
    ]
    if config.get("postal_address"):
        footer.append(str(config["postal_address"]))
    message.set_content(text.rstrip() + "\n\n" + "\n".join(footer) + "\n")
    return message


def confirmation(config: Mapping[str, Any], *, to: str, subscriber_pk: int) -> EmailMessage:
    link = public_url("newsletter_confirm", tokens.confirm_token(subscriber_pk, to))
    name = config.get("name") or "the newsletter"
    message = EmailMessage()
    message["From"] = sender(config)
    message["To"] = to
    message["Subject"] = _one_line(f"Confirm your subscription to {name}")
    message["Date"] = formatdate(localtime=False)
    lines = [
        f"Someone (we hope you) asked to receive {name} at this address.",
        "",
        f"To confirm, open this link within {tokens.CONFIRM_DAYS} days:",
        link,
        "",
        "If it was not you, ignore this mail: nothing will be sent to you.",
    ]
    if config.get("postal_address"):
        lines += ["", "-- ", str(config["postal_address"])]
    message.set_content("\n".join(lines) + "\n")
    return message
