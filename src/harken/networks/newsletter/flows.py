"""How a list connects: a form with the list's name, its From and postal address and its
SMTP (and, optionally, IMAP) server. Harken logs in to each before saving anything, so a
wrong password saves nothing. Who may connect is the shared views' check (managers and
owners): the server is theirs to name, but a private or loopback one only when the
administrator listed it (``harken.networks.newsletter.sockets``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django import forms

from harken.networks.base import ConnectFlow
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.newsletter import inbox, smtp

SECURITY = [
    ("starttls", "STARTTLS (port 587)"),
    ("ssl", "TLS from the start (port 465)"),
    ("none", "None (a relay on this machine only)"),
]


class ListForm(forms.Form):
    name = forms.CharField(label="List name", max_length=100)
    from_email = forms.EmailField(label="From address")
    from_name = forms.CharField(label="From name", max_length=100, required=False)
    reply_to = forms.EmailField(label="Reply-To (optional)", required=False)
    postal_address = forms.CharField(
        label="Postal address (printed in every issue, as the law asks)", max_length=300
    )
    smtp_host = forms.CharField(label="SMTP server", max_length=255)
    smtp_port = forms.IntegerField(label="SMTP port", min_value=1, max_value=65535, initial=587)
    smtp_security = forms.ChoiceField(label="SMTP security", choices=SECURITY)
    smtp_user = forms.CharField(label="SMTP user", max_length=255, required=False)
    smtp_password = forms.CharField(
        label="SMTP password", max_length=255, required=False, widget=forms.PasswordInput
    )
    per_minute = forms.IntegerField(
        label="Mails per minute (your provider's limit)", min_value=1, max_value=6000, initial=120
    )
    imap_host = forms.CharField(
        label="IMAP server (replies, bounces)", max_length=255, required=False
    )
    imap_port = forms.IntegerField(label="IMAP port", min_value=1, max_value=65535, required=False)
    imap_security = forms.ChoiceField(label="IMAP security", choices=SECURITY, initial="ssl")
    imap_user = forms.CharField(label="IMAP user", max_length=255, required=False)
    imap_password = forms.CharField(
        label="IMAP password", max_length=255, required=False, widget=forms.PasswordInput
    )
    imap_folder = forms.CharField(label="IMAP folder", max_length=255, required=False)


class Smtp(ConnectFlow):
    kind = "form"
    form_class = ListForm
    prefix = "newsletter"
    error_field = "smtp_host"

    def connect(self, workspace: Any, actor: Any, data: Mapping[str, Any]) -> Account:
        config: dict[str, Any] = {k: v for k, v in data.items() if v not in (None, "")}
        config["from_email"] = str(config["from_email"]).lower()
        session = smtp.connect(config)  # a refused login saves nothing
        smtp.close(session)
        if inbox.configured(config):
            inbox.check(config)
        same = Account.objects.filter(workspace=workspace, network="newsletter")
        before = same.filter(handle=config["name"]).values_list("external_id", flat=True).first()
        config["list_id"] = before or uuid.uuid4().hex
        return save_connected(
            workspace, actor, "newsletter", config["list_id"], config["name"], config
        )
