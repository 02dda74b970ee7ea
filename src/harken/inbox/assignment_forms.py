"""Settings › Assignment: one rule's conditions and who it assigns to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from harken.analysis.intents import INTENTS
from harken.contacts.models import Contact
from harken.core.models import Workspace
from harken.inbox.assignment import parse_segment
from harken.inbox.filters import SENTIMENTS
from harken.inbox.models import AssignmentRule
from harken.listening.models import Topic
from harken.networks.models import Account
from harken.networks.registry import CONNECTORS, network_label


class RuleForm(forms.ModelForm):
    class Meta:
        model = AssignmentRule
        fields = [
            "name",
            "position",
            "enabled",
            "network",
            "account",
            "topic",
            "intent",
            "language",
            "sentiment",
            "customer_status",
            "segment",
            "assignee",
            "rotation",
        ]
        labels = {
            "position": "Order (lower is tried first)",
            "assignee": "Assign to",
            "rotation": "Or take turns among (available members only)",
        }
        widgets = {"rotation": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        fields: dict[str, Any] = self.fields
        users = (
            get_user_model().objects.filter(memberships__workspace=workspace).order_by("username")
        )
        fields["assignee"].queryset = users
        fields["assignee"].required = False
        fields["assignee"].empty_label = "Nobody: take turns below"
        fields["rotation"].queryset = users
        fields["rotation"].required = False
        fields["account"].queryset = Account.objects.filter(workspace=workspace).order_by("handle")
        fields["topic"].queryset = Topic.objects.filter(workspace=workspace).order_by("name")
        fields["account"].empty_label = "Any account"
        fields["topic"].empty_label = "Any topic"
        fields["network"] = forms.ChoiceField(
            required=False,
            choices=[("", "Any network"), *[(n, network_label(n)) for n in CONNECTORS]],
        )
        fields["intent"] = forms.ChoiceField(
            required=False,
            choices=[("", "Any intent"), *[(i, i.replace("_", " ")) for i in INTENTS]],
        )
        fields["sentiment"] = forms.ChoiceField(
            required=False, choices=[("", "Any sentiment"), *[(s, s) for s in SENTIMENTS]]
        )
        fields["language"].help_text = "A language code such as en or de; empty: any."
        fields["customer_status"] = forms.ChoiceField(
            required=False,
            label="Customer status",
            choices=[("", "Anyone"), *Contact.Status.choices],
        )
        fields["segment"].label = "Customer segment"
        fields[
            "segment"
        ].help_text = (
            "One segment from your customer import as name=value, e.g. plan=gold; empty: any."
        )

    def clean_segment(self) -> str:
        value = " ".join((self.cleaned_data.get("segment") or "").split())
        if value and parse_segment(value) is None:
            raise ValidationError("A segment as name=value, such as plan=gold or region=north.")
        return value

    def clean_language(self) -> str:
        value = (self.cleaned_data.get("language") or "").strip().lower()
        if value and not (value.replace("-", "").isalpha() and len(value) <= 8):
            raise ValidationError("A language code such as en or pt-br.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_one = data.get("assignee") is not None
        has_turns = bool(data.get("rotation"))
        if has_one == has_turns:
            raise ValidationError("Choose one member to assign to, or members to take turns.")
        return data

    def save(self, commit: bool = True) -> AssignmentRule:
        rule: AssignmentRule = super().save(commit=False)
        rule.workspace = self.workspace
        if commit:
            rule.save()
            self.save_m2m()
        return rule
