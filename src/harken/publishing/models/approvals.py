"""Approvals: what approvers and clients say about a post, and the links clients use."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from harken.core.models import WorkspaceOwned
from harken.publishing.models.posts import Post, Variant


class ApprovalComment(WorkspaceOwned):
    """A remark on a post (or one of its variants) while it is reviewed: by a member, or
    by a client through a review link (``client_name``, then ``author`` is empty)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    variant = models.ForeignKey(
        Variant, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_name = models.CharField(max_length=120, blank=True)
    text = models.TextField()
    #: What the remark came with: "" (a plain comment), "approved", "sent_back".
    decision = models.CharField(max_length=16, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on post {self.post_id}"

    @property
    def by(self) -> str:
        """Who wrote it, in words."""
        if self.client_name:
            return f"{self.client_name} (client)"
        if self.author is not None:
            return self.author.user.get_username()
        return "A former member"


class ReviewLink(WorkspaceOwned):
    """A client's way in to one post, without an account. The link carries a signed
    token (``django.core.signing``, with the post and a random nonce); only the nonce's
    hash is kept here, so a stolen database does not open previews, and revoking or
    expiring the row closes the link whatever its signature says."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="review_links")
    nonce_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        "core.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    revoked = models.DateTimeField(null=True, blank=True)
    #: The client's last answer through this link, for the post page.
    answered = models.DateTimeField(null=True, blank=True)
    answered_by = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Review link {self.pk} for post {self.post_id}"

    @property
    def is_open(self) -> bool:
        return self.revoked is None and self.expires > timezone.now()
