"""What the API sends and accepts, as pydantic schemas (the OpenAPI schema is built from
these). Outgoing schemas are filled from model rows by the routers' ``*_out`` functions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt

Sentiment = Literal["negative", "neutral", "positive"]
Intent = Literal[
    "question", "complaint", "praise", "purchase_intent", "job_seeker", "spam", "other"
]


class AuthorOut(Schema):
    id: int
    network: str
    handle: str
    name: str
    followers: int | None


class TopicRef(Schema):
    id: int
    name: str


class MentionOut(Schema):
    id: int
    network: str
    external_id: str
    kind: str
    author: AuthorOut
    text: str
    url: str
    posted: datetime
    is_own: bool
    language: str
    sentiment: str
    intents: list[str]
    priority: int
    priority_reasons: str
    topics: list[TopicRef]
    conversation_id: int | None
    duplicate_of_id: int | None
    reshares: int


class MentionPage(Schema):
    items: list[MentionOut]
    #: Pass as ``before`` for the next page; null on the last page.
    next_before: int | None


class CorrectionIn(Schema):
    field: Literal["sentiment", "intent"]
    label: str = Field(max_length=32)


class TopicOut(Schema):
    id: int
    name: str
    kind: str
    query: str
    enabled: bool
    created: datetime
    mention_count: int


class TopicIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["brand", "competitor", "industry"] = "brand"
    query: str = Field(min_length=1, max_length=5000)
    enabled: StrictBool = True


class TopicPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    kind: Literal["brand", "competitor", "industry"] | None = None
    query: str | None = Field(default=None, min_length=1, max_length=5000)
    enabled: StrictBool | None = None


class QueryIn(Schema):
    query: str = Field(max_length=5000)


class QueryCheckOut(Schema):
    valid: bool
    message: str
    #: Where the query goes wrong, 1-based; null when it is valid.
    position: int | None


class DeletedOut(Schema):
    deleted: bool
    alert_rules_deleted: list[str]


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    network: str
    enabled: bool
    poll_interval: int
    next_poll: datetime | None
    last_success: datetime | None
    last_error: str
    last_error_at: datetime | None
    failures: int
    items_24h: int
    skipped_last_day: int


class TagOut(Schema):
    id: int
    name: str


class ConversationOut(Schema):
    id: int
    network: str
    status: str
    assignee: int | None
    subject_handle: str
    priority: int
    priority_reasons: str
    intent: str
    sentiment: str
    tags: list[TagOut]
    held: bool
    first_message_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    last_activity: datetime | None
    snoozed_until: datetime | None
    waiting_since: datetime | None


class ConversationPage(Schema):
    items: list[ConversationOut]
    #: Pass as ``after`` for the next page; null on the last page.
    next_after: str | None


class MessageOut(Schema):
    id: int
    is_note: bool
    text: str
    #: draft, held (awaiting a manager's approval), sending, sent, failed, unknown, note
    state: str
    hold_reason: str
    error: str
    url: str
    author: int | None
    created: datetime
    sent_at: datetime | None


class ThreadOut(Schema):
    conversation: ConversationOut
    mentions: list[MentionOut]
    messages: list[MessageOut]


class AssignIn(Schema):
    #: The user id of a member of the workspace; null to unassign.
    assignee: int | None


class TagIn(Schema):
    name: str = Field(min_length=1, max_length=48)


class SnoozeIn(Schema):
    #: An aware time in the future; null wakes the conversation.
    until: datetime | None


class StatusIn(Schema):
    status: Literal["new", "open", "waiting", "resolved"]


class ReplyIn(Schema):
    text: str = Field(min_length=1, max_length=20_000)
    #: An idempotency key (letters, digits, - and _, at most 64): sent again, the same
    #: reply comes back and nothing is sent twice.
    key: str = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9_-]*$")


class IdentityOut(Schema):
    network: str
    handle: str


class ContactOut(Schema):
    id: int
    name: str
    emails: list[str]
    status: str
    customer_since: date | None
    lifetime_value: str | None
    tags: list[str]
    notes: str
    segments: dict[str, str]
    identities: list[IdentityOut]
    created: datetime
    updated: datetime


class ContactPage(Schema):
    items: list[ContactOut]
    next_after: int | None


ContactStatus = Literal["customer", "prospect", "non_customer"]


class ContactPatch(Schema):
    name: str | None = Field(default=None, max_length=255)
    status: ContactStatus | None = None
    tags: list[str] | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=20_000)


class ImportOut(Schema):
    ok: bool
    created: int
    updated: int
    #: (line, reason) of each refused row; when any, nothing was imported.
    errors: list[tuple[int, str]]


class VariantOut(Schema):
    id: int
    account: int
    network: str
    handle: str
    text: str
    #: draft, awaiting_approval, scheduled, publishing, published, failed
    state: str
    scheduled_at: datetime | None
    published_at: datetime | None
    url: str
    error: str


class PostOut(Schema):
    id: int
    text: str
    persona: str
    stage: str
    category: str
    sponsored: bool
    author: int | None
    created: datetime
    variants: list[VariantOut]


class PostPage(Schema):
    items: list[PostOut]
    next_before: int | None


class PostIn(Schema):
    text: str = Field(min_length=1, max_length=20_000)
    #: The ids of the accounts to publish on (one variant each).
    accounts: list[int] = Field(min_length=1, max_length=50)
    #: A text per account id, where it differs from ``text``.
    texts: dict[str, str] = Field(default_factory=dict, max_length=50)
    at: datetime | None = None
    persona: str = Field(default="", max_length=120)
    stage: str = Field(default="awareness", max_length=16)
    category: str = Field(default="educational", max_length=24)
    sponsored: StrictBool = False
    #: Schedule it (or send it for approval) now; else it is saved as drafts.
    schedule: StrictBool = False


class CommentIn(Schema):
    comment: str = Field(default="", max_length=2000)


class FigureOut(Schema):
    key: str
    label: str
    value: float
    #: "%" for shares, "min" for times, "" for counts
    unit: str
    #: The same figure in the compared period (null: no comparison, or no data then).
    before: float | None
    note: str


class HeadlinesOut(Schema):
    first: date
    last: date
    compared_first: date | None
    compared_last: date | None
    #: What in the request could not be read, and what was shown instead.
    problems: list[str]
    figures: list[FigureOut]


class CampaignOut(Schema):
    id: int
    name: str
    slug: str
    goal: str
    starts: date | None
    ends: date | None
    #: Pledged per unique human click, in the currency's smallest unit; 0: no pledge.
    pledge_cents: int
    currency: str
    cap_cents: int
    #: The running total of pledges; it never passes the cap.
    pledged_cents: int
    #: No further click can pledge: the next pledge would cross the cap.
    cap_reached: bool
    unique_clicks: int
    link_count: int
    created: datetime


class CampaignPage(Schema):
    items: list[CampaignOut]
    next_before: int | None


#: A day as written in the API: YYYY-MM-DD (a number is no day).
DAY = r"^\d{4}-\d{2}-\d{2}$"


class CampaignIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    goal: str = Field(default="", max_length=5000)
    #: YYYY-MM-DD
    starts: str | None = Field(default=None, pattern=DAY)
    #: YYYY-MM-DD
    ends: str | None = Field(default=None, pattern=DAY)
    #: Per unique human click, in cents; 0 for a campaign without a pledge.
    pledge_cents: StrictInt = Field(default=0, ge=0, le=2_000_000_000)
    currency: str = Field(default="USD", max_length=3)
    #: Pledging stops at this total (cents); at least one pledge when there is one.
    cap_cents: StrictInt = Field(default=0, ge=0, le=999_999_999_999)


class LinkOut(Schema):
    id: int
    #: The short address's code: ``/l/<code>``.
    code: str
    short_url: str
    destination: str
    #: Where the link leads: the destination with its UTM parameters.
    target: str
    network: str
    campaign: int | None
    post: int | None
    created: datetime
    unique_clicks: int
    people_clicks: int
    bot_clicks: int


class LinkPage(Schema):
    items: list[LinkOut]
    next_before: int | None


class ClickOut(Schema):
    id: int
    link: int
    campaign: int | None
    at: datetime
    #: The UTC day of ``at``.
    day: date
    network: str
    #: The referring page's host only.
    referrer: str
    is_bot: bool
    #: A person's first click of the day on this link (only these may pledge).
    unique_of_day: bool
    pledged: bool


class ClickPage(Schema):
    items: list[ClickOut]
    next_before: int | None
