"""Sending one message to one destination: email, webhook (plain, Slack, Discord), ntfy.

Webhooks and ntfy go through ``harken.lib.http`` (URL guard, timeouts). It is asked for
one attempt only: a failed delivery is retried by the queue with backoff
(``delivery.py``), so no worker sleeps through a slow server's retries.
"""

from __future__ import annotations

import smtplib
from email.header import Header
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from harken.lib import http
from harken.listening.alerts.messages import (
    Message,
    discord_text,
    one_line,
    plain_json,
    plain_text,
    slack_text,
)
from harken.listening.models import AlertDestination
from harken.networks.base import ConnectorError

TIMEOUT = 10.0
WEBHOOK_FORMATS = ("plain", "slack", "discord")
NTFY_PRIORITIES = (1, 2, 3, 4, 5)


class DeliveryError(Exception):
    """A send failed; ``permanent`` means retrying cannot help (a 404 webhook, a bad address)."""

    def __init__(self, message: str, permanent: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


def send(destination: AlertDestination, message: Message) -> None:
    """Send ``message`` to ``destination`` or raise ``DeliveryError``."""
    senders = {"email": send_email, "webhook": send_webhook, "ntfy": send_ntfy}
    try:
        senders[destination.kind](destination, message)
    except ConnectorError as exc:
        raise DeliveryError(str(exc), exc.permanent, exc.retry_after) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"The mail server refused the recipients: {exc}", True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"Could not send the email: {exc}") from exc


def send_email(destination: AlertDestination, message: Message) -> None:
    addresses = destination.config.get("addresses", [])
    if not addresses:
        raise DeliveryError("This email destination has no addresses.", permanent=True)
    mail = EmailMultiAlternatives(
        subject=f"[Harken] {one_line(message.subject)}"[:250],
        body=plain_text(message),
        to=addresses,
    )
    html = render_to_string("listening/alert_email.html", {"message": message})
    mail.attach_alternative(html, "text/html")
    mail.send()


def send_webhook(destination: AlertDestination, message: Message) -> None:
    url = _secrets(destination).get("url", "")
    if not url:
        raise DeliveryError("This webhook has no URL.", permanent=True)
    http.request("POST", url, json=webhook_payload(destination, message), **_once())


def webhook_payload(destination: AlertDestination, message: Message) -> dict[str, Any]:
    kind = destination.config.get("format", "plain")
    if kind == "slack":
        return {"text": slack_text(message)}
    if kind == "discord":
        # No parse: a mention quoting "@everyone" or a role must not ping the server.
        return {"content": discord_text(message), "allowed_mentions": {"parse": []}}
    return plain_json(message)


def send_ntfy(destination: AlertDestination, message: Message) -> None:
    config = destination.config
    server = config.get("server", "").rstrip("/")
    topic = config.get("topic", "")
    if not server or not topic:
        raise DeliveryError("This ntfy destination needs a server and a topic.", permanent=True)
    body = plain_text(message).encode("utf-8")
    headers = ntfy_headers(destination, message)
    http.request("POST", f"{server}/{topic}", content=body, headers=headers, **_once())


def ntfy_headers(destination: AlertDestination, message: Message) -> dict[str, str]:
    """Title, Priority, Tags, Click and Authorization, as ntfy's publishing docs name them."""
    config = destination.config
    priority = config.get("priority") or (5 if message.rule.urgent else 4)
    headers = {
        "Title": header_value(message.subject[:200]),
        "Priority": str(priority),
        "Click": _click(message),
    }
    tags = config.get("tags") or []
    if tags:
        headers["Tags"] = ",".join(tags)
    token = _secrets(destination).get("token")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def header_value(text: str) -> str:
    """One line; non-ASCII as an RFC 2047 encoded word, which ntfy decodes."""
    text = one_line(text)
    if text.isascii():
        return text
    return Header(text, "utf-8").encode(maxlinelen=10_000)


def _click(message: Message) -> str:
    # One event opens the mention itself; a digest opens the rule's page in Harken.
    if not message.digest and message.items[0].url.isascii() and message.items[0].url:
        return message.items[0].url
    return message.link


def _secrets(destination: AlertDestination) -> dict[str, Any]:
    secrets = destination.secrets
    return secrets if isinstance(secrets, dict) else {}


def _once() -> dict[str, Any]:
    return {"timeout": TIMEOUT, "attempts": 1}
