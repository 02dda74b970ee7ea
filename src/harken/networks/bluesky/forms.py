"""The Bluesky forms of the Accounts page: "Sign in with Bluesky" and the app password."""

from __future__ import annotations

from django import forms

from harken.networks.base import ConnectorError
from harken.networks.bluesky.connect import check_handle, check_service
from harken.networks.bluesky.identity import parse_login
from harken.networks.forms import checked


class BlueskySignInForm(forms.Form):
    handle = forms.CharField(label="Handle", max_length=2048)

    def clean_handle(self) -> str:
        try:
            return parse_login(self.cleaned_data["handle"])
        except ConnectorError as exc:
            raise forms.ValidationError(exc.message) from None


class BlueskyForm(forms.Form):
    handle = forms.CharField(label="Handle", max_length=253)
    app_password = forms.CharField(
        label="App password", max_length=200, strip=True, widget=forms.PasswordInput
    )
    service = forms.CharField(label="Server (PDS)", max_length=2000, required=False)

    def clean_handle(self) -> str:
        return checked(check_handle, self.cleaned_data["handle"])

    def clean_service(self) -> str:
        return checked(check_service, self.cleaned_data["service"])
