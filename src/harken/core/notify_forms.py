"""The member's Notifications form: where to send (e-mail, ntfy) and which kinds."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError

from harken.core.models import NotificationSettings
from harken.core.notify import KINDS
from harken.lib.http import loopback_allowed
from harken.lib.urlguard import UnsafeURL, check_address, resolve

NTFY_TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
KEPT = "A token is saved; leave this empty to keep it."


class NotificationForm(forms.Form):
    email = forms.EmailField(required=False, label="E-mail address", max_length=254)
    email_on = forms.BooleanField(required=False, label="Send notifications by e-mail")
    ntfy_server = forms.CharField(
        required=False, max_length=500, label="ntfy server", initial="https://ntfy.sh"
    )
    ntfy_topic = forms.CharField(required=False, max_length=64, label="ntfy topic")
    ntfy_token = forms.CharField(
        required=False,
        max_length=200,
        label="ntfy access token (optional)",
        widget=forms.PasswordInput(render_value=False),
    )
    kinds = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Tell me when"
    )
    available = forms.BooleanField(
        required=False, label="I am taking conversations (round-robin assignment includes me)"
    )

    def __init__(self, *args: Any, current: NotificationSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        kinds: forms.MultipleChoiceField = self.fields["kinds"]  # type: ignore[assignment]
        kinds.choices = [(k.key, k.label) for k in KINDS.values() if k.listed]
        self.fields["email"].help_text = f"Empty: {current.member.user.email or 'none set'}."
        if current.ntfy_token:
            self.fields["ntfy_token"].help_text = KEPT
        if not self.is_bound:
            self.initial.update(
                email=current.email,
                email_on=current.email_on,
                ntfy_server=current.ntfy_server or "https://ntfy.sh",
                ntfy_topic=current.ntfy_topic,
                kinds=[k.key for k in KINDS.values() if k.listed and k.key not in current.off],
                available=current.member.available,
            )

    def clean_ntfy_topic(self) -> str:
        topic = self.cleaned_data["ntfy_topic"].strip()
        if topic and not NTFY_TOPIC.match(topic):
            raise ValidationError("Letters, digits, - and _ only, at most 64.")
        return topic

    def clean_ntfy_server(self) -> str:
        if not self.data.get("ntfy_topic", "").strip():
            return ""  # no topic, no push: the prefilled server is not kept
        return public_url(self.cleaned_data["ntfy_server"]).rstrip("/")

    def save(self) -> NotificationSettings:
        data = self.cleaned_data
        current = self.current
        current.email = data["email"]
        current.email_on = data["email_on"]
        current.ntfy_server = data["ntfy_server"] if data["ntfy_topic"] else ""
        current.ntfy_topic = data["ntfy_topic"]
        token = data["ntfy_token"] or current.ntfy_token
        secrets = {"token": token} if token and data["ntfy_topic"] else None
        current.ntfy_secrets = secrets  # type: ignore[assignment]
        current.off = [k.key for k in KINDS.values() if k.listed and k.key not in data["kinds"]]
        current.save()
        current.member.available = data["available"]
        current.member.save(update_fields=["available"])
        return current


def public_url(value: str) -> str:
    """An http(s) URL to a public address (the guard that sending uses too). A host that
    does not resolve now is accepted: the same guard runs before every send."""
    value = (value or "").strip()
    if not value:
        raise ValidationError("Give the ntfy server, e.g. https://ntfy.sh.")
    parts = urlsplit(value)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValidationError("The address has an invalid port.") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("Give an address that starts with https:// (or http://).")
    try:
        addresses = resolve(parts.hostname, port)
    except UnsafeURL:
        return value
    try:
        for address in addresses:
            check_address(address, parts.hostname, allow_loopback=loopback_allowed())
    except UnsafeURL as exc:
        raise ValidationError(str(exc)) from None
    return value
