from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def figure(figures: dict, field: str) -> dict:
    """``{"n": 12, "accuracy": "75%"}`` for one field of a before/after figures dict."""
    accuracy = (figures or {}).get(f"{field}_accuracy")
    return {
        "n": (figures or {}).get(f"{field}_n") or 0,
        "accuracy": "—" if accuracy is None else f"{accuracy:.0%}",
    }
