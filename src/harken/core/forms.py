from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from harken.core.models import Role
from harken.core.usernames import check_username

TIME_ZONES = sorted(zoneinfo.available_timezones())


class WorkspaceForm(forms.Form):
    name = forms.CharField(max_length=120)
    time_zone = forms.ChoiceField(choices=[(tz, tz) for tz in TIME_ZONES], initial="UTC")


class InvitationForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.RESPONDER)
    email = forms.EmailField(required=False, help_text="Optional: a note of who it is for.")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class SignUpForm(UserCreationForm):
    """Create an account while accepting an invitation or setting up the first owner."""

    email = forms.EmailField(required=False)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_username(self) -> str:
        username = super().clean_username()  # refuses names that differ only in case
        if username:
            check_username(username)
        return username
