from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from harken.api import schemas as s
from harken.api.operations import sources as ops
from harken.api.out import source_out
from harken.api.routes.common import ERRORS, Id, caller_of

router = Router(tags=["sources"])


@router.get("/sources", response={200: list[s.SourceOut], **ERRORS})
def list_sources(request: HttpRequest) -> list[s.SourceOut]:
    """Every source with its health: last success, last error, items of the last 24 h."""
    return [source_out(x) for x in ops.list_sources(caller_of(request))]


@router.get("/sources/{pk}", response={200: s.SourceOut, **ERRORS})
def get_source(request: HttpRequest, pk: Id) -> s.SourceOut:
    return source_out(ops.get_source(caller_of(request), pk))


@router.post("/sources/{pk}/pause", response={200: s.SourceOut, **ERRORS})
def pause_source(request: HttpRequest, pk: Id) -> s.SourceOut:
    """Stop reading the source (needs the authority to run sources)."""
    return source_out(ops.set_enabled(caller_of(request), pk, False))


@router.post("/sources/{pk}/resume", response={200: s.SourceOut, **ERRORS})
def resume_source(request: HttpRequest, pk: Id) -> s.SourceOut:
    return source_out(ops.set_enabled(caller_of(request), pk, True))


@router.post("/sources/{pk}/poll", response={200: s.SourceOut, **ERRORS})
def poll_source(request: HttpRequest, pk: Id) -> s.SourceOut:
    """Read the source now (accounts, feeds and searches)."""
    return source_out(ops.poll_now(caller_of(request), pk))
