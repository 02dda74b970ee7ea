"""The endpoint form: where to send, which events, and which topics' mentions."""

from __future__ import annotations

from typing import Any

from django import forms

from harken.api.webhooks.models import EVENTS
from harken.lib.urlguard import UnsafeURL, check_target


class EndpointForm(forms.Form):
    url = forms.URLField(
        max_length=500,
        label="URL",
        assume_scheme="https",
        help_text="Harken POSTs each event here as JSON, signed per Standard Webhooks.",
    )
    description = forms.CharField(max_length=200, required=False)
    events = forms.MultipleChoiceField(
        choices=list(EVENTS.items()), widget=forms.CheckboxSelectMultiple
    )
    topics = forms.MultipleChoiceField(
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For “a mention is stored”: only these topics' mentions (none: every topic).",
    )

    def __init__(self, *args: Any, topics: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(str(pk), name) for pk, name in topics]  # type: ignore[attr-defined]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        try:
            check_target(url)
        except UnsafeURL as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url

    def topic_ids(self) -> list[int]:
        return sorted(int(pk) for pk in self.cleaned_data.get("topics") or [])
