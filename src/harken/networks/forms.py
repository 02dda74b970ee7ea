"""Forms of the Accounts page for connecting Bluesky, X and Reddit and adding searches."""

from __future__ import annotations

from typing import Any

from django import forms

from harken.networks import searches
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


class SearchForm(forms.Form):
    network = forms.ChoiceField(label="Network")
    account = forms.ChoiceField(label="Through the account", required=False)
    query = forms.CharField(label="Search for", max_length=searches.MAX_QUERY * 2)
    interval = forms.TypedChoiceField(
        label="How often", coerce=int, choices=searches.INTERVALS, initial=900
    )

    def __init__(self, workspace: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.accounts = searches.search_accounts(workspace)
        self.networks = searches.searchable_networks(workspace)
        self.fields["network"].choices = self.networks  # type: ignore[attr-defined]
        self.fields["account"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(a.pk), f"{a.handle} ({a.network})") for a in self.accounts
        ]

    def clean_query(self) -> str:
        return searches.check_query(self.cleaned_data["query"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        network = data.get("network")
        if network and "account" not in self.errors:
            try:
                data["account"] = searches.check_search_account(
                    self.workspace, network, data.get("account")
                )
            except forms.ValidationError as exc:
                self.add_error("account", exc)
        return data
