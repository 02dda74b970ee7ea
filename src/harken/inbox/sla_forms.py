"""Settings › Service levels: open hours per weekday, closed days, targets per intent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from harken.inbox.models import ServiceLevel
from harken.inbox.sla import DAYS

TARGETS = [
    ("question_minutes", "Questions"),
    ("complaint_minutes", "Complaints"),
    ("purchase_minutes", "Purchase intent"),
    ("other_minutes", "Everything else"),
]
MAX_MINUTES = 60 * 24 * 30


class ServiceLevelForm(forms.Form):
    closed_days = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Closed days",
        help_text="One date a line, such as 2026-12-25.",
    )
    warn_minutes = forms.IntegerField(
        min_value=1, max_value=24 * 60, label="Warn this many minutes before an answer is due"
    )

    def __init__(self, *args: Any, level: ServiceLevel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.level = level
        for name, label in TARGETS:
            self.fields[name] = forms.IntegerField(
                min_value=0, max_value=MAX_MINUTES, label=f"{label}: answer within (minutes)"
            )
        for day, name in enumerate(DAYS):
            self.fields[f"open_{day}"] = forms.BooleanField(
                required=False,
                label=f"Open {name}",
                widget=forms.CheckboxInput(attrs={"aria-label": f"Open on {name}"}),
            )
            for part in ("opens", "closes"):
                self.fields[f"{part}_{day}"] = forms.TimeField(
                    required=False, label=f"{name} {part}", widget=_time(f"{name} {part}")
                )
        if not self.is_bound:
            self.initial.update(_initial(level))

    def days(self) -> list[dict[str, Any]]:
        """The weekday rows of the table, each with its three fields."""
        return [
            {
                "name": name,
                "open": self[f"open_{day}"],
                "opens": self[f"opens_{day}"],
                "closes": self[f"closes_{day}"],
            }
            for day, name in enumerate(DAYS)
        ]

    def targets(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in TARGETS]

    def clean_closed_days(self) -> list[str]:
        days = []
        for line in self.cleaned_data["closed_days"].split():
            try:
                days.append(dt.date.fromisoformat(line.strip()).isoformat())
            except ValueError:
                raise ValidationError(f"{line!r} is not a date such as 2026-12-25.") from None
        return sorted(set(days))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours = {}
        for day, name in enumerate(DAYS):
            if not data.get(f"open_{day}"):
                continue
            opens, closes = data.get(f"opens_{day}"), data.get(f"closes_{day}")
            if opens is None or closes is None or closes <= opens:
                self.add_error(f"closes_{day}", f"{name}: open before closing.")
                continue
            hours[str(day)] = [opens.strftime("%H:%M"), closes.strftime("%H:%M")]
        if not hours and not self.errors:
            raise ValidationError("Open on at least one day, or no answer could ever be due.")
        data["hours"] = hours
        return data

    def save(self) -> ServiceLevel:
        data = self.cleaned_data
        level = self.level
        level.hours = data["hours"]
        level.closed_days = data["closed_days"]
        level.warn_minutes = data["warn_minutes"]
        for name, _ in TARGETS:
            setattr(level, name, data[name])
        level.save()
        return level


def _time(label: str) -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "aria-label": label}, format="%H:%M")


def _initial(level: ServiceLevel) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "closed_days": "\n".join(level.closed_days or []),
        "warn_minutes": level.warn_minutes,
        **{name: getattr(level, name) for name, _ in TARGETS},
    }
    hours = level.hours if level.pk else ServiceLevel.DEFAULT_HOURS
    for day in range(7):
        span = (hours or {}).get(str(day))
        initial[f"open_{day}"] = bool(span)
        initial[f"opens_{day}"] = span[0] if span else "09:00"
        initial[f"closes_{day}"] = span[1] if span else "17:00"
    return initial
