"""Streaming exports of mentions, conversations, contacts and posts (CSV or JSON Lines)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from ninja import Query, Router

from harken.api import exports
from harken.api.operations import mentions as mention_ops
from harken.api.routes.common import ERRORS, caller_of
from harken.api.routes.conversations import View
from harken.api.routes.mentions import MentionFilters
from harken.contacts.models import Contact
from harken.core.access import scoped
from harken.inbox.models import Conversation
from harken.inbox.views import view_filters
from harken.publishing.models import Variant

router = Router(tags=["exports"])

#: The responses an export documents: the file, in either format.
FILE: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The rows, streamed.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    }
}

MENTION_COLUMNS = {
    "id": "pk",
    "network": "network",
    "external_id": "external_id",
    "kind": "kind",
    "author_handle": "author__handle",
    "author_name": "author__name",
    "text": "text",
    "url": "url",
    "posted": "posted",
    "language": "language",
    "sentiment": "sentiment",
    "intents": "intents",
    "priority": "priority",
    "conversation_id": "conversation_id",
}
CONVERSATION_COLUMNS = {
    "id": "pk",
    "network": "network",
    "status": "status",
    "subject_handle": "subject_handle",
    "assignee": "assignee__username",
    "priority": "priority",
    "intent": "intent",
    "sentiment": "sentiment",
    "first_message_at": "first_message_at",
    "first_response_at": "first_response_at",
    "resolved_at": "resolved_at",
    "last_activity": "last_activity",
}
VARIANT_COLUMNS = {
    "post_id": "post_id",
    "variant_id": "pk",
    "network": "account__network",
    "account": "account__handle",
    "category": "post__category",
    "stage": "post__stage",
    "text": "text",
    "state": "state",
    "scheduled_at": "scheduled_at",
    "published_at": "published_at",
    "url": "url",
    "error": "error",
}
CONTACT_COLUMNS = {
    "id": "pk",
    "name": "name",
    "emails": "emails",
    "status": "status",
    "customer_since": "customer_since",
    "lifetime_value": "lifetime_value",
    "tags": "tags",
    "notes": "notes",
    "created": "created",
}


@router.get("/exports/mentions.{fmt}", response=ERRORS, openapi_extra=FILE)
def export_mentions(
    request: HttpRequest, fmt: exports.Format, filters: Query[MentionFilters]
) -> StreamingHttpResponse:
    """Every mention the filters keep, newest first (``fmt``: csv or jsonl)."""
    caller = caller_of(request)
    caller.needs("mentions")
    rows = mention_ops.filtered(caller, filters.dict()).order_by("-posted", "-id")
    return exports.stream("mentions", fmt, MENTION_COLUMNS, rows)


@router.get("/exports/conversations.{fmt}", response=ERRORS, openapi_extra=FILE)
def export_conversations(
    request: HttpRequest, fmt: exports.Format, view: View = "all"
) -> StreamingHttpResponse:
    caller = caller_of(request)
    caller.needs("conversations")
    rows = scoped(caller.request, Conversation).filter(
        view_filters(caller.member.user, timezone.now())[view]
    )
    return exports.stream("conversations", fmt, CONVERSATION_COLUMNS, rows.order_by("pk"))


@router.get("/exports/contacts.{fmt}", response=ERRORS, openapi_extra=FILE)
def export_contacts(request: HttpRequest, fmt: exports.Format) -> StreamingHttpResponse:
    caller = caller_of(request)
    caller.needs("contacts")
    rows = scoped(caller.request, Contact).filter(merged_into=None).order_by("pk")
    return exports.stream("contacts", fmt, CONTACT_COLUMNS, rows)


@router.get("/exports/posts.{fmt}", response=ERRORS, openapi_extra=FILE)
def export_posts(request: HttpRequest, fmt: exports.Format) -> StreamingHttpResponse:
    """Every variant of every post (one row each), newest post first."""
    caller = caller_of(request)
    caller.needs("posts")
    rows = scoped(caller.request, Variant).order_by("-post_id", "pk")
    return exports.stream("posts", fmt, VARIANT_COLUMNS, rows)
