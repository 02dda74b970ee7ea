"""Private messages of a Page (Messenger) or of the Instagram account linked to it, through
the Graph API's Conversations API, and answers to them (Send API).

Read: ``GET /{page-id}/conversations?platform=messenger|instagram`` with each conversation's
newest messages (``messages.limit(n){id,message,created_time,from,attachments}``), newest
conversation first, back to the cursor's time. Send: ``POST /{page-id}/messages`` with
``recipient.id`` (the person's Page- or Instagram-scoped id) and, on Messenger,
``messaging_type=RESPONSE``: a Page may answer only within 24 hours of the person's last
message, and Meta's refusal past that window is said in those words, as a rejection.

Permissions: Messenger needs ``pages_messaging`` (with ``pages_manage_metadata`` and
``pages_read_engagement``); Instagram ``instagram_manage_messages`` (with
``instagram_basic`` and ``pages_manage_metadata``). A Page token without them still reads
comments: the refusal is kept in the config and shown on the source (``Page.skipped``),
and messages are asked again a day later.

Messages keep their own time in the cursor (``<public items' time>|dm:<messages' time>``,
``cursor``): a conversation's ``updated_time`` and a comment's ``created_time`` move
apart (a busy conversation, messages refused for a day, then allowed), so one shared time
would make a poll skip the comments older than the newest message, or the other way round.

A message is a ``message`` item with id ``dm:<person id>/<message id>``; its
``in_reply_to`` and ``conversation_id`` are ``dm:<conversation id>``, so the inbox threads
each conversation into one private conversation, and the id tells a reply whom to send to.
Its attachments are stored as addresses under its text (``text.with_attachments``), where
the inbox finds its images.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from harken.networks.base import (
    MESSAGES_REFUSED,
    ConnectorError,
    NormalizedItem,
    Page,
    Published,
)
from harken.networks.meta import graph
from harken.networks.meta.graph import Graph, GraphError, parse_time
from harken.networks.text import with_attachments

PREFIX = "dm:"
CONVERSATIONS = 25  # conversations a page of /conversations holds
MESSAGES = 25  # the newest messages read with each conversation
MAX_PAGES = 4  # pages of conversations one poll walks back
ASK_AGAIN_AFTER = timedelta(days=1)
MESSAGE_FIELDS = "id,message,created_time,from,attachments"
FIELDS = "id,updated_time,link,participants,messages.limit({n}){{" + MESSAGE_FIELDS + "}}"
#: Meta's subcodes for "This message is sent outside of allowed window" (Messenger, Instagram).
OUTSIDE_WINDOW = frozenset({2018278, 2534022})
#: The person cannot get messages now (551), or no such person for this Page (100).
UNREACHABLE = frozenset({551, 100})
#: The longest text one message carries (Send API: 2,000 characters on Messenger;
#: 1,000 bytes of UTF-8 on Instagram).
MAX_TEXT = {"messenger": 2000, "instagram": 1000}
PERMISSIONS = {
    "messenger": "pages_messaging",
    "instagram": "instagram_manage_messages",
}


#: Between the public items' time and the messages' own in a cursor.
CURSOR_MESSAGES = "|dm:"


def is_message_id(external_id: str) -> bool:
    return external_id.startswith(PREFIX)


def split_cursor(cursor: str | None) -> tuple[datetime | None, datetime | None]:
    """The public items' time and the messages' own time in ``cursor`` (None: not read
    yet). A cursor from before messages kept their own time holds one, which serves both."""
    public, marked, messages = (cursor or "").partition(CURSOR_MESSAGES)
    since = datetime.fromisoformat(public) if public else None
    return since, datetime.fromisoformat(messages) if marked and messages else None


def fetched(
    connector: Any,
    client: Graph,
    public: list[NormalizedItem],
    skipped: list[tuple[str, str]],
    cursor: str | None,
    *,
    page_id: str,
    own_id: str,
    platform: str,
) -> Page:
    """A fetch's page: the ``public`` items (posts, comments) newer than the cursor's
    public time and, when the account reads messages (``messaging`` in its config), the
    messages newer than their own time; each time moves on by its own items only."""
    since, messages_since = split_cursor(cursor)
    fresh = _newer(public, since)
    newest = max((item.created for item in fresh), default=since)
    if connector.config.get("messaging"):
        messages_since = messages_since or since
        found, refused = read_guarded(
            connector,
            client,
            page_id=page_id,
            own_id=own_id,
            platform=platform,
            since=messages_since,
        )
        messages = _newer(found, messages_since)
        messages_since = max((item.created for item in messages), default=messages_since)
        fresh += messages
        skipped = skipped + refused
    fresh.sort(key=lambda item: item.created)
    text = newest.isoformat() if newest else ""
    if messages_since:
        text += f"{CURSOR_MESSAGES}{messages_since.isoformat()}"
    return Page(items=fresh, cursor=text or cursor, skipped=skipped)


def _newer(items: list[NormalizedItem], since: datetime | None) -> list[NormalizedItem]:
    """``items`` created at or after ``since``, each id once (a comment seen twice)."""
    unique = {item.external_id: item for item in items}.values()
    return [item for item in unique if not since or item.created >= since]


def read(
    client: Graph,
    *,
    page_id: str,
    own_id: str,
    platform: str,
    network: str,
    since: datetime | None,
) -> list[NormalizedItem]:
    """The messages created at or after ``since`` in the conversations that changed."""
    found: list[NormalizedItem] = []
    rows = client.walk(
        f"{page_id}/conversations",
        MAX_PAGES if since else 1,
        platform=platform,
        fields=FIELDS.format(n=MESSAGES),
        limit=CONVERSATIONS,
    )
    for conversation in rows:
        if since and parse_time(conversation["updated_time"]) < since:
            break  # newest first: everything from here on was read before
        person = _person(conversation, own_id)
        for message in _messages(client, conversation, since):
            found.append(_item(conversation, message, person, own_id, network))
    return found


def _messages(
    client: Graph, conversation: dict[str, Any], since: datetime | None
) -> list[dict[str, Any]]:
    """The conversation's messages at or after ``since``: the newest ones that came with
    it, and, when all of those are newer and there are more, the older pages of
    ``/{conversation}/messages`` back to ``since`` (a busy conversation between polls)."""
    nested = conversation.get("messages") or {}
    rows = graph.items(nested)
    newer = [m for m in rows if not since or parse_time(m["created_time"]) >= since]
    after = graph.next_cursor(nested)
    if since and after and len(newer) == len(rows):
        for message in client.walk(
            f"{conversation['id']}/messages",
            MAX_PAGES,
            fields=MESSAGE_FIELDS,
            limit=MESSAGES,
            after=after,
        ):
            if parse_time(message["created_time"]) < since:
                break  # newest first: the rest was read before
            newer.append(message)
    return newer


def _person(conversation: dict[str, Any], own_id: str) -> dict[str, Any]:
    """The other participant: the person the business talks with."""
    people = graph.items(conversation.get("participants") or {})
    return next((p for p in people if str(p.get("id")) != own_id), {})


def _item(
    conversation: dict[str, Any],
    message: dict[str, Any],
    person: dict[str, Any],
    own_id: str,
    network: str,
) -> NormalizedItem:
    author = message.get("from") or {}
    key = f"{PREFIX}{conversation['id']}"
    handle = str(author.get("username") or author.get("name") or author.get("id") or "")
    link = str(conversation.get("link") or "")
    return NormalizedItem(
        network=network,
        external_id=f"{PREFIX}{person.get('id') or ''}/{message['id']}",
        kind="message",
        text=with_attachments(str(message.get("message") or ""), _attachments(message)),
        created=parse_time(message["created_time"]),
        author_id=str(author.get("id") or ""),
        author_handle=handle,
        author_name=str(author.get("name") or author.get("username") or ""),
        url=f"https://www.facebook.com{link}" if link.startswith("/") else "",
        in_reply_to=key,
        conversation_id=key,
        is_own=str(author.get("id") or "") == own_id,
        raw={"conversation": conversation["id"], **message},
    )


def _attachments(message: dict[str, Any]) -> list[str]:
    """Where a message's attachments are (``attachments``: ``image_data.url`` for an
    image, ``video_data.url`` for a video, else ``file_url``); Meta's addresses are signed
    and end after a while, so the inbox shows them while they last."""
    found = []
    for attachment in graph.items(message.get("attachments") or {}):
        image = attachment.get("image_data") or {}
        video = attachment.get("video_data") or {}
        found.append(str(image.get("url") or video.get("url") or attachment.get("file_url") or ""))
    return found


def send(
    client: Graph, *, page_id: str, in_reply_to: str, text: str, platform: str, label: str
) -> Published:
    """Answer the person of ``in_reply_to`` privately, as the Page (or its Instagram
    account). Sent once: Meta has no idempotency key, and a lost answer stays "unknown"
    in the inbox for a person to check, never sent again on a guess."""
    person = in_reply_to.removeprefix(PREFIX).split("/", 1)[0]
    if not person:
        raise ConnectorError(f"{label} has no person to answer in {in_reply_to!r}.", rejected=True)
    graph.check_id(person, label)
    size = len(text.encode()) if platform == "instagram" else len(text)
    if size > MAX_TEXT[platform]:
        unit = "bytes" if platform == "instagram" else "characters"
        raise ConnectorError(
            f"A {label} message holds at most {MAX_TEXT[platform]:,} {unit}; this one has "
            f"{size:,}.",
            rejected=True,
        )
    fields: dict[str, Any] = {"recipient": {"id": person}, "message": {"text": text}}
    if platform == "messenger":
        fields["messaging_type"] = "RESPONSE"
    try:
        sent = client.post(f"{page_id}/messages", **fields)
    except ConnectorError as error:
        raise refused(error, label) from error
    return Published(external_id=f"{PREFIX}{person}/{sent['message_id']}")


def refused(error: ConnectorError, label: str) -> ConnectorError:
    """A send Meta refused for this conversation, not for the account: past the 24-hour
    window, or the person cannot be reached. Rejected, in Meta's words with what it means."""
    if not isinstance(error, GraphError) or error.rate_limited:
        return error
    if error.subcode in OUTSIDE_WINDOW:
        out = ConnectorError(
            f"{label} lets a business answer a message only within 24 hours of the person's "
            f"last message, and that window has closed: the answer was not sent. "
            f"({error.message})",
            rejected=True,
        )
    elif error.code in UNREACHABLE and not error.permanent:
        out = ConnectorError(f"{label} refused the message: {error.message}", rejected=True)
    else:
        return error
    out.__cause__ = error
    return out


