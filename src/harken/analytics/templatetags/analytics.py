"""Filters of the analytics templates: table cells, durations, weekday names."""

from __future__ import annotations

from django import template

register = template.Library()

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@register.filter
def cell(value: object) -> str:
    """A table cell: numbers grouped, at most one decimal; nothing as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@register.filter
def duration(seconds: float | None) -> str:
    """ "38 min", "2 h 5 min", "3 d 4 h"; a dash for none."""
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


@register.filter
def weekday_name(index: int) -> str:
    return WEEKDAYS[index] if 0 <= index < 7 else ""


@register.filter
def cents(value: int) -> str:
    """An amount in cents as units with two decimals: 12345 → "123.45"."""
    return f"{value / 100:,.2f}"
