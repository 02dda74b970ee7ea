"""Meta's rate-limit headers, read on every answer so Harken slows down before Meta
blocks it.

Meta does not count down remaining calls; it reports how much of a rolling hour's
allowance is used, in percent:

- ``X-App-Usage``: ``{"call_count": 28, "total_time": 25, "total_cputime": 25}`` for the
  whole app (calls made with user tokens);
- ``X-Page-Usage``: the same shape, for calls made with one Page's token;
- ``X-Business-Use-Case-Usage``: ``{"<object id>": [{"type": "pages", "call_count": 12,
  "total_cputime": 3, "total_time": 4, "estimated_time_to_regain_access": 0}]}`` for Pages
  and Instagram calls; ``estimated_time_to_regain_access`` is minutes.

At ``PAUSE_AT`` percent of any of these, calls on that budget stop here (a transient
``ConnectorError`` with ``retry_after``) until Meta's own estimate, or ``PAUSE_SECONDS``,
has passed: the poll backs off instead of walking into a block that lasts longer. The
pauses are per process, as ``harken.lib.http``'s exhausted hosts are.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harken.networks.base import ConnectorError

#: Percent of an hourly allowance at which Harken stops calling until it recovers.
PAUSE_AT = 90
#: How long a pause lasts when Meta gives no estimate of its own (its window is an hour).
PAUSE_SECONDS = 600.0
APP = "app"

_paused: dict[str, float] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Usage:
    """The highest share of an allowance one answer reported, and Meta's wait, if any."""

    percent: float = 0.0
    regain_seconds: float = 0.0
    app_percent: float = 0.0

    @property
    def exhausted(self) -> bool:
        return self.percent >= PAUSE_AT or self.regain_seconds > 0

    @property
    def app_exhausted(self) -> bool:
        return self.app_percent >= PAUSE_AT


def read_usage(headers: Mapping[str, str]) -> Usage:
    """The usage an answer's headers report (nothing, for an answer without them)."""
    app = _percent(_json(headers.get("x-app-usage")))
    shares = [app, _percent(_json(headers.get("x-page-usage")))]
    regain = 0.0
    business = _json(headers.get("x-business-use-case-usage"))
    for entries in business.values() if isinstance(business, dict) else ():
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict):
                shares.append(_percent(entry))
                regain = max(regain, _number(entry.get("estimated_time_to_regain_access")) * 60)
    return Usage(percent=max(shares), regain_seconds=regain, app_percent=app)


def note_usage(owner: str, usage: Usage) -> None:
    """Pause ``owner``'s calls (and every call, when the app's own allowance is spent)."""
    wait = usage.regain_seconds or PAUSE_SECONDS
    with _lock:
        if usage.app_exhausted:
            _paused[APP] = max(_paused.get(APP, 0.0), time.time() + wait)
        if usage.exhausted:
            _paused[owner] = max(_paused.get(owner, 0.0), time.time() + wait)


def pause(owner: str, seconds: float) -> None:
    """Stop calling for ``owner`` for ``seconds`` (Meta answered with a rate-limit error)."""
    with _lock:
        _paused[owner] = max(_paused.get(owner, 0.0), time.time() + seconds)


def check_usage(owner: str, label: str) -> None:
    """Raise a transient ``ConnectorError`` while ``owner``'s or the app's budget rests."""
    now = time.time()
    with _lock:
        until = max(_paused.get(owner, 0.0), _paused.get(APP, 0.0))
    if until > now:
        wait = until - now
        raise ConnectorError(
            f"{label}'s rate limit is nearly used up; Harken waits {wait / 60:.0f} min "
            "before calling again.",
            retry_after=wait,
        )


def reset_usage() -> None:
    """Forget every pause (tests)."""
    with _lock:
        _paused.clear()


def _json(raw: str | None) -> Any:
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return {}


def _percent(entry: Any) -> float:
    if not isinstance(entry, dict):
        return 0.0
    keys = ("call_count", "total_time", "total_cputime")
    return max((_number(entry.get(key)) for key in keys), default=0.0)


def _number(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0
