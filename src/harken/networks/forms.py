"""What the connect forms of several networks share: a pasted token, and a check that
speaks in a form's words."""

from __future__ import annotations

from collections.abc import Callable

from django import forms

from harken.networks.base import ConnectorError


class TokenForm(forms.Form):
    """A token pasted instead of going through the network's consent page."""

    token = forms.CharField(label="Token", max_length=4000, widget=forms.PasswordInput)


def check_token(raw: str, label: str) -> str:
    """The token without the blanks a paste brings along; ``ConnectorError`` when empty."""
    token = "".join((raw or "").split())
    if not token:
        raise ConnectorError(f"Paste the {label} token.", permanent=True)
    return token


def checked(check: Callable[[str], str], value: str) -> str:
    """``check(value)``, its ``ConnectorError`` turned into the form's error."""
    try:
        return check(value)
    except ConnectorError as exc:
        raise forms.ValidationError(exc.message) from None
