from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from harken.api.models import RESOURCES, scope_name

ACCESS = [("", "None"), ("read", "Read"), ("write", "Read and write")]
EXPIRIES = [("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("", "Never")]


class TokenForm(forms.Form):
    """A token's name, its access per resource and when it expires."""

    name = forms.CharField(max_length=80, help_text="Say what will use it: “CRM sync”.")
    expires = forms.ChoiceField(choices=EXPIRIES, initial="90", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for resource in RESOURCES:
            self.fields[resource] = forms.ChoiceField(
                choices=ACCESS, required=False, label=resource.capitalize(), initial="read"
            )

    def access_fields(self) -> list[forms.BoundField]:
        return [self[resource] for resource in RESOURCES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.scopes():
            raise forms.ValidationError("Give the token read or write access to something.")
        return data

    def scopes(self) -> list[str]:
        data = getattr(self, "cleaned_data", {})
        chosen = []
        for resource in RESOURCES:
            level = data.get(resource)
            if level:
                chosen.append(scope_name(resource, level == "write"))
        return chosen

    def expiry(self) -> datetime | None:
        days = self.cleaned_data.get("expires")
        return timezone.now() + timedelta(days=int(days)) if days else None
