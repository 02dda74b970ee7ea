"""A YouTube channel through the YouTube Data API v3 (``harken.networks.youtube.api``).

Config (the account's encrypted JSON): ``channel_id``, ``title``, ``handle``, the Google
tokens (``access_token``, ``refresh_token``, ``expires_at``, ``scope``) and the day's
``quota`` count.

``fetch`` reads the comment threads on the channel's videos
(``commentThreads.list?allThreadsRelatedToChannelId``, newest first, ``thread_pages``
pages of 100) with the replies YouTube embeds (up to five); a thread with more replies
has them read through ``comments.list?parentId`` (``reply_pages`` pages). A top-level
comment is a "comment" answering its video; a reply answers its thread. Each thread is one
conversation (``conversation_id`` = the thread's id). The cursor is the newest
``publishedAt`` returned; the next poll reads from that second on (the pipeline dedupes
what comes again). A new reply to a thread older than the pages walked is not seen.
Every page costs a quota unit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from harken.networks.base import (
    AccountMetrics,
    Connector,
    ConnectorError,
    NormalizedItem,
    Page,
    PostField,
    Published,
)
from harken.networks.youtube import google, quota, upload
from harken.networks.youtube.api import Client

WATCH_URL = "https://www.youtube.com/watch?v={video}"
COMMENT_URL = "https://www.youtube.com/watch?v={video}&lc={comment}"
PAGE_SIZE = 100


class YouTube(Connector):
    network = "youtube"
    label = "YouTube"
    app_keys = (google.CLIENT_ID, google.CLIENT_SECRET)
    connect_keys = app_keys
    connect_flows: ClassVar[dict[str, str]] = {"oauth": "harken.networks.youtube.flows.OAuth"}
    connect_template = "connect_youtube.html"
    capabilities = frozenset({"fetch", "publish", "reply", "metrics"})
    finds_published: ClassVar[bool] = True
    needs_media = True
    #: A comment's limit (what ``reply`` checks) and a video's title and description.
    comment_max_chars: ClassVar[int] = 10_000
    max_chars = 5000  # a video's description, what ``publish`` posts as text
    title_max_chars: ClassVar[int] = 100
    #: One video a post; YouTube takes most formats, Harken uploads these three.
    #: 256 GB or 12 hours, YouTube's own limits (an unverified channel: 15 minutes).
    max_videos: ClassVar[int] = 1
    video_types: ClassVar[frozenset[str]] = frozenset(
        {"video/mp4", "video/quicktime", "video/webm"}
    )
    max_video_bytes: ClassVar[int | None] = 256 * 1024**3
    max_video_seconds: ClassVar[float | None] = 12 * 3600
    #: The video's title (else the text's first line) and who may watch it.
    post_fields = (
        PostField(
            "title",
            "Video title",
            max_chars=100,
            pattern=r"[^<>]*",
            hint="text without < or >",
            required=False,
        ),
        PostField(
            "privacy",
            "Who may watch",
            max_chars=8,
            pattern="public|unlisted|private",
            hint="public, unlisted or private",
            required=False,
        ),
    )
    #: Pages of comment threads, and of one thread's replies, read per poll.
    thread_pages: ClassVar[int] = 3
    reply_pages: ClassVar[int] = 2

    @property
    def channel_id(self) -> str:
        channel = str(self.config.get("channel_id") or "")
        if not channel:
            raise ConnectorError(
                "This YouTube channel has no id; connect it again.", permanent=True
            )
        return channel

    @property
    def client(self) -> Client:
        if not hasattr(self, "_client"):
            self._client = Client(self.config, self._account_id())
        return self._client

    def _account_id(self) -> int | None:
        """The saved account with this channel (how ``save_connected`` finds it too)."""
        from harken.networks.models import Account

        channel = self.config.get("channel_id")
        if self.workspace_id is None or not channel:
            return None
        return (
            Account.objects.filter(
                workspace_id=self.workspace_id, network=self.network, external_id=channel
            )
            .values_list("pk", flat=True)
            .first()
        )

    def _done(self) -> None:
        self.config_changed = self.config_changed or self.client.changed

    # --- connecting ------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        """The channel the token signs in as (``channels.list?mine=true``)."""
        try:
            body = self.client.get("channels", part="snippet", mine="true")
        finally:
            self._done()
        found = body.get("items") or []
        if not found:
            raise ConnectorError(
                "This Google account has no YouTube channel; create one on YouTube first.",
                permanent=True,
            )
        return dict(found[0])

    # --- reading ---------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        since = datetime.fromisoformat(cursor) if cursor else None
        items: dict[str, NormalizedItem] = {}
        try:
            for thread in self._threads(since):
                for item in self._thread_items(thread, since):
                    items[item.external_id] = item
        finally:
            self._done()
        fresh = sorted(
            (i for i in items.values() if not since or i.created >= since), key=lambda i: i.created
        )
        newest = max((item.created for item in fresh), default=since)
        return Page(items=fresh, cursor=newest.isoformat() if newest else cursor)

    def _threads(self, since: datetime | None) -> list[dict[str, Any]]:
        threads: list[dict[str, Any]] = []
        token = ""
        for _ in range(self.thread_pages if since else 1):
            params = {
                "part": "snippet,replies",
                "allThreadsRelatedToChannelId": self.channel_id,
                "order": "time",
                "maxResults": PAGE_SIZE,
                "textFormat": "plainText",
            }
            body = self.client.get(
                "commentThreads", **params, **({"pageToken": token} if token else {})
            )
            page = [t for t in body.get("items") or [] if isinstance(t, dict)]
            threads.extend(page)
            token = str(body.get("nextPageToken") or "")
            if not token or (since and all(_thread_time(t) < since for t in page)):
                break
        return threads

    def _thread_items(self, thread: dict[str, Any], since: datetime | None) -> list[NormalizedItem]:
        snippet = thread.get("snippet") or {}
        top = snippet.get("topLevelComment") or {}
        video = str(snippet.get("videoId") or (top.get("snippet") or {}).get("videoId") or "")
        found = [self._comment(top, thread["id"], video, "")] if top.get("id") else []
        replies = [
            r for r in (thread.get("replies") or {}).get("comments") or [] if isinstance(r, dict)
        ]
        total = int(snippet.get("totalReplyCount") or 0)
        if total > len(replies):  # YouTube embeds a few replies; the rest cost a call
            replies = self._replies(thread["id"])
        found.extend(self._comment(r, thread["id"], video, thread["id"]) for r in replies)
        return found

    def _replies(self, thread_id: str) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = []
        token = ""
        for _ in range(self.reply_pages):
            params = {
                "part": "snippet",
                "parentId": thread_id,
                "maxResults": PAGE_SIZE,
                "textFormat": "plainText",
            }
            body = self.client.get("comments", **params, **({"pageToken": token} if token else {}))
            replies.extend(r for r in body.get("items") or [] if isinstance(r, dict))
            token = str(body.get("nextPageToken") or "")
            if not token:
                break
        return replies

    def _comment(
        self, comment: dict[str, Any], thread_id: str, video: str, parent: str
    ) -> NormalizedItem:
        snippet = comment.get("snippet") or {}
        author = str((snippet.get("authorChannelId") or {}).get("value") or "")
        video = str(snippet.get("videoId") or video)
        name = str(snippet.get("authorDisplayName") or "")
        return NormalizedItem(
            network=self.network,
            external_id=str(comment["id"]),
            kind="reply" if parent else "comment",
            text=str(snippet.get("textOriginal") or snippet.get("textDisplay") or ""),
            created=parse_time(str(snippet["publishedAt"])),
            author_id=author,
            author_handle=name or author,
            author_name=name,
            url=COMMENT_URL.format(video=video, comment=comment["id"]) if video else "",
            in_reply_to=str(snippet.get("parentId") or parent or video),
            conversation_id=thread_id,
            is_own=bool(author) and author == self.config.get("channel_id"),
        )

    # --- writing ---------------------------------------------------------------------

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        """Answer a comment (``comments.insert`` under its thread: YouTube threads are one
        level deep, so a reply to a reply goes under the same thread), or comment on a
        video by its id (``commentThreads.insert``). 50 quota units."""
        if len(text) > self.comment_max_chars:
            raise ConnectorError(
                f"A YouTube comment holds at most {self.comment_max_chars} characters.",
                rejected=True,
            )
        if not text.strip():
            raise ConnectorError("A YouTube comment needs text.", rejected=True)
        target = in_reply_to.strip()
        if not target or "/" in target or "?" in target:
            raise ConnectorError(
                f"YouTube has no comment with the id {in_reply_to!r}.", rejected=True
            )
        try:
            if len(target) == 11 and "." not in target:  # a video's id
                made = self.client.insert(
                    "commentThreads",
                    "snippet",
                    {
                        "snippet": {
                            "videoId": target,
                            "topLevelComment": {"snippet": {"textOriginal": text}},
                        }
                    },
                )
                video = target
            else:
                thread = target.split(".", 1)[0]
                made = self.client.insert(
                    "comments", "snippet", {"snippet": {"parentId": thread, "textOriginal": text}}
                )
                video = str((made.get("snippet") or {}).get("videoId") or "")
        finally:
            self._done()
        comment = str(made["id"])
        url = COMMENT_URL.format(video=video, comment=comment) if video else ""
        return Published(external_id=comment, url=url)

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        """A video (``video``: a ``MediaFile`` of type ``video/*``) by resumable upload,
        with ``title`` (else the text's first line), ``text`` as its description, ``tags``
        and ``privacy`` ("public" by default). One upload of the day's hundred."""
        try:
            return upload.publish_video(self, text, options)
        finally:
            self._done()

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        """The channel's upload with this description (or title) at or after ``since``,
        from its uploads playlist (a unit per page)."""
        try:
            return upload.find_video(self, text, since)
        finally:
            self._done()

    # --- measuring -------------------------------------------------------------------

    def metrics(self) -> AccountMetrics:
        """Subscribers, views and videos of the channel, and the day's quota use."""
        try:
            body = self.client.get("channels", part="statistics", id=self.channel_id)
        finally:
            self._done()
        stats = ((body.get("items") or [{}])[0] or {}).get("statistics") or {}
        hidden = bool(stats.get("hiddenSubscriberCount"))
        extra: dict[str, Any] = {"views": _int(stats.get("viewCount"))}
        extra.update(quota.usage().as_dict())
        return AccountMetrics(
            followers=None if hidden else _int(stats.get("subscriberCount")),
            posts=_int(stats.get("videoCount")),
            extra=extra,
        )

    def post_metrics(self, video_id: str) -> dict[str, Any]:
        """One video's views, likes and comments (``videos.list?part=statistics``)."""
        if (
            not video_id
            or len(video_id) > 64
            or not video_id.replace("-", "").replace("_", "").isalnum()
        ):
            raise ConnectorError(f"YouTube has no video with the id {video_id!r}.", rejected=True)
        try:
            body = self.client.get("videos", part="statistics", id=video_id)
        finally:
            self._done()
        found = body.get("items") or []
        if not found:
            raise ConnectorError(f"YouTube has no video with the id {video_id!r}.", rejected=True)
        stats = found[0].get("statistics") or {}
        return {
            "views": _int(stats.get("viewCount")),
            "likes": _int(stats.get("likeCount")),
            "comments": _int(stats.get("commentCount")),
        }


def parse_time(raw: str) -> datetime:
    """``2019-12-01T03:36:55.000Z`` (or without the fraction) as an aware datetime."""
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


def _thread_time(thread: dict[str, Any]) -> datetime:
    top = (thread.get("snippet") or {}).get("topLevelComment") or {}
    raw = (top.get("snippet") or {}).get("updatedAt") or (top.get("snippet") or {}).get(
        "publishedAt"
    )
    return parse_time(str(raw)) if raw else datetime.min.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
