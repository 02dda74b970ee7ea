"""X direct messages (API v2): ``GET /2/dm_events`` read, answered through
``POST /2/dm_conversations/with/:participant_id/messages`` (one-to-one) or
``POST /2/dm_conversations/:dm_conversation_id/messages`` (a group).

DMs need the ``dm.read`` and ``dm.write`` scopes and an X plan that includes them; they
are read only through a token X's consent page granted ``dm.read`` to (a pasted token's
scopes are unknown). A plan
without them answers 403 with ``reason: client-not-enrolled`` (the documented "Client
Forbidden" problem); a token without the scopes answers 403 too. Neither stops the
account's mentions: the refusal is kept in the config and shown on the source
(``Page.skipped``) in words for a person, and DMs are asked again a day later. Every page of
events is counted against the workspace's X budget like posts, before it is read.

``/2/dm_events`` runs newest first and takes no ``since_id``: a poll walks pages back until
it reaches the newest event id read before (the cursor). An event is a ``message`` item
whose ``in_reply_to`` and ``conversation_id`` are its conversation's key
(``dm:<dm_conversation_id>``), so the inbox threads one conversation per DM conversation;
its id is ``dm:<dm_conversation_id>/<event id>``, which is what a reply needs. Its media
(``attachments.media_keys``, expanded) are stored as addresses under its text
(``text.with_attachments``), where the inbox finds its images.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import tweepy

from harken.networks.base import ConnectorError, NormalizedItem, Published
from harken.networks.text import with_attachments
from harken.networks.x import budget

if TYPE_CHECKING:
    from harken.networks.x.connector import X

PREFIX = "dm:"
PAGE = 100  # the most /2/dm_events gives at once
MAX_PAGES = 5  # how far back one poll walks
FIND_PAGES = 2  # how far back a lost send is looked for (it was claimed minutes ago)
_LINK = re.compile(r"https?://\S+")
ASK_AGAIN_AFTER = timedelta(days=1)
EVENT_FIELDS = ["id", "text", "event_type", "created_at", "dm_conversation_id", "sender_id"]
PLAN_WORDS = (
    "Your X plan does not include direct messages, so Harken cannot read or answer them "
    "(X said: {said}). Mentions and replies still work."
)
RECONNECT_WORDS = (
    "This X account was connected without direct messages: connect it again and allow them "
    "(dm.read, dm.write) to read and answer them in the inbox."
)
SCOPE_WORDS = (
    "X did not let Harken read direct messages (X said: {said}). Connect the account again "
    "and allow direct messages (dm.read, dm.write)."
)


def is_dm_id(external_id: str) -> bool:
    return external_id.startswith(PREFIX)


def conversation_key(conversation: str) -> str:
    return f"{PREFIX}{conversation}"


def read(connector: X, after: str | None) -> tuple[list[NormalizedItem], str | None]:
    """Message events newer than ``after`` (the newest event id read), oldest first, and
    the new ``after``. Raises ``ConnectorError`` (``refused`` tells a plan or scope one)."""
    items: list[NormalizedItem] = []
    token: str | None = None
    newest = after
    for _ in range(MAX_PAGES if after else 1):
        body = _page(connector, token)
        includes = body.get("includes") or {}
        users = {u["id"]: u for u in includes.get("users") or []}
        media = {m["media_key"]: m for m in includes.get("media") or [] if m.get("media_key")}
        events = body.get("data") or []
        fresh = [e for e in events if not after or _order(e["id"]) > _order(after)]
        items += [
            _item(connector, e, users, media)
            for e in fresh
            if e.get("event_type") == "MessageCreate"
        ]
        if fresh:
            top = max((e["id"] for e in fresh), key=_order)
            newest = top if not newest or _order(top) > _order(newest) else newest
        token = (body.get("meta") or {}).get("next_token")
        if not token or len(fresh) < len(events):
            break
    items.sort(key=lambda item: (item.created, _order(item.external_id.rsplit("/", 1)[-1])))
    return items, newest


def _page(connector: X, token: str | None, **where: str) -> dict[str, Any]:
    """One page of events (all conversations, or ``where``'s one), paid for first."""
    if connector.workspace_id is None:
        raise ConnectorError("X reads need a workspace to count their cost against.")
    reservation = budget.reserve(connector.workspace_id, 1, PAGE)
    params: dict[str, Any] = {
        "max_results": reservation.max_results,
        "dm_event_fields": EVENT_FIELDS,
        "event_types": "MessageCreate",
        "expansions": ["sender_id", "attachments.media_keys"],
        "user_fields": ["username", "name", "public_metrics"],
        "media_fields": ["url", "type", "preview_image_url"],
    }
    if token:
        params["pagination_token"] = token
    try:
        body: dict[str, Any] = connector._call(
            connector.client.get_direct_message_events,
            user_auth=connector.user_auth,
            **where,
            **params,
        )
    except ConnectorError as error:
        budget.release(reservation)
        raise refused(error) from error.__cause__
    except BaseException:
        budget.release(reservation)
        raise
    users = (body.get("includes") or {}).get("users") or []
    budget.settle(reservation, posts=len(body.get("data") or []), users=len(users))
    return body


def _item(
    connector: X, event: dict[str, Any], users: dict[str, Any], media: dict[str, Any]
) -> NormalizedItem:
    sender = str(event.get("sender_id") or "")
    keys = (event.get("attachments") or {}).get("media_keys") or []
    # A photo has its ``url``; a video or GIF only its still (``preview_image_url``).
    files = [media[k].get("url") or media[k].get("preview_image_url") for k in keys if k in media]
    author = users.get(sender) or {}
    key = conversation_key(str(event["dm_conversation_id"]))
    created = event.get("created_at")
    return NormalizedItem(
        network=connector.network,
        external_id=f"{key}/{event['id']}",
        kind="message",
        text=with_attachments(event.get("text") or "", files),
        created=_time(created) if created else _from_id(event["id"]),
        author_id=sender,
        author_handle=author.get("username") or sender,
        author_name=author.get("name") or "",
        author_followers=(author.get("public_metrics") or {}).get("followers_count"),
        url=f"https://x.com/messages/{event['dm_conversation_id']}",
        in_reply_to=key,
        conversation_id=key,
        is_own=bool(connector.config.get("user_id"))
        and sender == str(connector.config.get("user_id")),
        raw=event,
    )


def send(connector: X, in_reply_to: str, text: str) -> Published:
    """Send ``text`` into the DM conversation of ``in_reply_to``: to the other person of a
    one-to-one conversation (its id is ``<user id>-<user id>``), else to the group."""
    conversation = in_reply_to.removeprefix(PREFIX).split("/", 1)[0]
    if not conversation:
        raise ConnectorError(f"Not an X direct message: {in_reply_to!r}.", rejected=True)
    own = str(connector.config.get("user_id") or "")
    people = conversation.split("-")
    others = [p for p in people if p != own]
    target: dict[str, str]
    if len(people) == 2 and len(others) == 1 and others[0].isdigit():
        target = {"participant_id": others[0]}
    else:
        target = {"dm_conversation_id": conversation}
    try:
        body = connector._call(
            connector.client.create_direct_message,
            text=text,
            user_auth=connector.user_auth,
            **target,
        )
    except ConnectorError as error:
        raise refused(error, sending=True) from error.__cause__
    if connector.workspace_id is not None:
        budget.record_create(connector.workspace_id)
    data = body.get("data") or {}
    conversation = str(data.get("dm_conversation_id") or conversation)
    return Published(
        external_id=f"{conversation_key(conversation)}/{data['dm_event_id']}",
        url=f"https://x.com/messages/{conversation}",
    )


def find_sent(connector: X, in_reply_to: str, text: str, since: datetime) -> Published | None:
    """Our message ``text`` in the conversation of ``in_reply_to``, sent at or after
    ``since``, or None: X takes no idempotency key for DMs, so a send a crash cut short is
    looked up among the conversation's newest events
    (``GET /2/dm_conversations/:id/dm_events``) before it is sent again. X shortens links
    to t.co in what it keeps, so texts are compared with every link as one mark."""
    conversation = in_reply_to.removeprefix(PREFIX).split("/", 1)[0]
    own = str(connector.config.get("user_id") or "")
    wanted = _comparable(text)
    token: str | None = None
    for _ in range(FIND_PAGES):
        body = _page(connector, token, dm_conversation_id=conversation)
        for event in body.get("data") or []:
            created = _time(event["created_at"]) if event.get("created_at") else None
            created = created or _from_id(event["id"])
            if created < since:
                return None  # newest first: the rest was there before the claim
            if str(event.get("sender_id")) == own and _comparable(event.get("text")) == wanted:
                key = conversation_key(str(event.get("dm_conversation_id") or conversation))
                return Published(
                    external_id=f"{key}/{event['id']}",
                    url=f"https://x.com/messages/{key.removeprefix(PREFIX)}",
                )
        token = (body.get("meta") or {}).get("next_token")
        if not token:
            return None
    return None


def _comparable(text: Any) -> str:
    return " ".join(_LINK.sub("<link>", str(text or "")).split())


def refused(error: ConnectorError, sending: bool = False) -> ConnectorError:
    """A 403 on a DM call is the plan's or the token's scopes, or (sending) the other
    person not taking our messages: never the account's login, which mentions use fine.
    It keeps X's words, said for a person, and is not permanent."""
    cause = error.__cause__
    if not isinstance(cause, tweepy.Forbidden):
        if sending and isinstance(cause, tweepy.BadRequest):
            out = ConnectorError(f"X refused the message: {_words(cause)}", rejected=True)
            out.__cause__ = cause
            return out
        return error
    said = _words(cause)
    if _reason(cause) == "client-not-enrolled":
        out = ConnectorError(PLAN_WORDS.format(said=said), rejected=sending)
    elif sending and "scope" not in said.lower():
        out = ConnectorError(f"X refused the message: {said}", rejected=True)
    else:
        out = ConnectorError(SCOPE_WORDS.format(said=said), rejected=sending)
    out.__cause__ = cause
    return out


def is_refusal(error: ConnectorError) -> bool:
    """Whether ``error`` from reading says DMs are not for this plan or token."""
    return isinstance(error.__cause__, tweepy.Forbidden)


def _reason(exc: tweepy.HTTPException) -> str:
    try:
        body = exc.response.json()
    except ValueError:
        return ""
    return str(body.get("reason") or "") if isinstance(body, dict) else ""


def _words(exc: tweepy.HTTPException) -> str:
    from harken.networks.x.connector import _network_words

    return _network_words(exc)


def _order(event_id: str) -> tuple[int, str]:
    return (len(event_id), event_id)  # snowflake ids: compare as numbers


def _time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _from_id(event_id: str) -> datetime:
    from harken.networks.x.connector import created_from_id

    return created_from_id(event_id)
