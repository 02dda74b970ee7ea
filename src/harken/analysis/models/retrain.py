from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from harken.core.models import WorkspaceOwned


class RetrainJob(WorkspaceOwned):
    """One request to fit the workspace's adjustment, run by a worker off the web request.

    Its ``state`` is the job's truth (the queue only carries its id): queued → running →
    done or failed, with the error in words. At most one is queued or running per
    workspace: a second click joins the first instead of starting another.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    adjustment = models.ForeignKey(
        "analysis.WorkspaceAdjustment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    ACTIVE = (State.QUEUED, State.RUNNING)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(state__in=["queued", "running"]),
                name="one_retrain_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"retrain {self.pk} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE
