"""The inbox's facts for its page-to-come (see ``harken.core.sections``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from harken.core.models import Workspace
from harken.inbox.models import Conversation


def inbox(workspace: Workspace) -> dict[str, Any]:
    """Conversations threaded so far, by status, and how many still wait for a first answer."""
    from harken.inbox.views import replyable_networks

    Status = Conversation.Status
    owed = Q(network__in=replyable_networks())
    counts = Conversation.objects.filter(workspace=workspace).aggregate(
        total=Count("pk"),
        unanswered=Count(
            "pk",
            filter=Q(first_response_at__isnull=True) & ~Q(status=Status.RESOLVED) & owed,
        ),
        **{s: Count("pk", filter=Q(status=s)) for s in Status.values},
    )
    return {
        "conversations": counts["total"],
        "unanswered": counts["unanswered"],
        "by_status": [
            {"key": s, "label": label, "count": counts[s]}
            for s, label in Status.choices
            if counts[s]
        ],
    }
