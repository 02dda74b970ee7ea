"""Contacts: list and read (every member), update (responders up), import a customer CSV
(managers up, all rows or none), through ``harken.contacts``' own functions."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from harken.api.caller import Caller
from harken.api.errors import ApiError
from harken.contacts import actions
from harken.contacts.importing import ImportRefused, ImportReport, import_customers
from harken.contacts.models import Contact, Identity
from harken.core.access import access_object, scoped
from harken.core.models import Role

RESOURCE = "contacts"
MAX_LIMIT = 100
#: The largest file the API imports in one request (the page takes 20 MB; the command more).
MAX_IMPORT = 20 * 1024 * 1024


@dataclass(frozen=True)
class Page:
    items: list[Contact]
    next_after: int | None


def _rows(caller: Caller) -> QuerySet[Contact]:
    return (
        scoped(caller.request, Contact)
        .filter(merged_into=None)
        .prefetch_related(Prefetch("identities", Identity.objects.order_by("network", "handle")))
    )


def list_contacts(
    caller: Caller, q: str = "", status: str = "", after: int | None = None, limit: int = 50
) -> Page:
    """Contacts in the order they were created; ``q`` searches names, e-mails and handles
    as the Contacts page does."""
    caller.needs(RESOURCE)
    if status and status not in Contact.Status.values:
        choices = ", ".join(Contact.Status.values)
        raise ApiError(400, "invalid", f"A status is one of: {choices}.", "status")
    limit = max(1, min(limit, MAX_LIMIT))
    rows = _rows(caller)
    query = q.strip()[:100]
    if query:
        handles = Identity.objects.filter(handle__icontains=query.lower().removeprefix("@")).values(
            "contact_id"
        )
        rows = rows.filter(
            Q(name__icontains=query) | Q(emails__icontains=query.lower()) | Q(pk__in=handles)
        )
    if status:
        rows = rows.filter(status=status)
    if after is not None:
        rows = rows.filter(pk__gt=after)
    items = list(rows.order_by("pk")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return Page(items, items[-1].pk if more and items else None)


def get_contact(caller: Caller, pk: int) -> Contact:
    caller.needs(RESOURCE)
    access_object(caller.request, Contact, pk, merged_into=None)
    return _rows(caller).get(pk=pk)


def update_contact(caller: Caller, pk: int, values: dict[str, Any]) -> Contact:
    """Change name, status, tags and notes; a field left out keeps its value."""
    caller.needs(RESOURCE, write=True, role=Role.RESPONDER)
    contact = access_object(caller.request, Contact, pk, merged_into=None)
    given = {k: v for k, v in values.items() if v is not None}
    actions.do_update_contact(
        contact,
        caller.member.user,
        name=str(given.get("name", contact.name)),
        status=str(given.get("status", contact.status)),
        tags=",".join(given.get("tags", contact.tags)),
        notes=str(given.get("notes", contact.notes)),
    )
    return get_contact(caller, pk)


def import_contacts(caller: Caller, data: bytes, name: str = "api.csv") -> ImportReport:
    """Import a customer CSV: every row, or none when any row is bad (the report says
    which and why)."""
    caller.needs(RESOURCE, write=True, role=Role.MANAGER)
    if len(data) > MAX_IMPORT:
        raise ApiError(413, "too_large", "Import at most 20 MB at a time.", "file")
    try:
        report = import_customers(caller.workspace, io.BytesIO(data), name, caller.member.user)
    except ImportRefused as refused:
        raise ApiError(400, "import_refused", str(refused), "file") from None
    return report
