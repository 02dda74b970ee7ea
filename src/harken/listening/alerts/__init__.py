"""Alerts: rules evaluated on each stored batch, delivered by email, webhook or ntfy push.

The ingest pipeline calls ``evaluate(workspace, mentions)`` after each stored batch; the
queue calls ``do_deliver_due(now)`` every minute to send, retry and release digests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harken.listening.models import AlertEvent

__all__ = ["do_deliver_due", "evaluate"]


def evaluate(workspace: Any, mentions: Any, now: Any = None) -> list[AlertEvent]:
    """See ``harken.listening.alerts.evaluate.evaluate``; imported lazily so that the
    models can import this package's validators without a cycle."""
    from harken.listening.alerts.evaluate import evaluate as run

    return run(workspace, mentions, now)


def do_deliver_due(now: Any = None) -> Any:
    from harken.listening.alerts.delivery import do_deliver_due as run

    return run(now)
