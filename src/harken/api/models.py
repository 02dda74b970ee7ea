"""Personal access tokens: a member's key to the API, with scopes, stored hashed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from harken.core.models import Member, Workspace

#: What a token may reach; each resource has a read and a write scope.
RESOURCES = (
    "mentions",
    "topics",
    "sources",
    "conversations",
    "contacts",
    "posts",
    "campaigns",
    "analytics",
)


def scope_name(resource: str, write: bool) -> str:
    return f"{resource}:{'write' if write else 'read'}"


ALL_SCOPES = tuple(scope_name(r, w) for r in RESOURCES for w in (False, True))


class Token(models.Model):
    """One personal access token. The secret is shown once, at creation; only its SHA-256
    is kept (a high-entropy secret needs no slow hash: nothing can be guessed from it).

    A token acts as its member, with the member's role and authority as they are at each
    request, narrowed by its scopes: a scope never grants what the role cannot do.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    #: The secret's first characters, to tell tokens apart in lists and logs.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked is None and (self.expires is None or self.expires > timezone.now())

    def allows(self, resource: str, write: bool) -> bool:
        """Whether the scopes reach ``resource`` for reading or writing (write includes read)."""
        scopes = set(self.scopes or [])
        return scope_name(resource, True) in scopes or (
            not write and scope_name(resource, False) in scopes
        )


# Outgoing webhooks keep their models in their own package; Django finds them here.
from harken.api.webhooks.models import Delivery, Endpoint  # noqa: E402, F401
