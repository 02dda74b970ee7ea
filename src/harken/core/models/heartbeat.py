from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last sign of life of a queue consumer, written by a periodic task."""

    name = models.CharField(max_length=200, unique=True)
    beat = models.DateTimeField()
    details = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat:%Y-%m-%d %H:%M:%S}"
