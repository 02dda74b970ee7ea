"""State changes of contacts. Each ``do_*`` function validates, changes, and audits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from harken.contacts.models import Contact, Distinct, Identity, Merge
from harken.core.actions import audit

#: The fields a merge may change on the contact kept, restored as they were by an undo.
KEPT_FIELDS = (
    "name",
    "emails",
    "status",
    "customer_since",
    "lifetime_value",
    "segments",
    "tags",
    "notes",
    "claimed",
)
STRENGTH: list[str] = [
    Contact.Status.NON_CUSTOMER,
    Contact.Status.PROSPECT,
    Contact.Status.CUSTOMER,
]


def clean_tags(raw: str | list[str]) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    return list(dict.fromkeys(tag.strip()[:40] for tag in items if tag.strip()))


def do_update_contact(
    contact: Contact, actor: Any, *, name: str, status: str, tags: str, notes: str
) -> Contact:
    if status not in Contact.Status.values:
        raise ValidationError(f"{status!r} is not a contact status.")
    before = {f: getattr(contact, f) for f in ("name", "status", "tags", "notes")}
    contact.name, contact.status = name.strip()[:255], status
    contact.tags, contact.notes = clean_tags(tags), notes.strip()
    changed = {f: [v, getattr(contact, f)] for f, v in before.items() if getattr(contact, f) != v}
    if changed:
        contact.save(update_fields=[*changed, "updated"])
        audit(contact.workspace, actor, "contact.update", contact, **changed)
    return contact


def _snapshot(contact: Contact) -> dict[str, Any]:
    values = {f: getattr(contact, f) for f in KEPT_FIELDS}
    since, value = values["customer_since"], values["lifetime_value"]
    values["customer_since"] = since.isoformat() if since else None
    values["lifetime_value"] = str(value) if value is not None else None
    return values


def _restore(contact: Contact, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(contact, name, value)
    since, value = values["customer_since"], values["lifetime_value"]
    contact.customer_since = date.fromisoformat(since) if since else None
    contact.lifetime_value = Decimal(value) if value is not None else None


def _combine(kept: Contact, merged: Contact) -> None:
    kept.name = kept.name or merged.name
    kept.emails = list(dict.fromkeys([*kept.emails, *merged.emails]))
    kept.status = max(kept.status, merged.status, key=STRENGTH.index)
    dates = [d for d in (kept.customer_since, merged.customer_since) if d]
    kept.customer_since = min(dates) if dates else None
    if kept.lifetime_value is None:
        kept.lifetime_value = merged.lifetime_value
    kept.segments = {**merged.segments, **kept.segments}
    kept.tags = list(dict.fromkeys([*kept.tags, *merged.tags]))
    kept.notes = "\n\n".join(n for n in (kept.notes, merged.notes) if n)
    kept.claimed = list(dict.fromkeys([*kept.claimed, *merged.claimed]))


@transaction.atomic
def do_merge(kept: Contact, merged: Contact, actor: Any, reasons: Sequence[str] = ()) -> Merge:
    """Move ``merged``'s identities to ``kept``, join what is known of both, hide ``merged``."""
    kept = Contact.objects.select_for_update().get(pk=kept.pk)
    merged = Contact.objects.select_for_update().get(pk=merged.pk)
    if kept.pk == merged.pk or kept.workspace_id != merged.workspace_id:
        raise ValidationError("A contact is merged into another contact of its workspace.")
    if kept.merged_into_id or merged.merged_into_id:
        raise ValidationError("One of these contacts has been merged already.")
    before = _snapshot(kept)
    moved = list(merged.identities.values_list("pk", flat=True))
    Identity.objects.filter(pk__in=moved).update(contact=kept)
    _combine(kept, merged)
    kept.save(update_fields=[*KEPT_FIELDS, "updated"])
    merged.merged_into = kept
    merged.save(update_fields=["merged_into", "updated"])
    merge = Merge.objects.create(
        workspace_id=kept.workspace_id,
        kept=kept,
        merged=merged,
        reasons=list(reasons),
        moved={"identities": moved, "kept_before": before},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit(kept.workspace, actor, "contact.merge", kept, merged=merged.pk, identities=moved)
    return merge


@transaction.atomic
def do_undo_merge(merge: Merge, actor: Any) -> Merge:
    """Put back what ``merge`` moved: the identities, the kept contact's own fields."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError("This merge has been undone already.")
    kept, merged = merge.kept, merge.merged
    later = Merge.objects.filter(workspace_id=merge.workspace_id, undone_at=None, pk__gt=merge.pk)
    if kept.merged_into_id or later.filter(kept=kept).exists():
        raise ValidationError("Undo the later merges of this contact first.")
    ids = merge.moved.get("identities", [])
    Identity.objects.filter(pk__in=ids, contact=kept).update(contact=merged)
    _restore(kept, merge.moved["kept_before"])
    kept.save(update_fields=[*KEPT_FIELDS, "updated"])
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated"])
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    audit(kept.workspace, actor, "contact.merge_undo", kept, merged=merged.pk, identities=ids)
    return merge


def do_mark_distinct(one: Contact, other: Contact, actor: Any) -> Distinct:
    """Record that ``one`` and ``other`` are two people: their pair is not suggested again."""
    if one.pk == other.pk or one.workspace_id != other.workspace_id:
        raise ValidationError("Two contacts of one workspace are two people or one.")
    first, second = sorted((one, other), key=lambda c: c.pk)
    row, created = Distinct.objects.get_or_create(
        workspace_id=first.workspace_id,
        first=first,
        second=second,
        defaults={"actor": actor if getattr(actor, "is_authenticated", False) else None},
    )
    if created:
        audit(first.workspace, actor, "contact.distinct", first, other=second.pk)
    return row
