from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from harken.api import schemas as s
from harken.api.operations import topics as ops
from harken.api.out import topic_out
from harken.api.routes.common import ERRORS, MAX_ID, WRITE_ERRORS, Id, caller_of

router = Router(tags=["topics"])
RuleId = Annotated[int, Field(ge=1, le=MAX_ID)]


@router.get("/topics", response={200: list[s.TopicOut], **ERRORS})
def list_topics(request: HttpRequest) -> list[s.TopicOut]:
    return [topic_out(t) for t in ops.list_topics(caller_of(request))]


@router.post("/topics", response={201: s.TopicOut, **WRITE_ERRORS})
def create_topic(request: HttpRequest, body: s.TopicIn) -> Status:
    """Create a topic (managers up). A query that does not parse is a 400 with code
    ``invalid_query`` and the ``position`` where it goes wrong."""
    return Status(201, topic_out(ops.create_topic(caller_of(request), body.dict())))


@router.post("/topics/validate", response={200: s.QueryCheckOut, **ERRORS})
def validate_query(request: HttpRequest, body: s.QueryIn) -> s.QueryCheckOut:
    """Check a query without saving it: what is wrong and where (1-based)."""
    found = ops.check_query(caller_of(request), body.query)
    return s.QueryCheckOut(valid=found.valid, message=found.message, position=found.position)


@router.get("/topics/{pk}", response={200: s.TopicOut, **ERRORS})
def get_topic(request: HttpRequest, pk: Id) -> s.TopicOut:
    return topic_out(ops.get_topic(caller_of(request), pk))


@router.patch("/topics/{pk}", response={200: s.TopicOut, **WRITE_ERRORS})
def update_topic(request: HttpRequest, pk: Id, body: s.TopicPatch) -> s.TopicOut:
    values = body.dict(exclude_none=True)
    return topic_out(ops.update_topic(caller_of(request), pk, values))


@router.delete("/topics/{pk}", response={200: s.DeletedOut, **WRITE_ERRORS})
def delete_topic(
    request: HttpRequest,
    pk: Id,
    with_rules: list[RuleId] = Query([], max_length=100),  # noqa: B008
) -> s.DeletedOut:
    """Delete a topic; its mentions stay. When alert rules watch it the answer is a 409
    naming them; send their ids as ``with_rules`` to delete them with it."""
    names = ops.delete_topic(caller_of(request), pk, with_rules)
    return s.DeletedOut(deleted=True, alert_rules_deleted=names)
