"""The thresholds of each rule kind: defaults, and validation with messages a person can act on."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from harken.analysis.intents import INTENTS as ANALYSIS_INTENTS

#: Intents the analysis app assigns; a rule may watch any of them ("other" is no signal).
INTENTS = tuple(i for i in ANALYSIS_INTENTS if i != "other")

#: Defaults per kind. Spike and surge: ``min_count`` mentions in the hour at the least (so
#: 0 → 2 is not a spike) and a robust z-score of ``z`` or more against the baseline.
DEFAULTS: dict[str, dict[str, Any]] = {
    "topic": {},
    "intent": {"intents": ["complaint"]},
    "influencer": {"min_followers": 1000},
    "spike": {"min_count": 10, "z": 3.5},
    "surge": {"min_count": 5, "z": 3.5},
}


def clean_params(kind: str, raw: dict[str, Any] | None) -> dict[str, Any]:
    """Return ``raw`` completed with defaults and checked for ``kind``; raise ValidationError."""
    if kind not in DEFAULTS:
        raise ValidationError(f"Unknown rule kind {kind!r}.")
    if raw is not None and not isinstance(raw, dict):
        raise ValidationError("Thresholds must be a JSON object.")
    params = {**DEFAULTS[kind], **{k: v for k, v in (raw or {}).items() if k in DEFAULTS[kind]}}
    checks = {"intent": _check_intents, "influencer": _check_influencer}
    checks.get(kind, _check_baseline if kind in ("spike", "surge") else _nothing)(params)
    return params


def _nothing(params: dict[str, Any]) -> None:
    return None


def _check_intents(params: dict[str, Any]) -> None:
    intents = params["intents"]
    if not isinstance(intents, list) or not intents:
        raise ValidationError("Choose at least one intent.")
    unknown = [i for i in intents if i not in INTENTS]
    if unknown:
        raise ValidationError(f"Unknown intent {unknown[0]!r}; choose from {', '.join(INTENTS)}.")


def _check_influencer(params: dict[str, Any]) -> None:
    params["min_followers"] = _number(params["min_followers"], "Followers", int, 0, 10**10)


def _check_baseline(params: dict[str, Any]) -> None:
    params["min_count"] = _number(params["min_count"], "Minimum mentions", int, 1, 10**7)
    params["z"] = _number(params["z"], "Sensitivity (z-score)", float, 1.0, 100.0)


def _number(value: Any, label: str, kind: type, low: float, high: float) -> Any:
    if isinstance(value, bool):
        raise ValidationError(f"{label} must be a number.")
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{label} must be a number.") from None
    if kind is int and number != float(value):
        raise ValidationError(f"{label} must be a whole number.")
    if not low <= number <= high:
        raise ValidationError(f"{label} must be between {low:g} and {high:g}.")
    return number
