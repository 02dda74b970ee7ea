"""The Connector contract: what Harken needs from every network.

A connector reads (``fetch``), writes (``publish``, ``reply``) and reports ``metrics``.
What a network can do and its limits are data on the class, never ``if network == ...``
elsewhere. Every failure is a ``ConnectorError``; ``permanent=True`` means a person must
act (revoked or expired token, account suspended) and marks the account "reconnect needed".
``rejected=True`` means the network refused the content itself (too long, a duplicate, a
record it will not accept): the post or reply fails at once in the network's words, with
no retry, and the account stays connected. A rejected error is never ``permanent``, so a
caller that only knows ``permanent`` treats it as transient, never as the account's fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


class ConnectorError(Exception):
    """A network call failed. ``message`` keeps the network's own words."""

    def __init__(
        self,
        message: str,
        permanent: bool = False,
        retry_after: float | None = None,
        rejected: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.permanent = permanent and not rejected
        self.retry_after = retry_after
        self.rejected = rejected


#: The key of an account's config under which its connector keeps why the network refused
#: Harken its direct messages (``{"at": ISO time, "why": words for a person}``), while
#: the mentions are read as before; Settings › Accounts shows the words on the account.
MESSAGES_REFUSED = "messages_refused"


@dataclass(frozen=True)
class NormalizedItem:
    """One inbound item (post, comment, reply, direct message, article, search hit).

    ``network`` + ``external_id`` identify it everywhere; the ingest pipeline dedupes on them.
    """

    network: str
    external_id: str
    kind: str  # "post", "comment", "reply", "message", "article", "review"
    text: str
    created: datetime
    author_id: str
    author_handle: str
    author_name: str = ""
    author_followers: int | None = None
    url: str = ""
    language: str = ""  # the network's own language tag, when it gives one
    in_reply_to: str = ""  # external id of the parent item, for threading
    conversation_id: str = ""  # the network's thread/root id, when it has one
    is_own: bool = False  # written by the business's own account (our answers)
    rating: int | None = None  # a review's stars, 1 to 5 (anything else is not stored)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Page:
    """A batch of items and the cursor to resume after them (None: nothing newer yet).

    ``skipped``: (id, why) of the items the connector could not read, so the one bad item
    of a page shows on the source's page instead of stopping the whole page."""

    items: list[NormalizedItem]
    cursor: str | None
    has_more: bool = False
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Published:
    """The network's answer to a publish or reply."""

    external_id: str
    url: str = ""

    def __post_init__(self) -> None:
        # The address comes from the network's answer and is shown as a link: only http(s)
        # is kept, never a javascript: or data: address a hostile server could send.
        url = (self.url or "").strip()
        if not url.lower().startswith(("http://", "https://")):
            object.__setattr__(self, "url", "")


@dataclass(frozen=True)
class MediaFile:
    """An image to post with ``publish(..., media=[...])``: its bytes, checked type and
    alt text (the composer checked it against the connector's ``max_images`` and
    ``image_types`` first)."""

    data: bytes = field(repr=False)
    content_type: str
    alt: str = ""
    #: Pixels, as the composer read them from the file (0: not known).
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class PostField:
    """A field a network's post has besides its text (Reddit: a title and a subreddit):
    the composer shows it per account, counts it against ``max_chars`` and checks it
    against ``pattern``; ``publish`` receives it by ``name``."""

    name: str
    label: str
    max_chars: int | None = None
    #: A regular expression the whole value must match (empty: anything).
    pattern: str = ""
    #: What a valid value looks like, said when one does not match.
    hint: str = ""
    required: bool = True
    #: The HTML input the composer shows ("date" sends YYYY-MM-DD, "url" a web address).
    input_type: str = "text"


@dataclass(frozen=True)
class AccountMetrics:
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Connector:
    """Base class of every network's connector.

    Subclasses set the class attributes and implement the methods they support; an
    unsupported operation raises ``NotImplementedError`` and is hidden in the UI through
    ``capabilities``.
    """

    network: ClassVar[str] = ""
    label: ClassVar[str] = ""
    #: Some of "fetch", "search", "publish", "reply", "metrics".
    capabilities: ClassVar[frozenset[str]] = frozenset()
    max_chars: ClassVar[int | None] = None
    counts_urls_as: ClassVar[int | None] = None
    needs_media: ClassVar[bool] = False
    #: Images one post may carry (0: the connector cannot post images), the largest
    #: image in bytes (None: no limit of its own) and the image types it takes.
    max_images: ClassVar[int] = 0
    max_image_bytes: ClassVar[int | None] = None
    image_types: ClassVar[frozenset[str]] = frozenset()
    #: Videos one post may carry (0: the connector cannot post video), the video types
    #: it takes, the largest in bytes and the longest in seconds (None: no limit of its
    #: own). A video reaches ``publish`` as ``video`` (a ``MediaFile``) and in ``media``.
    max_videos: ClassVar[int] = 0
    video_types: ClassVar[frozenset[str]] = frozenset()
    max_video_bytes: ClassVar[int | None] = None
    max_video_seconds: ClassVar[float | None] = None
    #: A text too long for one post may go out as a thread of replies to itself (X,
    #: Bluesky, Mastodon); elsewhere a reply is a comment, fit for a first comment only.
    makes_threads: ClassVar[bool] = False
    #: The network honours ``idempotency_key`` on publish and reply (for about an hour):
    #: a write repeated under the same key answers with the first post, not a second one.
    idempotent_writes: ClassVar[bool] = False
    #: How ``max_chars`` is counted: "characters" (code points, URLs as
    #: ``counts_urls_as`` when set), "graphemes" (what a reader sees as one character) or
    #: "weighted" (X: CJK and emoji weigh two, URLs ``counts_urls_as``).
    text_counting: ClassVar[str] = "characters"
    #: ``find_published`` can tell whether a post went out (see there).
    finds_published: ClassVar[bool] = False
    #: ``find_reply`` can tell whether a reply without an idempotency key went out.
    finds_replies: ClassVar[bool] = False
    #: What the network's API does not let Harken read, in words for a person ("" when
    #: it reads what the network offers): TikTok's and Pinterest's comments, Google's
    #: Q&A. The connect form says it; a connector without "fetch" reads nothing.
    unreadable: ClassVar[str] = ""
    #: Fields a post has besides its text, passed to ``publish`` by name (Reddit's title
    #: and subreddit); ``post_max_chars`` is the main text's own limit where a post's
    #: body takes more than ``max_chars`` (which then counts replies only).
    post_fields: ClassVar[tuple[PostField, ...]] = ()
    post_max_chars: ClassVar[int | None] = None

    @classmethod
    def post_problems(cls, text: str, options: Mapping[str, Any]) -> list[str]:
        """What the network would refuse in a post's ``post_fields`` taken together (an
        offer needs its dates), in words for a person; checked when scheduling, so the
        refusal comes before publishing. Each field alone is checked from its spec."""
        return []

    # --- connecting and searching: what the shared views and Listening need ---------
    #: Installation keys that app-only reads (a search with no account) need.
    app_keys: ClassVar[tuple[str, ...]] = ()
    #: Installation keys that connecting an account needs; with these set the network is
    #: offered even without ``app_keys``.
    connect_keys: ClassVar[tuple[str, ...]] = ()
    #: How accounts connect: a flow name ("oauth", "app_password", "token") → the dotted
    #: path of its ``ConnectFlow``. Empty: the network has no accounts (a web feed).
    connect_flows: ClassVar[Mapping[str, str]] = {}
    #: The connect form, a template in the network package's ``templates/`` folder.
    connect_template: ClassVar[str] = ""
    #: "account": a search runs through one of the workspace's accounts; "app": app-only
    #: on the installation's ``app_keys``; "": the network is not searched.
    search_mode: ClassVar[str] = ""

    @classmethod
    def check_search_query(cls, query: str) -> None:
        """Raise ``ConnectorError`` in words for a person when the network would refuse
        ``query`` (already tidied, within the length every search keeps to) at every poll."""

    def __init__(
        self,
        config: dict[str, Any] | None = None,
        *,
        query: str | None = None,
        workspace: Any = None,
    ) -> None:
        """``config`` is the account's decrypted config (tokens, instance URL, feed URL...);
        ``query`` makes ``fetch`` run a search instead of reading the account's own mentions;
        ``workspace`` (a Workspace or its id) is whose budget and limits the calls count
        against. A connector that refreshes a token updates ``self.config`` and sets
        ``self.config_changed`` so the caller re-saves the account."""
        self.config: dict[str, Any] = dict(config or {})
        self.query = query
        self.workspace_id = getattr(workspace, "pk", workspace)
        self.config_changed = False

    def fetch(self, cursor: str | None) -> Page:
        """Items newer than ``cursor``, oldest first. Must not skip items on a partial failure."""
        raise NotImplementedError

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        raise NotImplementedError

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        raise NotImplementedError

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        """The post that ``publish(text, idempotency_key=...)`` made at or after ``since``,
        or None when the network does not have it. Asked after a crash left a publish
        unanswered, before any retry, so a post is never sent twice. Networks that cannot
        tell leave ``finds_published`` False and this raises ``NotImplementedError``."""
        raise NotImplementedError

    def find_reply(self, in_reply_to: str, text: str, since: datetime) -> Published | None:
        """The answer ``reply(in_reply_to, text)`` made at or after ``since`` (the claim's
        time), or None when the network does not have it. Asked after a crash left a reply
        unanswered, before any retry, where the network takes no idempotency key (X's
        direct messages); raises ``NotImplementedError`` for what it cannot look up."""
        raise NotImplementedError

    def metrics(self) -> AccountMetrics:
        raise NotImplementedError

    def post_metrics(self, post_id: str) -> dict[str, Any]:
        """One published post's counts today, by the network's own names; analytics reads
        likes ("likes", "reactions", "favourites", "score"), comments ("comments",
        "replies"), shares ("shares", "reposts", "reblogs", "quotes"), "impressions" or
        "views", and "reach" (``harken.analytics.post_metrics``). ``post_id`` is the
        ``Published.external_id`` the post got. Absent counts are simply left out."""
        raise NotImplementedError


class ConnectFlow:
    """One way to connect an account on a network, served by the shared views in
    ``harken.networks.views``; the network's package says how, the views check who may
    and for which workspace.

    ``kind`` "oauth": a consent page. ``start`` returns where to send the browser and what
    the callback will need; the views keep that with a random ``state`` and the workspace
    in the person's session and check both when the network sends them back, before
    ``finish``. ``kind`` "form" (an app password, a pasted token): ``connect`` at once.
    Both ask the network first and save after (``harken.networks.connecting``)."""

    kind: ClassVar[str] = "oauth"
    #: What the person fills in first (a server, a handle, a token), or None.
    form_class: ClassVar[Any] = None
    #: The form's field prefix, for two forms with the same fields on one page.
    prefix: ClassVar[str | None] = None
    #: The field the network's refusal shows under ("": the form's first).
    error_field: ClassVar[str] = ""

    def available(self) -> bool:
        """Whether this installation is set up for the flow (its app keys are set)."""
        return True

    def start(
        self, data: Mapping[str, Any], *, state: str, redirect_uri: str, host: str
    ) -> tuple[str, dict[str, Any]]:
        """The consent page's URL and what ``finish`` needs (kept in the session)."""
        raise NotImplementedError

    def finish(
        self, workspace: Any, actor: Any, started: Mapping[str, Any], params: Mapping[str, str]
    ) -> Any:
        """The callback's ``params`` turned into the connected ``Account``."""
        raise NotImplementedError

    def connect(self, workspace: Any, actor: Any, data: Mapping[str, Any]) -> Any:
        """A "form" flow: the form's cleaned ``data`` checked with the network, saved."""
        raise NotImplementedError

    def reconnect_data(self, handle: str) -> dict[str, str] | None:
        """What to post to ``start`` to reconnect the account ``handle`` in one press, or
        None when the person must fill the form again."""
        return None
