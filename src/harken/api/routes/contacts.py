from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Query, Router
from ninja.files import UploadedFile

from harken.api import schemas as s
from harken.api.errors import Error
from harken.api.operations import contacts as ops
from harken.api.out import contact_out
from harken.api.routes.common import ERRORS, MAX_ID, Id, caller_of

router = Router(tags=["contacts"])


@router.get("/contacts", response={200: s.ContactPage, **ERRORS})
def list_contacts(
    request: HttpRequest,
    q: str = Query("", max_length=100),
    status: s.ContactStatus | None = None,
    after: int | None = Query(None, ge=0, le=MAX_ID),
    limit: int = Query(50, ge=1, le=100),
) -> s.ContactPage:
    page = ops.list_contacts(caller_of(request), q, status or "", after, limit)
    return s.ContactPage(items=[contact_out(c) for c in page.items], next_after=page.next_after)


# Before /contacts/{pk}: the first route whose pattern matches the address is taken.
@router.post("/contacts/import", response={200: s.ImportOut, 413: Error, **ERRORS})
def import_contacts(request: HttpRequest, file: File[UploadedFile]) -> s.ImportOut:
    """Import a customer CSV (managers up): every row or, when any row is bad, none; the
    report's ``errors`` say which line and why."""
    data = file.read(ops.MAX_IMPORT + 1)
    report = ops.import_contacts(caller_of(request), data, file.name or "api.csv")
    return s.ImportOut(
        ok=report.ok, created=report.created, updated=report.updated, errors=report.errors
    )


@router.get("/contacts/{pk}", response={200: s.ContactOut, **ERRORS})
def get_contact(request: HttpRequest, pk: Id) -> s.ContactOut:
    return contact_out(ops.get_contact(caller_of(request), pk))


@router.patch("/contacts/{pk}", response={200: s.ContactOut, **ERRORS})
def update_contact(request: HttpRequest, pk: Id, body: s.ContactPatch) -> s.ContactOut:
    return contact_out(ops.update_contact(caller_of(request), pk, body.dict()))
