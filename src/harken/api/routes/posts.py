from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from harken.api import schemas as s
from harken.api.operations import posts as ops
from harken.api.out import post_out
from harken.api.routes.common import ERRORS, MAX_ID, WRITE_ERRORS, Id, caller_of

router = Router(tags=["posts"])


@router.get("/posts", response={200: s.PostPage, **ERRORS})
def list_posts(
    request: HttpRequest,
    before: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(25, ge=1, le=100),
) -> s.PostPage:
    """Posts newest first, each with its variants and their states."""
    page = ops.list_posts(caller_of(request), before, limit)
    return s.PostPage(items=[post_out(p) for p in page.items], next_before=page.next_before)


@router.post("/posts", response={201: s.PostOut, **WRITE_ERRORS})
def create_post(request: HttpRequest, body: s.PostIn) -> Status:
    """Compose a post (responders up). With ``schedule`` it is scheduled at ``at`` after
    the network's rules and the guidelines, or, when the member's posts need approval,
    waits for an approver (``awaiting_approval``). A refusal is a 409 naming each rule."""
    values = body.dict()
    post = ops.compose(caller_of(request), values, schedule=values.pop("schedule"))
    return Status(201, post_out(post))


@router.get("/posts/{pk}", response={200: s.PostOut, **ERRORS})
def get_post(request: HttpRequest, pk: Id) -> s.PostOut:
    """The post and where each variant is: draft → awaiting approval → scheduled →
    publishing → published, or failed."""
    return post_out(ops.get_post(caller_of(request), pk))


@router.post("/posts/{pk}/submit", response={200: s.PostOut, **WRITE_ERRORS})
def submit_post(request: HttpRequest, pk: Id) -> s.PostOut:
    return post_out(ops.submit(caller_of(request), pk))


@router.post("/posts/{pk}/approve", response={200: s.PostOut, **WRITE_ERRORS})
def approve_post(request: HttpRequest, pk: Id, body: s.CommentIn) -> s.PostOut:
    """Approve what awaits approval (managers and owners): scheduled after the same
    checks as scheduling."""
    return post_out(ops.approve(caller_of(request), pk, body.comment))


@router.post("/posts/{pk}/send-back", response={200: s.PostOut, **WRITE_ERRORS})
def send_back_post(request: HttpRequest, pk: Id, body: s.CommentIn) -> s.PostOut:
    return post_out(ops.send_back(caller_of(request), pk, body.comment))
