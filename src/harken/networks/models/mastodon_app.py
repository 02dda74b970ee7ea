from __future__ import annotations

from django.db import models

from harken.core.fields import EncryptedJSONField


class MastodonApp(models.Model):
    """Harken's OAuth app on one Mastodon server, registered once and shared by every
    workspace that connects an account there (a server knows one app per installation)."""

    instance = models.CharField(
        max_length=255, unique=True, help_text="Base URL, e.g. https://mastodon.social"
    )
    client_id = models.CharField(max_length=255)
    client_secret = EncryptedJSONField(help_text="The app's client secret, encrypted at rest.")
    redirect_uri = models.CharField(
        max_length=2000, help_text="The callback the app was registered with."
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instance"]

    def __str__(self) -> str:
        return self.instance
