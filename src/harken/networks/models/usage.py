"""What a pay-per-use network (X) has cost a workspace this month, and its spending cap.

X bills every post and user a read returns; ``XUsage`` counts them per calendar month
(UTC) as they happen, with atomic ``F()`` updates so concurrent workers never lose a
count, and ``NetworkBudget`` holds the monthly cap the workspace set.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from harken.core.models import WorkspaceOwned


class NetworkBudget(WorkspaceOwned):
    """A workspace's monthly spending cap on one pay-per-use network."""

    network = models.CharField(max_length=32)
    monthly_cap = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        help_text="US dollars per calendar month (UTC); reading stops here.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "network"], name="one_budget_per_network")
        ]

    def __str__(self) -> str:
        return f"{self.network} cap ${self.monthly_cap}"


class XUsage(WorkspaceOwned):
    """Reads from X in one month and what they cost, counted as they happen.

    ``reserved`` is money set aside for requests in flight: a request first reserves the
    most it can cost, so two workers together can never pass the cap.
    """

    month = models.CharField(max_length=7, help_text="YYYY-MM, UTC.")
    posts_read = models.PositiveIntegerField(default=0)
    users_read = models.PositiveIntegerField(default=0)
    posts_created = models.PositiveIntegerField(
        default=0, help_text="Posts and replies Harken sent."
    )
    cost = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("0"))
    reserved = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("0"))
    reserved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "month"], name="one_x_usage_per_month")
        ]

    def __str__(self) -> str:
        return f"X {self.month}: {self.posts_read} posts, ${self.cost}"
