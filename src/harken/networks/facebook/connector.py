"""A Facebook Page through Meta's Graph API (``harken.networks.meta.graph``).

Config (the account's encrypted JSON): ``page_id``, ``page_token`` (a Page token from a
long-lived user token: it does not expire), ``name`` and ``username`` of the Page.

What ``fetch`` reads, newest activity first, back to the cursor:

- the Page's feed (``/{page}/feed``): the posts visitors wrote on the Page are items,
  and every post with new activity has its comments read (``filter=stream`` gives
  comments and replies in one list, each with its ``parent``);
- posts that tag the Page (``/{page}/tagged``): its mentions;
- with ``messaging`` in the config (connected with ``pages_messaging``): the Page's
  Messenger conversations, as private ``message`` items (``harken.networks.meta.messaging``).

Comments thread under their post (``conversation_id``) and parent comment
(``in_reply_to``); the Page's own answers come back marked ``is_own``. The cursor is the
newest ``created_time`` returned: the next poll reads from that second on (its items come
again, and the pipeline dedupes them: two comments in one second are never split);
messages keep their own time beside it (``messaging.fetched``). Only the newest
``feed_pages`` pages of the feed are looked at.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar

from harken.networks.base import (
    AccountMetrics,
    Connector,
    ConnectorError,
    NormalizedItem,
    Page,
    Published,
)
from harken.networks.meta import graph, messaging
from harken.networks.meta.graph import Graph, parse_time

POST_FIELDS = (
    "id,message,created_time,updated_time,from{id,name},permalink_url,"
    "comments.summary(total_count).limit(0)"
)
COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id},permalink_url"
REACTIONS = "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
FIND_FIELDS = "id,message,created_time,permalink_url"
PAGE_SIZE = 25
POST_URL = "https://www.facebook.com/{id}"
VIDEO_URL = "https://www.facebook.com/watch/?v={id}"


class Facebook(Connector):
    network = "facebook"
    label = "Facebook Page"
    app_keys = (graph.APP_ID, graph.APP_SECRET)
    connect_keys = app_keys
    connect_flows: ClassVar[dict[str, str]] = {"oauth": "harken.networks.facebook.flows.OAuth"}
    connect_template = "connect_facebook.html"
    capabilities = frozenset({"fetch", "publish", "reply", "metrics"})
    finds_published: ClassVar[bool] = True
    #: A Page post's limit (Meta's), and a comment's.
    max_chars = 63206
    comment_max_chars: ClassVar[int] = 8000
    #: What a post may carry: up to ten photos (Meta fetches each by its public URL);
    #: JPEG under 4 MB (PNG under 1 MB is Meta's advice).
    max_images: ClassVar[int] = 10
    #: Or one video, which Meta fetches from ``video_url`` (``/{page}/videos`` with
    #: ``file_url``: at most 1 GB and 20 minutes that way, Meta's limits).
    max_videos: ClassVar[int] = 1
    video_types: ClassVar[frozenset[str]] = frozenset({"video/mp4", "video/quicktime"})
    max_video_bytes: ClassVar[int | None] = 1024 * 1024 * 1024
    max_video_seconds: ClassVar[float | None] = 20 * 60
    max_image_bytes: ClassVar[int | None] = 4 * 1024 * 1024
    image_types: ClassVar[frozenset[str]] = frozenset(
        {"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"}
    )
    #: Pages of the feed (``PAGE_SIZE`` posts each) and of one post's comments per poll.
    feed_pages: ClassVar[int] = 2
    comment_pages: ClassVar[int] = 4
    #: Page and post insights read for metrics (Meta's names since November 2025).
    page_insights: ClassVar[tuple[str, ...]] = (
        "page_follows",
        "page_post_engagements",
        "page_total_media_view_unique",
        "page_media_view",
    )
    post_insights: ClassVar[tuple[str, ...]] = ("post_total_media_view_unique", "post_media_view")

    @property
    def page_id(self) -> str:
        page = str(self.config.get("page_id") or "")
        if not page:
            raise ConnectorError("This Facebook Page has no id; connect it again.", permanent=True)
        return page

    @property
    def graph(self) -> Graph:
        return Graph(str(self.config.get("page_token") or ""), owner=self.page_id, label="Facebook")

    # --- reading ---------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        since, _ = messaging.split_cursor(cursor)
        client = self.graph
        items: list[NormalizedItem] = []
        skipped: list[tuple[str, str]] = []
        for post in client.walk(
            f"{self.page_id}/feed", self.feed_pages, fields=POST_FIELDS, limit=PAGE_SIZE
        ):
            active = parse_time(post.get("updated_time") or post["created_time"])
            if since and active < since:
                continue
            author = post.get("from") or {}
            if author and str(author.get("id")) != self.page_id:
                items.append(self._post(post, "post"))
            if "comments" not in post or _count(post["comments"]):
                items.extend(self._comments(client, post["id"], since, skipped))
        for post in client.walk(f"{self.page_id}/tagged", 1, fields=POST_FIELDS, limit=PAGE_SIZE):
            if post.get("from") and not (since and parse_time(post["created_time"]) < since):
                items.append(self._post(post, "post"))
        return messaging.fetched(
            self,
            client,
            items,
            skipped,
            cursor,
            page_id=self.page_id,
            own_id=self.page_id,
            platform="messenger",
        )

    def _comments(
        self, client: Graph, post_id: str, since: datetime | None, skipped: list[tuple[str, str]]
    ) -> Iterable[NormalizedItem]:
        """The post's comments and replies newer than ``since``, newest first."""
        rows = client.walk(
            f"{post_id}/comments",
            # A first poll reads each post's newest comments only, not its whole history.
            self.comment_pages if since else 1,
            fields=COMMENT_FIELDS,
            filter="stream",
            order="reverse_chronological",
            limit=50,
        )
        for row in rows:
            if since and parse_time(row["created_time"]) < since:
                continue  # asked newest first, but an older one must not end the walk
            if not (row.get("from") or {}).get("id"):
                # Meta hides the writer from a token without pages_read_user_content.
                skipped.append((str(row.get("id") or row.get("permalink_url") or "?"), HIDDEN))
                continue
            yield self._comment(row, post_id)

    def _post(self, post: dict[str, Any], kind: str) -> NormalizedItem:
        author = post.get("from") or {}
        return NormalizedItem(
            network=self.network,
            external_id=str(post["id"]),
            kind=kind,
            text=str(post.get("message") or ""),
            created=parse_time(post["created_time"]),
            author_id=str(author.get("id") or ""),
            author_handle=str(author.get("name") or ""),
            author_name=str(author.get("name") or ""),
            url=str(post.get("permalink_url") or POST_URL.format(id=post["id"])),
            conversation_id=str(post["id"]),
            is_own=str(author.get("id")) == self.page_id,
        )

    def _comment(self, row: dict[str, Any], post_id: str) -> NormalizedItem:
        author = row["from"]
        parent = str((row.get("parent") or {}).get("id") or "")
        return NormalizedItem(
            network=self.network,
            external_id=str(row["id"]),
            kind="reply" if parent else "comment",
            text=str(row.get("message") or ""),
            created=parse_time(row["created_time"]),
            author_id=str(author["id"]),
            author_handle=str(author.get("name") or author["id"]),
            author_name=str(author.get("name") or ""),
            url=str(row.get("permalink_url") or ""),
            in_reply_to=parent or post_id,
            conversation_id=post_id,
            is_own=str(author["id"]) == self.page_id,
        )

    # --- writing ---------------------------------------------------------------------

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        """A text post, a link post (``link``), a photo post (``image_urls``: one photo,
        or up to ten attached to one post) or a video (``video_url``, with ``text`` as its
        description). Meta has no idempotency key: a lost answer is settled by
        ``find_published``, so the call is made once, never retried here."""
        self.check_post(text, options)
        images = list(options.get("image_urls") or [])
        video_url = str(options.get("video_url") or "")
        client = self.graph
        try:
            if video_url:
                made = client.post(f"{self.page_id}/videos", file_url=video_url, description=text)
                video_id = str(made["id"])
                return Published(external_id=video_id, url=VIDEO_URL.format(id=video_id))
            if len(images) == 1:
                made = client.post(f"{self.page_id}/photos", url=images[0], caption=text)
                post_id = str(made.get("post_id") or made["id"])
            else:
                fields: dict[str, Any] = {"message": text, "link": options.get("link")}
                for index, url in enumerate(images):
                    photo = client.post(f"{self.page_id}/photos", url=url, published=False)
                    fields[f"attached_media[{index}]"] = {"media_fbid": str(photo["id"])}
                post_id = str(client.post(f"{self.page_id}/feed", **fields)["id"])
        except ConnectorError as error:
            raise graph.as_refused(error, "Facebook") from error
        return Published(external_id=post_id, url=POST_URL.format(id=post_id))

    def check_post(self, text: str, options: dict[str, Any]) -> None:
        if len(text) > (self.max_chars or 0):
            raise ConnectorError(
                f"A Facebook post holds at most {self.max_chars} characters; this one has "
                f"{len(text)}.",
                rejected=True,
            )
        images = options.get("image_urls") or []
        if len(images) > self.max_images:
            raise ConnectorError(
                f"A Facebook post holds at most {self.max_images} photos.",
                rejected=True,
            )
        if images and options.get("video_url"):
            raise ConnectorError(
                "A Facebook post carries a video or photos, not both.", rejected=True
            )
        if (
            not text.strip()
            and not images
            and not options.get("link")
            and not options.get("video_url")
        ):
            raise ConnectorError("A Facebook post needs text, a link or a photo.", rejected=True)

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        """The Page's own post with ``text`` created at or after ``since``, or None."""
        wanted = _same_text(text)
        posts = self.graph.walk(
            f"{self.page_id}/posts",
            4,
            fields=FIND_FIELDS,
            since=int(since.timestamp()),
            limit=PAGE_SIZE,
        )
        for post in posts:
            if parse_time(post["created_time"]) < since:
                return None
            if _same_text(str(post.get("message") or "")) == wanted:
                url = str(post.get("permalink_url") or POST_URL.format(id=post["id"]))
                return Published(external_id=str(post["id"]), url=url)
        return None

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        """Answer a comment (or comment on a post) as the Page; a Messenger message
        (``dm:…``) privately, within Messenger's 24-hour window (``meta.messaging``)."""
        if messaging.is_message_id(in_reply_to):
            return messaging.send(
                self.graph,
                page_id=self.page_id,
                in_reply_to=in_reply_to,
                text=text,
                platform="messenger",
                label="Facebook",
            )
        if len(text) > self.comment_max_chars:
            raise ConnectorError(
                f"A Facebook comment holds at most {self.comment_max_chars} characters.",
                rejected=True,
            )
        try:
            target = graph.check_id(in_reply_to, "Facebook")
            made = self.graph.post(f"{target}/comments", message=text)
        except ConnectorError as error:
            raise graph.as_refused(error, "Facebook") from error
        comment_id = str(made["id"])
        return Published(external_id=comment_id, url=str(made.get("permalink_url") or ""))

    # --- measuring -------------------------------------------------------------------

    def metrics(self) -> AccountMetrics:
        """Followers and fans from the Page, and the last day's insights where Meta
        gives them (an insights refusal is reported in ``extra``, not raised)."""
        client = self.graph
        page = client.get(self.page_id, fields="followers_count,fan_count,name")
        extra: dict[str, Any] = {"fans": page.get("fan_count")}
        try:
            found = client.get(
                f"{self.page_id}/insights", metric=",".join(self.page_insights), period="day"
            )
            extra.update(_insight_values(found.get("data")))
        except ConnectorError as error:
            if error.permanent:
                raise
            extra["insights_error"] = error.message
        extra["api_usage_percent"] = client.usage_percent
        followers = page.get("followers_count", page.get("fan_count"))
        return AccountMetrics(followers=followers, extra=extra)

    def post_metrics(self, post_id: str) -> dict[str, Any]:
        """One post's reactions, comments and shares, with its reach and views."""
        client = self.graph
        post_id = graph.check_id(post_id, "Facebook")
        post = client.get(post_id, fields=REACTIONS)
        found: dict[str, Any] = {
            "reactions": _count(post.get("reactions")),
            "comments": _count(post.get("comments")),
            "shares": int((post.get("shares") or {}).get("count") or 0),
        }
        try:
            insights = client.get(f"{post_id}/insights", metric=",".join(self.post_insights))
            found.update(_insight_values(insights.get("data")))
        except ConnectorError as error:
            if error.permanent:
                raise
            found["insights_error"] = error.message
        return found


HIDDEN = "Facebook hid who wrote it (the Page token lacks pages_read_user_content)"


def _count(edge: Any) -> int:
    summary = (edge or {}).get("summary") if isinstance(edge, dict) else None
    return int((summary or {}).get("total_count") or 0)


def _insight_values(data: Any) -> dict[str, Any]:
    """Each metric's latest value: ``{"page_follows": 1234, ...}``."""
    values: dict[str, Any] = {}
    for metric in data if isinstance(data, list) else ():
        points = metric.get("values") or []
        if metric.get("name") and points:
            values[str(metric["name"])] = points[-1].get("value")
    return values


def _same_text(text: str) -> str:
    return " ".join(text.split())