def not_allowed(error: ConnectorError) -> bool:
    """Whether reading messages failed for a missing permission (the Page's comments are
    fine): a Graph permission error, which is never the token itself."""
    return (
        isinstance(error, GraphError)
        and error.code in graph.PERMISSION_CODES
        and error.code not in graph.TOKEN_CODES
    )


def refusal_words(error: ConnectorError, label: str, platform: str) -> str:
    return (
        f"{label} did not let Harken read private messages ({error.message}). Reconnect the "
        f"account and allow {PERMISSIONS[platform]} to read and answer them in the inbox."
    )


def read_guarded(
    connector: Any, client: Graph, *, page_id: str, own_id: str, platform: str, since: Any
) -> tuple[list[NormalizedItem], list[tuple[str, str]]]:
    """``read`` for a connector, unless its config says messages were refused lately; a
    permission refusal is kept in the config (``messages_refused``) and reported once."""
    refused_at = (connector.config.get(MESSAGES_REFUSED) or {}).get("at")
    if refused_at and datetime.now(UTC) - datetime.fromisoformat(refused_at) < ASK_AGAIN_AFTER:
        return [], []
    try:
        found = read(
            client,
            page_id=page_id,
            own_id=own_id,
            platform=platform,
            network=connector.network,
            since=since,
        )
    except ConnectorError as error:
        if not not_allowed(error):
            raise
        words = refusal_words(error, connector.label, platform)
        connector.config[MESSAGES_REFUSED] = {"at": datetime.now(UTC).isoformat(), "why": words}
        connector.config_changed = True
        return [], [("private messages", words)]
    if refused_at:
        connector.config.pop(MESSAGES_REFUSED, None)
        connector.config_changed = True
    return found, []
