from __future__ import annotations

from django.conf import settings
from django.db import models

from harken.analysis.intents import INTENTS
from harken.analysis.labelled import LABELS
from harken.core.models import WorkspaceOwned


class Field(models.TextChoices):
    SENTIMENT = "sentiment", "Sentiment"
    INTENT = "intent", "Intent"


#: The labels a correction may give, per field.
ALLOWED_LABELS = {Field.SENTIMENT: LABELS, Field.INTENT: INTENTS}


class Correction(WorkspaceOwned):
    """A team member's verdict on one text: "this is negative", "this is a question".

    The text is copied here rather than linked: analysis knows nothing of the apps above
    it, and ``mention_ref`` lets the listening app find its mention again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    field = models.CharField(max_length=16, choices=Field.choices)
    label = models.CharField(max_length=32)
    mention_ref = models.CharField(max_length=200, blank=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["workspace", "field"], name="correction_ws_field")]

    def __str__(self) -> str:
        return f"{self.field}={self.label}: {self.text[:40]}"
