"""Listening's facts for the sections that have no page yet (see ``harken.core.sections``).

Counted from stored mentions in one aggregate query, inbound only: our own answers are not
mentions of the business. (Analytics has its own pages now; only the inbox's facts remain.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from harken.core.models import Workspace
from harken.listening.models import Mention

#: Intents that ask for an answer, in the order the inbox will triage them.
NEEDS_REPLY = ("question", "complaint", "purchase_intent")


def _inbound(workspace: Workspace) -> Any:
    return Mention.objects.filter(workspace=workspace, is_own=False)


def _intent(name: str) -> Q:
    # Intents are a JSON list; a quoted name matches one element on SQLite and PostgreSQL.
    return Q(intents__icontains=f'"{name}"')


def inbox(workspace: Workspace) -> dict[str, Any]:
    """How many mentions there are, and how many of the last week's ask for an answer."""
    week = Q(posted__gte=timezone.now() - dt.timedelta(days=7))
    counts = _inbound(workspace).aggregate(
        total=Count("pk"),
        **{i: Count("pk", filter=week & _intent(i)) for i in NEEDS_REPLY},
    )
    return {
        "mentions_total": counts["total"],
        "asking_week": [{"key": i, "count": counts[i]} for i in NEEDS_REPLY if counts[i]],
    }
