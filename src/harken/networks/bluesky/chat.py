"""Bluesky chat: the account's direct messages (``chat.bsky.convo.*``), read and answered.

Chat is not served by the PDS itself: each call goes to the PDS with the
``atproto-proxy: did:web:api.bsky.chat#bsky_chat`` header and the PDS forwards it to
Bluesky's chat service. An app password reaches chat only when it was made with "Allow
access to your direct messages"; "Sign in with Bluesky" needs the
``transition:chat.bsky`` scope. Without either, the chat service refuses and the rest of
the account (mentions, replies, posting) keeps working: the refusal is reported on the
source (``Page.skipped``), never as a reconnect.

A conversation is one ``convo``: every message of it is a ``message`` item whose
``in_reply_to`` and ``conversation_id`` are the convo's key (``chat:<convoId>``), so the
inbox threads them into one private conversation; an item's id is
``chat:<convoId>/<messageId>``, which is all a reply needs to find the convo again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from atproto import Client, models
from atproto_client.models.utils import get_model_as_dict

from harken.networks.base import ConnectorError, NormalizedItem, Published
from harken.networks.text import with_attachments

if TYPE_CHECKING:
    from harken.networks.bluesky.connector import Bluesky

#: The grants that reach chat: the OAuth scope, and an app password's session scope
#: when it was made with “Allow access to your direct messages” (or the main password's).
OAUTH_SCOPE = "transition:chat.bsky"
SESSION_SCOPES = frozenset({"com.atproto.appPassPrivileged", "com.atproto.access"})
PROXY = {"atproto-proxy": "did:web:api.bsky.chat#bsky_chat"}
PREFIX = "chat:"
PAGE = 100  # the most listConvos and getMessages give at once
MAX_PAGES = 5  # how far back one poll walks the convos, and a busy conversation
FIRST_CONVOS = 25  # the convos a first poll reads
#: A reply whose text we already sent into the convo this recently is that reply (a
#: retry after a lost answer): chat has no idempotency key of its own.
SAME_REPLY_WITHIN = timedelta(hours=1)
#: After chat refused the login, how long before it is asked again.
ASK_AGAIN_AFTER = timedelta(days=1)
#: What the chat service or the PDS answers when the login may not read chat.
#: (The PDS says "Bad token method" to an app password made without chat access.)
NO_ACCESS = ("bad token scope", "bad token method", "transition:chat.bsky")
NO_ACCESS_NAMES = {"InsufficientScope", "ScopeMissingError"}
NO_ACCESS_WORDS = (
    "Bluesky did not let Harken read direct messages ({said}). To read them, connect the "
    "account with an app password made with “Allow access to your direct messages”, or "
    "sign in with Bluesky again."
)


def is_chat_id(external_id: str) -> bool:
    return external_id.startswith(PREFIX)


def convo_key(convo_id: str) -> str:
    return f"{PREFIX}{convo_id}"


def convo_of(external_id: str) -> str:
    """The convo id in ``chat:<convoId>`` or ``chat:<convoId>/<messageId>``."""
    convo = external_id.removeprefix(PREFIX).split("/", 1)[0]
    if not convo:
        raise ConnectorError(f"Not a Bluesky chat message: {external_id!r}.", rejected=True)
    return convo


def read(connector: Bluesky, since: str | None) -> tuple[list[NormalizedItem], str | None]:
    """Messages sent after ``since`` (an ISO time, the newest read before) in every
    conversation that changed, oldest first, and the new ``since``. listConvos runs by
    each convo's latest activity, newest first: a page with no newer message ends the walk."""
    after = _time(since) if since else None
    items: list[NormalizedItem] = []
    cursor: str | None = None
    # A first poll reads the latest convos only, not the account's whole history.
    for _ in range(MAX_PAGES if after else 1):
        params = models.ChatBskyConvoListConvos.Params(
            limit=PAGE if after else FIRST_CONVOS, cursor=cursor
        )
        page = _chat(connector, "list_convos", params)
        quiet = 0
        for convo in page.convos:
            view = get_model_as_dict(convo)
            last = view.get("lastMessage") or {}
            if not last or (after and _time(last["sentAt"]) <= after):
                # Nothing new here. Not the end of the walk: a reaction or a read moves a
                # convo up without a new message, so a quiet one can sit above a busy one.
                quiet += 1
                continue
            items += _messages(connector, view, after)
        cursor = page.cursor
        if not cursor or quiet == len(page.convos):
            break
    items.sort(key=lambda item: (item.created, item.external_id))
    newest = max((item.created for item in items), default=after)
    return items, newest.isoformat() if newest else since


