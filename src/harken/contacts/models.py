"""Contacts: one person's identities across networks (Chatwoot's Contact → Identity).

An ``Identity`` is a handle on one network, unique per workspace; it points at the
listening ``Author`` seen there once Harken has heard from it (contacts know listening,
never the reverse). A ``Merge`` keeps what moved, so that a merge can be undone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from harken.core.models import Workspace, WorkspaceOwned


class Contact(WorkspaceOwned):
    """A person (or company) the business hears from, with what the business knows of them."""

    class Status(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        PROSPECT = "prospect", "Prospect"
        NON_CUSTOMER = "non_customer", "Non-customer"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=255, blank=True)
    #: Lower-cased addresses, the first one the main address.
    emails = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NON_CUSTOMER)
    customer_since = models.DateField(null=True, blank=True)
    lifetime_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    #: Free-form facts from a customer import, e.g. {"age band": "25-34", "plan": "gold"}.
    segments = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    #: "network:handle" pairs a customer import gave for this person but that another
    #: contact already holds: each one is a merge suggestion.
    claimed = models.JSONField(default=list, blank=True)
    #: Set while this contact is merged into another (and hidden); cleared by an undo.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "name"], name="contact_by_name")]

    def __str__(self) -> str:
        return self.name or (self.emails[0] if self.emails else f"Contact {self.pk}")

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""


class Identity(WorkspaceOwned):
    """A handle on one network, for one contact; ``author`` once Harken has heard from it."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    network = models.CharField(max_length=32)
    #: Lower case, without a leading "@" (see ``harken.contacts.handles.clean_handle``).
    handle = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    author = models.OneToOneField(
        "listening.Author",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_identity",
    )
    #: The profile's own words (attacker-controlled): links and e-mails in it suggest merges.
    bio = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["network", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "handle"], name="one_identity_per_handle"
            )
        ]

    def __str__(self) -> str:
        return f"@{self.handle} on {self.network}"


class Merge(WorkspaceOwned):
    """One confirmed merge of ``merged`` into ``kept``, and what moved: enough to undo it."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kept = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges_kept")
    merged = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges_in")
    reasons = models.JSONField(default=list, blank=True)
    #: {"identities": [pk, ...], "kept_before": {field: value, ...}}
    moved = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["workspace", "-created"], name="merge_history")]

    def __str__(self) -> str:
        return f"{self.merged_id} into {self.kept_id}"


class Distinct(WorkspaceOwned):
    """Two contacts a person said are not the same person: never suggested again."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    #: The pair in order of primary key, so that one row covers both ways round.
    first = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="one_distinct_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.first_id} is not {self.second_id}"


class LinkWatermark(models.Model):
    """The highest author id the queue's linking sweep has given a contact (one row):
    each sweep reads only authors stored since (``harken.contacts.linking``)."""

    author_id = models.BigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"authors linked up to {self.author_id}"
