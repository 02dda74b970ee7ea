from __future__ import annotations

from django.db import models

from harken.core.models import WorkspaceOwned


class ServiceLevel(WorkspaceOwned):
    """A workspace's promise: its opening hours (in the workspace's time zone), the days
    it is closed, and how soon each kind of message is answered, counted in open hours.

    ``hours`` maps a weekday (0 = Monday) to ``["09:00", "17:00"]``; a missing day is
    closed. ``closed_days`` lists dates (``2026-12-25``). A target of 0 minutes means
    no target for that intent.
    """

    DEFAULT_HOURS = {str(day): ["09:00", "17:00"] for day in range(5)}

    hours = models.JSONField(default=dict, blank=True)
    closed_days = models.JSONField(default=list, blank=True)
    question_minutes = models.PositiveIntegerField(default=240)
    complaint_minutes = models.PositiveIntegerField(default=60)
    purchase_minutes = models.PositiveIntegerField(default=120)
    other_minutes = models.PositiveIntegerField(default=480)
    #: Warn the assignee (or the managers) this many minutes before a reply is due.
    warn_minutes = models.PositiveIntegerField(default=30)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="one_service_level")]

    def __str__(self) -> str:
        return f"service level of {self.workspace_id}"

    def target_minutes(self, intent: str) -> int:
        """Minutes of open time a conversation with this intent may wait."""
        return {
            "question": self.question_minutes,
            "complaint": self.complaint_minutes,
            "purchase_intent": self.purchase_minutes,
            "spam": 0,
        }.get(intent, self.other_minutes)
