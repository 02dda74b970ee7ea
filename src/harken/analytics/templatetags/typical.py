"""Filters of the "Typical customer" page and the report."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(share: float | None) -> str:
    """A share (0–1) as a whole per cent: 0.273 → "27 %"; nothing as a dash."""
    if share is None:
        return "–"
    return f"{share * 100:.0f} %"
