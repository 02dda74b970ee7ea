"""Forms of the Accounts page for connecting Bluesky, X and Reddit."""

from __future__ import annotations

from typing import Any

from django import forms

from harken.networks.base import ConnectorError
from harken.networks.bluesky.connect import check_handle, check_service


class BlueskyForm(forms.Form):
    handle = forms.CharField(label="Handle", max_length=253)
    app_password = forms.CharField(
        label="App password", max_length=200, strip=True, widget=forms.PasswordInput
    )
    service = forms.CharField(label="Server (PDS)", max_length=2000, required=False)

    def clean_handle(self) -> str:
        return _checked(check_handle, self.cleaned_data["handle"])

    def clean_service(self) -> str:
        return _checked(check_service, self.cleaned_data["service"])


class TokenForm(forms.Form):
    """X's OAuth 2.0 user access token, or Reddit's refresh token, pasted."""

    token = forms.CharField(label="Token", max_length=4000, widget=forms.PasswordInput)


def _checked(check: Any, value: str) -> str:
    try:
        return check(value)
    except ConnectorError as exc:
        raise forms.ValidationError(exc.message) from None
