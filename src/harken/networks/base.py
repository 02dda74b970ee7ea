"""The Connector contract: what Harken needs from every network.

A connector reads (``fetch``), writes (``publish``, ``reply``) and reports ``metrics``.
What a network can do and its limits are data on the class, never ``if network == ...``
elsewhere. Every failure is a ``ConnectorError``; ``permanent=True`` means a person must
act (revoked or expired token, account suspended) and marks the account "reconnect needed".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


class ConnectorError(Exception):
    """A network call failed. ``message`` keeps the network's own words."""

    def __init__(self, message: str, permanent: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after


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
    #: The network honours ``idempotency_key`` on publish and reply (for about an hour):
    #: a write repeated under the same key answers with the first post, not a second one.
    idempotent_writes: ClassVar[bool] = False

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

    def metrics(self) -> AccountMetrics:
        raise NotImplementedError
