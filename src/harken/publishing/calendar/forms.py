"""The calendar's forms: own events, holiday settings, series, queue slots, imports."""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django import forms
from django.utils import timezone

from harken.core.models import Workspace
from harken.networks.models import Account
from harken.publishing.calendar.series import BadRule, parse_rule
from harken.publishing.models import CalendarSettings, Event, QueueSlot, Series

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["title", "starts", "ends", "notes", "remind_days"]
        labels = {
            "starts": "First day",
            "ends": "Last day (for several days)",
            "remind_days": "Remind planners this many days before",
        }
        widgets = {
            "starts": forms.DateInput(attrs={"type": "date"}),
            "ends": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", "The last day comes after the first day.")
        if data.get("remind_days") is not None and data["remind_days"] > 365:
            self.add_error("remind_days", "Remind at most a year before.")
        return data


def country_name(code: str) -> str:
    """The country's name in words, from the ``holidays`` class that serves it
    (``UnitedStates`` → "United States"); the code where there is none."""
    cls = getattr(holidays, code, None)
    names = [k.__name__ for k in getattr(cls, "__mro__", ())[1:2]]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", names[0]) if names else code


@cache
def country_choices() -> list[tuple[str, str]]:
    codes = [c for c in holidays.list_supported_countries() if len(c) == 2]
    named = sorted((country_name(c), c) for c in codes)
    return [("", "None (no public holidays)")] + [(c, f"{name} ({c})") for name, c in named]


class SettingsForm(forms.ModelForm):
    class Meta:
        model = CalendarSettings
        fields = ["country", "subdivision", "show_seasons"]
        labels = {
            "country": "Country (public holidays)",
            "subdivision": "State, province or region code (optional)",
            "show_seasons": "Show shopping seasons (Valentine's, Mother's Day, Black Friday…)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].widget = forms.Select(choices=country_choices())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        country = (data.get("country") or "").upper()
        subdivision = (data.get("subdivision") or "").strip().upper()
        supported = holidays.list_supported_countries()
        if country and country not in supported:
            self.add_error("country", "Harken has no public holidays for that country.")
        elif subdivision and not country:
            self.add_error("subdivision", "Choose the country first.")
        elif subdivision and subdivision not in supported.get(country, []):
            known = ", ".join(supported.get(country, [])) or "none"
            self.add_error(
                "subdivision", f"{country} has no region {subdivision!r}; known codes: {known}."
            )
        data["country"], data["subdivision"] = country, subdivision
        return data


class SeriesForm(forms.ModelForm):
    starts = forms.DateTimeField(
        label="First post (local time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Series
        fields = ["title", "rrule", "starts", "text", "category", "accounts", "until", "count"]
        labels = {
            "rrule": "Repeats (iCalendar RRULE)",
            "until": "Until (optional)",
            "count": "Or this many posts (optional)",
            "text": "Post text",
        }
        help_texts = {
            "rrule": "FREQ=WEEKLY;BYDAY=WE is every Wednesday; FREQ=MONTHLY;BYMONTHDAY=1 the "
            "first of each month; FREQ=MONTHLY;BYDAY=1TU the first Tuesday."
        }
        widgets = {
            "until": forms.DateInput(attrs={"type": "date"}),
            "text": forms.Textarea(attrs={"rows": 4}),
            "accounts": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.zone = ZoneInfo(workspace.time_zone)
        accounts = Account.objects.filter(workspace=workspace).exclude(
            status=Account.Status.DISABLED
        )
        self.fields["accounts"].queryset = accounts  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["starts"] = self.instance.starts.astimezone(self.zone).replace(tzinfo=None)

    def clean_starts(self) -> Any:
        starts = self.cleaned_data["starts"]
        # The field reads the time in the active zone (the workspace's); say so explicitly.
        return timezone.make_aware(starts.replace(tzinfo=None), self.zone)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("rrule"):
            try:
                parse_rule(
                    data["rrule"],
                    data["starts"].astimezone(self.zone),
                    data.get("until"),
                    data.get("count"),
                )
            except BadRule as exc:
                self.add_error("rrule", str(exc))
        return data


class SlotForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.none())
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int)
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        accounts = Account.objects.filter(workspace=workspace).exclude(
            status=Account.Status.DISABLED
        )
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("account")
            and data.get("weekday") is not None
            and data.get("time")
            and QueueSlot.objects.filter(
                account=data["account"], weekday=data["weekday"], time=data["time"]
            ).exists()
        ):
            raise forms.ValidationError("That account has this slot already.")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file")
