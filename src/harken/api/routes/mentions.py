from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import Field

from harken.api import schemas as s
from harken.api.operations import mentions as ops
from harken.api.out import mention_data, mention_out
from harken.api.routes.common import ERRORS, MAX_ID, Id, caller_of

router = Router(tags=["mentions"])
DAY = r"^\d{4}-\d{2}-\d{2}$"


class MentionFilters(Schema):
    q: str = Field(default="", max_length=200, description='Words, "phrases", -excluded')
    topic: int | None = Field(default=None, ge=1)
    network: str = Field(default="", max_length=32)
    sentiment: s.Sentiment | None = None
    intent: s.Intent | None = None
    language: str = Field(default="", max_length=8)
    author: int | None = Field(default=None, ge=1)
    # Days as text: the stream's form reads them (and says what is wrong with one).
    since: str | None = Field(default=None, pattern=DAY, description="YYYY-MM-DD")
    until: str | None = Field(default=None, pattern=DAY, description="YYYY-MM-DD")
    reshares: bool = Field(default=False, description="List re-shares one by one")


@router.get("/mentions", response={200: s.MentionPage, **ERRORS})
def list_mentions(
    request: HttpRequest,
    filters: Query[MentionFilters],
    before: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(50, ge=1, le=100),
) -> JsonResponse:
    """Mentions newest first, with the stream's filters and search; pages by ``before``."""
    caller = caller_of(request)
    page = ops.list_mentions(caller, filters.dict(), before, limit)
    # Sent as built (``MentionPage``'s shape, which schemathesis checks): validating 100
    # mentions again through the schema doubled the time of a page.
    body = {"items": [mention_data(m) for m in page.items], "next_before": page.next_before}
    return JsonResponse(body, encoder=NinjaJSONEncoder)


@router.get("/mentions/{pk}", response={200: s.MentionOut, **ERRORS})
def get_mention(request: HttpRequest, pk: Id) -> s.MentionOut:
    caller = caller_of(request)
    return mention_out(ops.get_mention(caller, pk))


@router.post("/mentions/{pk}/correction", response={200: s.MentionOut, **ERRORS})
def correct_mention(request: HttpRequest, pk: Id, body: s.CorrectionIn) -> s.MentionOut:
    """Correct the sentiment or intent (responders up); the analysis learns from it."""
    caller = caller_of(request)
    return mention_out(ops.correct_mention(caller, pk, body.field, body.label))