def _messages(
    connector: Bluesky, convo: dict[str, Any], after: datetime | None
) -> list[NormalizedItem]:
    members = {m["did"]: m for m in convo.get("members") or []}
    found: list[NormalizedItem] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES if after else 1):
        params = models.ChatBskyConvoGetMessages.Params(
            convo_id=convo["id"], limit=PAGE, cursor=cursor
        )
        page = _chat(connector, "get_messages", params)
        views = [get_model_as_dict(m) for m in page.messages]
        newer = [v for v in views if not after or _time(v["sentAt"]) > after]
        # A deleted message has no text: nothing to read or answer.
        found += [_item(connector, convo, members, v) for v in newer if "text" in v]
        cursor = page.cursor
        if not cursor or len(newer) < len(views):
            break
    return found


def _item(
    connector: Bluesky, convo: dict[str, Any], members: dict[str, Any], view: dict[str, Any]
) -> NormalizedItem:
    sender = (view.get("sender") or {}).get("did", "")
    profile = members.get(sender) or {}
    key = convo_key(convo["id"])
    return NormalizedItem(
        network=connector.network,
        external_id=f"{key}/{view['id']}",
        kind="message",
        text=with_attachments(view.get("text") or "", [_embedded_post(view.get("embed"))]),
        created=_time(view["sentAt"]),
        author_id=sender,
        author_handle=profile.get("handle") or sender,
        author_name=profile.get("displayName") or "",
        url=f"https://bsky.app/messages/{convo['id']}",
        in_reply_to=key,
        conversation_id=key,
        is_own=bool(connector.config.get("did")) and sender == connector.config.get("did"),
        raw={"convo": convo["id"], **view},
    )


def _embedded_post(embed: Any) -> str:
    """The web address of the post a message shares (its ``embed``, a record view: chat
    carries no images of its own), or "" for none. A post that was deleted or is blocked
    still names its ``uri``."""
    record = (embed or {}).get("record") if isinstance(embed, dict) else None
    uri = str((record or {}).get("uri") or "")
    did, _, rest = uri.removeprefix("at://").partition("/")
    collection, _, rkey = rest.partition("/")
    if not did or collection != "app.bsky.feed.post" or not rkey:
        return ""
    author = (record or {}).get("author") or {}
    return f"https://bsky.app/profile/{author.get('handle') or did}/post/{rkey}"


def send(connector: Bluesky, in_reply_to: str, text: str, idempotency_key: str | None) -> Published:
    """Send ``text`` into the convo of ``in_reply_to``. Chat takes no idempotency key, so
    a keyed send first looks at the convo's latest messages: our own message with the same
    text from the last hour is the answer a lost response hid, and is not sent again."""
    convo = convo_of(in_reply_to)
    url = f"https://bsky.app/messages/{convo}"
    if idempotency_key:
        earlier = _sent_before(connector, convo, text)
        if earlier:
            return Published(external_id=f"{convo_key(convo)}/{earlier}", url=url)
    data = models.ChatBskyConvoSendMessage.Data(
        convo_id=convo, message=models.ChatBskyConvoDefs.MessageInput(text=text)
    )
    try:
        sent = _chat(connector, "send_message", data)
    except ConnectorError as error:
        raise _refused(error) from error.__cause__
    return Published(external_id=f"{convo_key(convo)}/{sent.id}", url=url)


def _sent_before(connector: Bluesky, convo: str, text: str) -> str | None:
    params = models.ChatBskyConvoGetMessages.Params(convo_id=convo, limit=20)
    page = _chat(connector, "get_messages", params)
    own = connector.config.get("did")
    recent = datetime.now(UTC) - SAME_REPLY_WITHIN
    for message in map(get_model_as_dict, page.messages):
        mine = (message.get("sender") or {}).get("did") == own
        if mine and message.get("text") == text and _time(message["sentAt"]) >= recent:
            return str(message["id"])
    return None


def no_access(error: ConnectorError) -> bool:
    """Whether ``error`` says the login may not use chat (not that the login is bad)."""
    response = getattr(error.__cause__, "response", None)
    name = getattr(getattr(response, "content", None), "error", "")
    said = error.message.lower()
    return name in NO_ACCESS_NAMES or any(words in said for words in NO_ACCESS)


def no_access_words(error: ConnectorError) -> str:
    return NO_ACCESS_WORDS.format(said=error.message)


def _refused(error: ConnectorError) -> ConnectorError:
    """A send the chat service refused for the message or the convo (the other side
    blocks us, left, or does not take messages): rejected in Bluesky's words, so the
    account stays connected. A login the chat service refuses is said so, not permanent."""
    if no_access(error):
        return ConnectorError(no_access_words(error))
    if error.permanent or error.retry_after is not None:
        return error
    cause = error.__cause__
    status = getattr(getattr(cause, "response", None), "status_code", None)
    if status == 400:
        return ConnectorError(f"Bluesky refused the message: {error.message}", rejected=True)
    return error


def _chat(connector: Bluesky, method: str, argument: Any) -> Any:
    """``chat.bsky.convo.<method>(argument)`` through the PDS's proxy to the chat service."""

    def call(client: Client) -> Any:
        return getattr(client.chat.bsky.convo, method)(argument, headers=PROXY)

    return connector._do(call)


def _time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
