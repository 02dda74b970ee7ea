"""The composer's form: the post's fields, then one set of fields per chosen account.

The per-account fields are named by the account's id (``text_7``, ``comment_7``…) so the
page can hold a column per account and the browser needs no JavaScript to send them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from harken.networks.models import Account
from harken.networks.registry import connector_class
from harken.publishing.models import Campaign, Category, Stage

MAX_TEXT = 40_000
MAX_PAST = timedelta(minutes=1)


class ComposeForm(forms.Form):
    accounts = forms.MultipleChoiceField(
        choices=(), widget=forms.CheckboxSelectMultiple, required=True
    )
    text = forms.CharField(max_length=MAX_TEXT, required=False, strip=False)
    persona = forms.CharField(max_length=120, required=False)
    stage = forms.ChoiceField(choices=Stage.choices, initial=Stage.AWARENESS)
    category = forms.ChoiceField(choices=Category.choices, initial=Category.EDUCATIONAL)
    sponsored = forms.BooleanField(required=False)
    #: The workspace's campaigns (the view sets the queryset): the post's tracked links
    #: carry the chosen one.
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        required=False,
        empty_label="No campaign",
        widget=forms.Select(attrs={"class": "compose-input"}),
    )
    at = forms.CharField(max_length=32, required=False)
    action = forms.ChoiceField(
        choices=[("draft", "Save draft"), ("schedule", "Schedule"), ("queue", "Add to queue")],
        initial="draft",
    )

    def __init__(self, *args: Any, accounts: list[Account], time_zone: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.account_rows = accounts
        self.zone = ZoneInfo(time_zone)
        field = self.fields["accounts"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(a.pk), a.handle) for a in accounts]
        for account in accounts:
            n = account.pk
            self.fields[f"text_{n}"] = forms.CharField(
                max_length=MAX_TEXT, required=False, strip=False
            )
            self.fields[f"comment_{n}"] = forms.CharField(max_length=MAX_TEXT, required=False)
            self.fields[f"thread_{n}"] = forms.BooleanField(required=False)
            self.fields[f"numbered_{n}"] = forms.BooleanField(required=False)
            for spec in post_fields(account):
                # Checked when scheduling (``validation.check_post_fields``), so a draft
                # may leave it empty for now.
                self.fields[f"{spec.name}_{n}"] = forms.CharField(
                    max_length=spec.max_chars * 2 if spec.max_chars else 1000, required=False
                )

    def clean_at(self) -> datetime | None:
        """The time as the workspace's clock says it, made aware in its zone."""
        raw = self.cleaned_data.get("at", "").strip()
        if not raw:
            return None
        try:
            naive = datetime.fromisoformat(raw)
        except ValueError:
            raise forms.ValidationError("Give the time as a date and a time.") from None
        if naive.tzinfo is not None:
            return naive
        return naive.replace(tzinfo=self.zone)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        at = data.get("at")
        if data.get("action") == "schedule":
            if at is None:
                self.add_error("at", "Choose when to publish it.")
            elif at < timezone.now() - MAX_PAST:
                self.add_error("at", "That time has passed; choose one ahead.")
        return data

    def chosen(self) -> list[Account]:
        ids = set(self.cleaned_data.get("accounts") or [])
        return [a for a in self.account_rows if str(a.pk) in ids]

    def options_for(self, account: Account) -> dict[str, str]:
        """The network's own fields of the post on ``account`` (Reddit's title...)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            spec.name: (data.get(f"{spec.name}_{account.pk}") or "").strip()
            for spec in post_fields(account)
        }

    def overrides_for(self, account: Account) -> dict[str, str]:
        """The guideline rules overridden for ``account``, with the reasons given."""
        prefix = f"override_{account.pk}_"
        return {
            key.removeprefix(prefix): value.strip()[:500]
            for key, value in self.data.items()
            if key.startswith(prefix) and value.strip()
        }


def post_fields(account: Account) -> tuple[Any, ...]:
    """The fields ``account``'s network wants besides the text (``Connector.post_fields``)."""
    try:
        return connector_class(account.network).post_fields
    except (KeyError, ImportError):
        return ()
