"""The alert rule form: the rule, its thresholds by kind, and up to one destination of each kind."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from harken.lib.http import loopback_allowed
from harken.lib.urlguard import UnsafeURL, check_address, resolve
from harken.listening.alerts.destinations import NTFY_PRIORITIES, WEBHOOK_FORMATS
from harken.listening.alerts.params import DEFAULTS, INTENTS, clean_params
from harken.listening.models import AlertDestination, AlertRule, Topic

NTFY_TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
NTFY_TAG = re.compile(r"^[-_A-Za-z0-9+]{1,40}$")
KEPT = "Saved; leave blank to keep it."
FORMAT_LABELS = {
    "plain": "Plain JSON",
    "slack": "Slack-compatible",
    "discord": "Discord-compatible",
}


class AlertRuleForm(forms.ModelForm):
    intents = forms.MultipleChoiceField(
        choices=[(i, i.replace("_", " ").capitalize()) for i in INTENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    min_followers = forms.IntegerField(required=False, min_value=0, label="At least N followers")
    min_count = forms.IntegerField(
        required=False, min_value=1, label="At least N mentions in the hour"
    )
    z = forms.FloatField(
        required=False,
        min_value=1,
        label="Sensitivity (robust z-score)",
        help_text=(
            "How unusual the hour must be against the same hour of the last 14 days;"
            " 3.5 is a good start."
        ),
    )
    email_addresses = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or more addresses, separated by commas or lines.",
    )
    webhook_url = forms.CharField(required=False, max_length=2000, label="Webhook URL")
    webhook_format = forms.ChoiceField(
        choices=[(f, FORMAT_LABELS[f]) for f in WEBHOOK_FORMATS],
        required=False,
        initial="plain",
    )
    webhook_remove = forms.BooleanField(required=False, label="Remove the webhook")
    ntfy_server = forms.CharField(
        required=False, max_length=500, initial="https://ntfy.sh", label="ntfy server"
    )
    ntfy_topic = forms.CharField(required=False, max_length=64, label="ntfy topic")
    ntfy_token = forms.CharField(
        required=False,
        max_length=200,
        label="ntfy access token (optional)",
        widget=forms.PasswordInput(render_value=False),
    )
    ntfy_priority = forms.TypedChoiceField(
        choices=[(p, str(p)) for p in NTFY_PRIORITIES],
        coerce=int,
        required=False,
        initial=4,
        label="ntfy priority (1 min – 5 max)",
    )
    ntfy_tags = forms.CharField(
        required=False,
        max_length=200,
        label="ntfy tags",
        help_text="Comma separated, e.g. warning,speech_balloon",
    )

    class Meta:
        model = AlertRule
        fields = ["name", "kind", "topic", "mode", "quiet_start", "quiet_end", "urgent", "enabled"]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        self.fields["topic"].queryset = Topic.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["topic"].required = False
        self._existing = (
            {d.kind: d for d in self.instance.destinations.all()} if self.instance.pk else {}
        )
        if not self.is_bound:
            self._fill_initial()

    def _fill_initial(self) -> None:
        params = {**DEFAULTS.get(self.instance.kind, {}), **(self.instance.params or {})}
        for name in ("intents", "min_followers", "min_count", "z"):
            if name in params:
                self.initial[name] = params[name]
        if email := self._existing.get("email"):
            self.initial["email_addresses"] = ", ".join(email.config.get("addresses", []))
        if hook := self._existing.get("webhook"):
            self.initial["webhook_format"] = hook.config.get("format", "plain")
            self.fields["webhook_url"].help_text = f"{KEPT} Now: {hook.config.get('host', '')}"
        if ntfy := self._existing.get("ntfy"):
            for key in ("server", "topic", "priority"):
                self.initial[f"ntfy_{key}"] = ntfy.config.get(key)
            self.initial["ntfy_tags"] = ",".join(ntfy.config.get("tags", []))
            if (ntfy.secrets or {}).get("token"):
                self.fields["ntfy_token"].help_text = KEPT

    # --- validation ---------------------------------------------------------------------

    def clean_email_addresses(self) -> list[str]:
        addresses = [
            a.strip()
            for a in re.split(r"[,\s]+", self.cleaned_data["email_addresses"])
            if a.strip()
        ]
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(f"{address} is not an email address.") from None
        return addresses

    def clean_webhook_url(self) -> str:
        return _public_url(self.cleaned_data["webhook_url"])

    def clean_ntfy_server(self) -> str:
        if not self.data.get(self.add_prefix("ntfy_topic"), "").strip():
            return ""  # no ntfy destination: the prefilled server is not checked
        return _public_url(self.cleaned_data["ntfy_server"]).rstrip("/")

    def clean_ntfy_topic(self) -> str:
        topic = self.cleaned_data["ntfy_topic"].strip()
        if topic and not NTFY_TOPIC.match(topic):
            raise ValidationError("Letters, digits, - and _ only, at most 64.")
        return topic

    def clean_ntfy_tags(self) -> list[str]:
        tags = [t.strip() for t in self.cleaned_data["ntfy_tags"].split(",") if t.strip()]
        bad = [t for t in tags if not NTFY_TAG.match(t)]
        if bad:
            raise ValidationError(f"{bad[0]!r} is not a tag: letters, digits, - and _ only.")
        return tags

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind:
            raw = {
                k: data.get(k) for k in DEFAULTS.get(kind, {}) if data.get(k) not in (None, "", [])
            }
            try:
                self.instance.params = clean_params(kind, raw)
            except ValidationError as exc:
                self.add_error(None, exc)
        self.destinations = self._destinations(data)
        if not self.destinations:
            self.add_error(
                None, "Give at least one destination: an email address, a webhook or an ntfy topic."
            )
        return data

    def _destinations(self, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        if data.get("email_addresses"):
            found["email"] = {"config": {"addresses": data["email_addresses"]}}
        hook = self._existing.get("webhook")
        url = data.get("webhook_url") or ((hook.secrets or {}).get("url") if hook else "")
        if url and not data.get("webhook_remove"):
            fmt = data.get("webhook_format") or "plain"
            host = re.sub(r"^https?://", "", url).split("/")[0]
            found["webhook"] = {"config": {"format": fmt, "host": host}, "secrets": {"url": url}}
        if data.get("ntfy_topic"):
            found["ntfy"] = self._ntfy(data)
        return found

    def _ntfy(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data.get("ntfy_server"):
            self.add_error("ntfy_server", "Give the ntfy server, e.g. https://ntfy.sh.")
        old = self._existing.get("ntfy")
        token = data.get("ntfy_token") or ((old.secrets or {}).get("token") if old else None)
        config = {
            "server": data.get("ntfy_server", ""),
            "topic": data["ntfy_topic"],
            "priority": data.get("ntfy_priority") or 4,
            "tags": data.get("ntfy_tags", []),
        }
        return {"config": config, "secrets": {"token": token} if token else None}

    # --- saving ---------------------------------------------------------------------------

    @transaction.atomic
    def save(self, commit: bool = True) -> AlertRule:
        rule = super().save(commit=True)
        for kind in AlertDestination.Kind.values:
            spec = self.destinations.get(kind)
            current = self._existing.get(kind)
            if spec is None and current is not None:
                current.delete()
            elif spec is not None:
                target = current or AlertDestination(workspace=rule.workspace, rule=rule, kind=kind)
                target.config = spec["config"]
                target.secrets = spec.get("secrets")
                target.save(update_fields=["config", "secrets"] if current else None)
        return rule


def _public_url(value: str) -> str:
    """A URL Harken may call: http(s) to a public address (the guard that sending uses too).

    A host that does not resolve right now is accepted: DNS may be down or the name new,
    and the same guard runs again before every send and records why it refused.
    """
    value = (value or "").strip()
    if not value:
        return ""
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
