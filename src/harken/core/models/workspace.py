from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/Paris.")


class Workspace(models.Model):
    """One business (brand). Every other row in Harken belongs to exactly one."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    is_sample = models.BooleanField(
        default=False, help_text="Filled by `harken demo`: sample data, not a real business."
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkspaceQuerySet(models.QuerySet):
    def of(self, workspace: Workspace) -> WorkspaceQuerySet:
        return self.filter(workspace=workspace)


class WorkspaceOwned(models.Model):
    """Base for every row that belongs to a workspace.

    Views never query these directly: they go through ``harken.core.access``, which
    scopes every lookup to the request's workspace.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        abstract = True
