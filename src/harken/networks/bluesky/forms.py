"""The "Sign in with Bluesky" form of the Accounts page."""

from __future__ import annotations

from django import forms

from harken.networks.base import ConnectorError
from harken.networks.bluesky.identity import parse_login


class BlueskySignInForm(forms.Form):
    handle = forms.CharField(label="Handle", max_length=2048)

    def clean_handle(self) -> str:
        try:
            return parse_login(self.cleaned_data["handle"])
        except ConnectorError as exc:
            raise forms.ValidationError(exc.message) from None
