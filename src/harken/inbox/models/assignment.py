from __future__ import annotations

from django.conf import settings
from django.db import models

from harken.core.models import WorkspaceOwned


class AssignmentRule(WorkspaceOwned):
    """When a conversation matches every condition set here, it goes to ``assignee``, or
    in turn to the available members of ``rotation``. Rules are tried by ``position``;
    the first that matches assigns. An empty condition matches anything."""

    name = models.CharField(max_length=80)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    network = models.CharField(max_length=32, blank=True)
    account = models.ForeignKey(
        "networks.Account", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    topic = models.ForeignKey(
        "listening.Topic", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    intent = models.CharField(max_length=24, blank=True)
    language = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=8, blank=True)
    #: The writer's contact (``harken.contacts``): customer status, and one segment as
    #: "name=value" (e.g. "plan=gold"), matched without regard to case. A writer Harken
    #: has no contact for counts as a non-customer with no segments.
    customer_status = models.CharField(
        max_length=16,
        blank=True,
        choices=[
            ("customer", "Customer"),
            ("prospect", "Prospect"),
            ("non_customer", "Non-customer"),
        ],
    )
    segment = models.CharField(max_length=120, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    rotation = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    #: Round robin's counter: each turn takes the next number atomically.
    turn = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
