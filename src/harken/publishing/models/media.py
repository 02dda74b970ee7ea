"""Images and videos uploaded once in the composer and attached to any of a post's variants."""

from __future__ import annotations

import uuid

from django.db import models

from harken.core.models import WorkspaceOwned


def media_path(instance: Media, filename: str) -> str:
    """A random name under the workspace's folder: the uploader's file name is theirs to
    choose and says nothing Harken needs (the extension comes from the checked type)."""
    extension = {
        "image/jpeg": "jpg",
        "image/png": "png",
        "image/gif": "gif",
        "image/webp": "webp",
        "video/mp4": "mp4",
        "video/quicktime": "mov",
        "video/webm": "webm",
    }
    suffix = extension.get(instance.content_type, "bin")
    return f"media/{instance.workspace_id}/{uuid.uuid4().hex}.{suffix}"


class Media(WorkspaceOwned):
    """One uploaded image or video, checked on upload: an image's type, size and
    dimensions read by Pillow, a video's type from its first bytes and, for MP4 and
    QuickTime, its dimensions and duration from its header (0 and None where unknown)."""

    file = models.FileField(upload_to=media_path, max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    #: A video's length in seconds, when its header says it cheaply; None for an image.
    duration = models.FloatField(null=True, blank=True)
    #: What the image shows, for people who cannot see it; required unless a person
    #: turns the requirement off for this image.
    alt_text = models.TextField(blank=True)
    alt_not_needed = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "media"

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")

    def __str__(self) -> str:
        return f"Media {self.pk} ({self.content_type}, {self.width}×{self.height})"
