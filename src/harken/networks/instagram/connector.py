"""An Instagram professional (business or creator) account through Meta's Graph API,
reached through the Facebook Page it is linked to (``harken.networks.meta``).

Config (the account's encrypted JSON): ``ig_user_id``, ``username``, and the linked
Page's ``page_id`` and ``page_token`` (Instagram's Graph calls are made with it).

What ``fetch`` reads: the comments, and their replies, on the account's recent media
(``/{ig-user}/media``, then ``/{media}/comments`` with ``replies``), and the media the
account is tagged in (``/{ig-user}/tags``), and, with ``messaging`` in the config
(connected with ``instagram_manage_messages``), its direct messages
(``harken.networks.meta.messaging``). Instagram has no "updated" time on media, so
each poll looks at the ``media_window`` newest media. @-mentions in captions and in
comments on others' media are not listed by the API: Meta only announces them by
webhook, which these polls do not read.

Publishing goes container → status → publish: a container per image (and one for the
carousel holding them), its ``status_code`` polled until ``FINISHED``, then
``media_publish``. Meta allows a limited number of API posts per 24 hours
(``content_publishing_limit``): Harken asks before publishing and reports it in metrics.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
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

MEDIA_FIELDS = "id,caption,comments_count,timestamp,permalink,media_type"
AUTHOR = "from{id,username},username"
COMMENT_FIELDS = f"id,text,timestamp,{AUTHOR},replies{{id,text,timestamp,{AUTHOR}}}"
TAG_FIELDS = "id,caption,timestamp,permalink,username"
FIND_FIELDS = "id,caption,timestamp,permalink"
HASHTAG = re.compile(r"(?<!\w)#\w+")
MENTION = re.compile(r"(?<![\w.])@[\w.]+")
HIDDEN = "Instagram did not say who wrote it"


class Instagram(Connector):
    network = "instagram"
    label = "Instagram"
    app_keys = (graph.APP_ID, graph.APP_SECRET)
    connect_keys = app_keys
    connect_flows: ClassVar[dict[str, str]] = {"oauth": "harken.networks.instagram.flows.OAuth"}
    connect_template = "connect_instagram.html"
    capabilities = frozenset({"fetch", "publish", "reply", "metrics"})
    finds_published: ClassVar[bool] = True
    needs_media = True
    #: A caption's limits (Instagram's): characters, hashtags and @-mentions.
    max_chars = 2200
    max_hashtags: ClassVar[int] = 30
    max_mentions: ClassVar[int] = 20
    comment_max_chars: ClassVar[int] = 2200
    #: What a post may carry: one JPEG image, or two to ten in a carousel (Meta fetches
    #: each by its public URL), 8 MB at most, aspect ratio between 4:5 and 1.91:1.
    max_images: ClassVar[int] = 10
    max_image_bytes: ClassVar[int | None] = 8 * 1024 * 1024
    image_types: ClassVar[frozenset[str]] = frozenset({"image/jpeg"})
    aspect_ratios: ClassVar[tuple[float, float]] = (0.8, 1.91)
    #: The newest media whose comments each poll reads, and comment pages per media.
    media_window: ClassVar[int] = 25
    comment_pages: ClassVar[int] = 4
    #: Container status polling: seconds between looks and how many looks at most.
    status_wait: ClassVar[float] = 2.0
    status_tries: ClassVar[int] = 15
    #: A reel: one MP4 or MOV video Instagram fetches from ``video_url``, 3 s to 15 min,
    #: at most 300 MB (Meta's reels specifications); its container takes longer to be
    #: ready than an image's, so it is looked at for up to two minutes.
    max_videos: ClassVar[int] = 1
    video_types: ClassVar[frozenset[str]] = frozenset({"video/mp4", "video/quicktime"})
    max_video_bytes: ClassVar[int | None] = 300 * 1024 * 1024
    max_video_seconds: ClassVar[float | None] = 15 * 60
    reel_status_tries: ClassVar[int] = 60
    #: Account insights read for metrics, summed over the last day.
    account_insights: ClassVar[tuple[str, ...]] = (
        "reach",
        "views",
        "accounts_engaged",
        "total_interactions",
    )
    media_insights: ClassVar[tuple[str, ...]] = ("reach", "saved", "views", "shares")

    sleep: Callable[[float], None] = staticmethod(time.sleep)

    @property
    def ig_user(self) -> str:
        user = str(self.config.get("ig_user_id") or "")
        if not user:
            raise ConnectorError(
                "This Instagram account has no id; connect it again.", permanent=True
            )
        return user

    @property
    def graph(self) -> Graph:
        token = str(self.config.get("page_token") or "")
        return Graph(token, owner=self.ig_user, label="Instagram")

    # --- reading ---------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        since, _ = messaging.split_cursor(cursor)
        client = self.graph
        items: list[NormalizedItem] = []
        skipped: list[tuple[str, str]] = []
        media = client.get(f"{self.ig_user}/media", fields=MEDIA_FIELDS, limit=self.media_window)
        for row in graph.items(media):
            if int(row.get("comments_count") or 0):
                items.extend(self._comments(client, str(row["id"]), since, skipped))
        for tag in client.walk(f"{self.ig_user}/tags", 1, fields=TAG_FIELDS, limit=25):
            if not tag.get("username"):
                skipped.append((str(tag.get("id") or "?"), HIDDEN))
            elif not since or parse_time(tag["timestamp"]) >= since:
                items.append(self._tagged(tag))
        return messaging.fetched(
            self,
            client,
            items,
            skipped,
            cursor,
            page_id=str(self.config.get("page_id") or ""),
            own_id=self.ig_user,
            platform="instagram",
        )

    def _comments(
        self, client: Graph, media_id: str, since: datetime | None, skipped: list[tuple[str, str]]
    ) -> Iterable[NormalizedItem]:
        # A first poll reads each media's newest comments only, not its whole history.
        pages = self.comment_pages if since else 1
        rows = client.walk(f"{media_id}/comments", pages, fields=COMMENT_FIELDS, limit=50)
        for row in rows:
            replies = graph.items(row.get("replies") or {})
            for comment, parent in [
                (row, media_id),
                *((reply, str(row["id"])) for reply in replies),
            ]:
                if since and parse_time(comment["timestamp"]) < since:
                    continue
                item = self._comment(comment, parent, media_id)
                if item is None:
                    skipped.append((str(comment.get("id") or "?"), HIDDEN))
                else:
                    yield item

    def _comment(self, row: dict[str, Any], parent: str, media_id: str) -> NormalizedItem | None:
        author = row.get("from") or {}
        username = str(author.get("username") or row.get("username") or "")
        if not username:
            return None
        return NormalizedItem(
            network=self.network,
            external_id=str(row["id"]),
            kind="comment" if parent == media_id else "reply",
            text=str(row.get("text") or ""),
            created=parse_time(row["timestamp"]),
            author_id=str(author.get("id") or username),
            author_handle=username,
            url="",
            in_reply_to=parent,
            conversation_id=media_id,
            is_own=username == self.config.get("username"),
        )

    def _tagged(self, media: dict[str, Any]) -> NormalizedItem:
        return NormalizedItem(
            network=self.network,
            external_id=str(media["id"]),
            kind="post",
            text=str(media.get("caption") or ""),
            created=parse_time(media["timestamp"]),
            author_id=str(media["username"]),
            author_handle=str(media["username"]),
            url=str(media.get("permalink") or ""),
            conversation_id=str(media["id"]),
        )

    # --- writing ---------------------------------------------------------------------

    def check_caption(self, text: str) -> None:
        """Refuse a caption Instagram would refuse: too long, too many #tags or @names."""
        problems = []
        if len(text) > (self.max_chars or 0):
            problems.append(f"at most {self.max_chars} characters (this one has {len(text)})")
        if len(HASHTAG.findall(text)) > self.max_hashtags:
            problems.append(f"at most {self.max_hashtags} hashtags")
        if len(MENTION.findall(text)) > self.max_mentions:
            problems.append(f"at most {self.max_mentions} @-mentions")
        if problems:
            raise ConnectorError(
                "An Instagram caption holds " + " and ".join(problems) + ".", rejected=True
            )

    def publishing_limit(self) -> tuple[int, int]:
        """(posts made through the API in the last 24 hours, how many Meta allows)."""
        body = self.graph.get(
            f"{self.ig_user}/content_publishing_limit", fields="quota_usage,config"
        )
        found = (graph.items(body) or [{}])[0]
        total = int((found.get("config") or {}).get("quota_total") or 0)
        return int(found.get("quota_usage") or 0), total

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        """One image, or a carousel of two to ten (``image_urls``), or a reel (``video_url``),
        with ``text`` as caption."""
        images = list(options.get("image_urls") or [])
        video_url = str(options.get("video_url") or "")
        self.check_caption(text)
        if video_url and images:
            raise ConnectorError("An Instagram post is a reel or images, not both.", rejected=True)
        if not video_url and not 1 <= len(images) <= self.max_images:
            raise ConnectorError(
                f"An Instagram post needs an image, or up to {self.max_images} in a carousel.",
                rejected=True,
            )
        used, total = self.publishing_limit()
        if total and used >= total:
            raise ConnectorError(
                f"Instagram allows {total} posts through its API in 24 hours and this account "
                f"made {used}; Harken tries again later.",
                retry_after=3600,
            )
        try:
            if video_url:
                container = self._reel(video_url, text)
                self._wait_finished(container, self.reel_status_tries)
            else:
                container = self._container(images, text)
                self._wait_finished(container)
            made = self.graph.post(f"{self.ig_user}/media_publish", creation_id=container)
        except ConnectorError as error:
            raise graph.as_refused(error, "Instagram") from error
        media_id = str(made["id"])
        return Published(external_id=media_id, url=self._permalink(media_id))

    def _container(self, images: list[str], caption: str) -> str:
        client = self.graph
        if len(images) == 1:
            return str(
                client.post(f"{self.ig_user}/media", image_url=images[0], caption=caption)["id"]
            )
        children = [
            str(client.post(f"{self.ig_user}/media", image_url=url, is_carousel_item=True)["id"])
            for url in images
        ]
        for child in children:
            self._wait_finished(child)
        carousel = client.post(
            f"{self.ig_user}/media", media_type="CAROUSEL", children=children, caption=caption
        )
        return str(carousel["id"])

    def _reel(self, video_url: str, caption: str) -> str:
        made = self.graph.post(
            f"{self.ig_user}/media", media_type="REELS", video_url=video_url, caption=caption
        )
        return str(made["id"])

    def _wait_finished(self, container: str, tries: int | None = None) -> None:
        """Look at the container until Instagram says it is ready (``FINISHED``)."""
        tries = tries or self.status_tries
        for attempt in range(tries):
            status = self.graph.get(container, fields="status_code,status")
            code = str(status.get("status_code") or "")
            if code in ("FINISHED", "PUBLISHED"):
                return
            if code in ("ERROR", "EXPIRED"):
                words = status.get("status") or code
                raise ConnectorError(f"Instagram could not use the media: {words}", rejected=True)
            if attempt < tries - 1:
                self.sleep(self.status_wait)
        raise ConnectorError(
            "Instagram was still preparing the media after "
            f"{tries * self.status_wait:.0f} s; Harken tries again later."
        )

    def _permalink(self, media_id: str) -> str:
        try:
            return str(self.graph.get(media_id, fields="permalink").get("permalink") or "")
        except ConnectorError:
            return ""  # published all the same; the link is a nicety

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        """The account's own media with ``text`` as caption posted at or after ``since``."""
        wanted = " ".join(text.split())
        for media in self.graph.walk(f"{self.ig_user}/media", 2, fields=FIND_FIELDS, limit=25):
            if parse_time(media["timestamp"]) < since - timedelta(seconds=1):
                return None
            if " ".join(str(media.get("caption") or "").split()) == wanted:
                return Published(str(media["id"]), str(media.get("permalink") or ""))
        return None

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        """Answer a comment. Instagram threads one level deep, so an answer to a reply
        goes under the comment that reply answers. A direct message (``dm:…``) is
        answered privately, within Instagram's 24-hour window (``meta.messaging``)."""
        if messaging.is_message_id(in_reply_to):
            return messaging.send(
                self.graph,
                page_id=str(self.config.get("page_id") or ""),
                in_reply_to=in_reply_to,
                text=text,
                platform="instagram",
                label="Instagram",
            )
        if len(text) > self.comment_max_chars:
            raise ConnectorError(
                f"An Instagram comment holds at most {self.comment_max_chars} characters.",
                rejected=True,
            )
        client = self.graph
        try:
            comment = client.get(graph.check_id(in_reply_to, "Instagram"), fields="id,parent_id")
            target = str(comment.get("parent_id") or comment.get("id") or in_reply_to)
            made = client.post(f"{target}/replies", message=text)
        except ConnectorError as error:
            raise graph.as_refused(error, "Instagram") from error
        return Published(external_id=str(made["id"]))

    # --- measuring -------------------------------------------------------------------

    def metrics(self) -> AccountMetrics:
        client = self.graph
        me = client.get(self.ig_user, fields="followers_count,follows_count,media_count,username")
        extra: dict[str, Any] = {}
        try:
            found = client.get(
                f"{self.ig_user}/insights",
                metric=",".join(self.account_insights),
                period="day",
                metric_type="total_value",
            )
            extra.update(_totals(found))
        except ConnectorError as error:
            if error.permanent:
                raise
            extra["insights_error"] = error.message
        extra["publishing_used"], extra["publishing_limit"] = self.publishing_limit()
        extra["api_usage_percent"] = client.usage_percent
        return AccountMetrics(
            followers=me.get("followers_count"),
            following=me.get("follows_count"),
            posts=me.get("media_count"),
            extra=extra,
        )

    def post_metrics(self, media_id: str) -> dict[str, Any]:
        """One media's likes and comments, with its reach, saves, views and shares."""
        client = self.graph
        media_id = graph.check_id(media_id, "Instagram")
        media = client.get(media_id, fields="like_count,comments_count")
        found: dict[str, Any] = {
            "likes": media.get("like_count"),
            "comments": media.get("comments_count"),
        }
        try:
            insights = client.get(f"{media_id}/insights", metric=",".join(self.media_insights))
            found.update(_totals(insights))
        except ConnectorError as error:
            if error.permanent:
                raise
            found["insights_error"] = error.message
        return found


def _totals(body: dict[str, Any]) -> dict[str, Any]:
    """Each metric's value: ``total_value.value`` (newer answers) or its last value."""
    found: dict[str, Any] = {}
    for metric in graph.items(body):
        name = metric.get("name")
        total = (metric.get("total_value") or {}).get("value")
        values = metric.get("values") or []
        if name:
            found[str(name)] = (
                total if total is not None else (values[-1].get("value") if values else None)
            )
    return found
