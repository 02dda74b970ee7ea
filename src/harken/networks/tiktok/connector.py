"""A TikTok account through TikTok's Display and Content Posting APIs
(``harken.networks.tiktok.api``).

Config (the account's encrypted JSON): ``open_id``, ``username`` and the tokens
(``access_token``, ``refresh_token``, ``expires_at``, ``refresh_expires_at``).

TikTok's APIs give apps no way to read the comments on a video (only the Research API,
for academic researchers, lists them), so Harken does not read TikTok (``unreadable``; no
"fetch") and cannot reply there.

``publish`` posts a video (``video``, or the first ``video/*`` file in ``media``) through
the Content Posting API: the creator's allowed privacy levels first
(``creator_info/query``), then ``video/init`` for a direct post (``mode`` "direct", the
default) or ``inbox/video/init`` for a draft the person finishes in the TikTok app
(``mode`` "draft"); the bytes go up in chunks to the ``upload_url`` TikTok gives, then
``status/fetch`` is polled until TikTok says PUBLISH_COMPLETE, SEND_TO_USER_INBOX or
FAILED. A post still in TikTok's moderation after ``poll_attempts`` is out of Harken's
hands: it is recorded under its ``publish_id``. A post from an app TikTok has not audited
can only be private (SELF_ONLY): Harken then posts it so and says nothing more.

``metrics`` gives followers, following, likes and videos, and the views, likes, comments
and shares of the newest videos; ``post_metrics`` one video's.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, ClassVar

from harken.networks import expiry
from harken.networks.base import (
    AccountMetrics,
    Connector,
    ConnectorError,
    MediaFile,
    Page,
    PostField,
    Published,
)
from harken.networks.renewal import TokenLayout, renew_once
from harken.networks.tiktok import api

TOKENS = TokenLayout(network="TikTok", access_key="access_token", margin=api.RENEW_BEFORE)
#: What a renewal changes (``open_id`` stays the one the account connected with).
TOKEN_KEYS = ("access_token", "refresh_token", "expires_at", "refresh_expires_at", "scope")

USER_FIELDS = "open_id,username,display_name,follower_count,following_count,likes_count,video_count"
VIDEO_FIELDS = (
    "id,title,video_description,create_time,share_url,"
    "view_count,like_count,comment_count,share_count"
)
#: TikTok's chunk rules: 5 to 64 MB a chunk (the last may hold up to 128 MB); a video
#: under 5 MB goes whole.
CHUNK = 10 * 1024 * 1024
DONE = frozenset({"PUBLISH_COMPLETE", "SEND_TO_USER_INBOX"})
MODES = ("direct", "draft")
PRIVACY = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY")


class TikTok(Connector):
    network = "tiktok"
    label = "TikTok"
    app_keys = (api.CLIENT_KEY, api.CLIENT_SECRET)
    connect_keys = app_keys
    connect_flows: ClassVar[dict[str, str]] = {"oauth": "harken.networks.tiktok.flows.OAuth"}
    connect_template = "connect_tiktok.html"
    capabilities = frozenset({"publish", "metrics"})
    finds_published: ClassVar[bool] = True
    #: A video's caption (title, for a direct post).
    max_chars = 2200
    needs_media = True
    video_types: ClassVar[frozenset[str]] = frozenset(
        {"video/mp4", "video/quicktime", "video/webm"}
    )
    max_video_bytes: ClassVar[int] = 4 * 1024 * 1024 * 1024
    #: One video a post, at most ten minutes (the Content Posting API's longest; a
    #: creator may be allowed less, which TikTok says when the post goes out).
    max_videos: ClassVar[int] = 1
    max_video_seconds: ClassVar[float | None] = 600
    unreadable = (
        "TikTok's API gives apps no way to read the comments on videos: Harken posts videos "
        "and reads their figures, and cannot bring TikTok comments to the inbox."
    )
    #: How often and how many times ``publish`` asks TikTok how the post is going
    #: (``status/fetch`` allows 30 calls a minute per token).
    poll_interval: ClassVar[float] = 5.0
    chunk_bytes: ClassVar[int] = CHUNK
    poll_attempts: ClassVar[int] = 12
    post_fields = (
        PostField(
            "mode",
            "Post directly or send to drafts",
            max_chars=6,
            pattern="(?i)direct|draft",
            hint="direct or draft",
            required=False,
        ),
        PostField(
            "privacy",
            "Who may watch",
            max_chars=21,
            pattern="(?i)" + "|".join(PRIVACY),
            hint=", ".join(PRIVACY),
            required=False,
        ),
    )

    def call(
        self, method: str, path: str, params: Any = None, json: Any = None, write: bool = False
    ) -> dict[str, Any]:
        if not self.config.get("access_token"):
            raise ConnectorError(
                "This TikTok account has no sign-in; connect it again.", permanent=True
            )
        if TOKENS.is_stale(self.config):
            self._renew()
        ends = float(self.config.get("refresh_expires_at") or 0)
        if expiry.ends_soon(ends):
            expiry.warn_owners(
                self.workspace_id,
                self.network,
                str(self.config.get("open_id")),
                "TikTok",
                ends,
            )
        return api.request(str(self.config["access_token"]), method, path, params, json, write)

    def _renew(self) -> None:
        """Renew the access token an hour before it ends, once across all workers
        (``harken.networks.renewal``: TikTok may hand out a new refresh token)."""
        if not self.config.get("refresh_token"):
            raise ConnectorError(
                "TikTok's sign-in ended and Harken holds no refresh token; reconnect it.",
                permanent=True,
            )
        account_id = self._account_id()
        if account_id is None:  # connecting: the caller saves the config
            fields = api.renew(str(self.config["refresh_token"]))
            self.config_changed = True
        else:
            held = str(self.config.get("access_token") or "")
            config = renew_once(
                TOKENS, account_id, held, False, lambda c: api.renew(str(c["refresh_token"]))
            )
            fields = config
        self.config.update({key: fields[key] for key in TOKEN_KEYS if key in fields})

    def _account_id(self) -> int | None:
        from harken.networks.models import Account

        open_id = self.config.get("open_id")
        if self.workspace_id is None or not open_id:
            return None
        found = Account.objects.filter(
            workspace_id=self.workspace_id, network=self.network, external_id=open_id
        )
        return found.values_list("pk", flat=True).first()

    def me(self) -> dict[str, Any]:
        return self.call("GET", "v2/user/info/", {"fields": USER_FIELDS}).get("user") or {}

    def fetch(self, cursor: str | None) -> Page:
        """Nothing: TikTok lets apps read no comments (``unreadable``). The account's
        mentions source, which listening makes for every account, stays empty and asks
        TikTok nothing."""
        return Page(items=[], cursor=cursor)

    # --- writing ---------------------------------------------------------------------

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        video = self._video(options)
        if len(text) > (self.max_chars or 0):
            raise ConnectorError(
                f"A TikTok caption holds at most {self.max_chars} characters.", rejected=True
            )
        mode = str(options.get("mode") or "direct").strip().lower()
        if mode not in MODES:
            raise ConnectorError("A TikTok post goes out directly or to drafts.", rejected=True)
        size = len(video.data)
        chunk = min(size, self.chunk_bytes)
        count = size // chunk
        source: dict[str, Any] = {
            "source": "FILE_UPLOAD",
            "video_size": size,
            "chunk_size": chunk,
            "total_chunk_count": count,
        }
        if mode == "draft":
            made = self.call(
                "POST",
                "v2/post/publish/inbox/video/init/",
                json={"source_info": source},
                write=True,
            )
        else:
            post_info = {"title": text, "privacy_level": self._privacy(options)}
            made = self.call(
                "POST",
                "v2/post/publish/video/init/",
                json={"post_info": post_info, "source_info": source},
                write=True,
            )
        publish_id = str(made.get("publish_id") or "")
        upload_url = str(made.get("upload_url") or "")
        if not publish_id or not upload_url:
            raise ConnectorError("TikTok did not say where to send the video; try again.")
        for index in range(count):
            start = index * chunk
            # The last chunk takes the remainder (TikTok allows it to be up to 128 MB).
            piece = video.data[start:] if index == count - 1 else video.data[start : start + chunk]
            api.upload(upload_url, piece, start, size, video.content_type)
        return self._settled(publish_id)

    def _video(self, options: dict[str, Any]) -> MediaFile:
        found = [options.get("video"), *(options.get("media") or [])]
        for item in found:
            if isinstance(item, MediaFile) and item.content_type.startswith("video/"):
                if item.content_type not in self.video_types:
                    raise ConnectorError("TikTok takes MP4, MOV or WebM videos.", rejected=True)
                if not item.data or len(item.data) > self.max_video_bytes:
                    raise ConnectorError("The video is empty or over TikTok's 4 GB.", rejected=True)
                return item
        raise ConnectorError("A TikTok post needs a video.", rejected=True)

    def _privacy(self, options: dict[str, Any]) -> str:
        """The privacy asked for when the creator may use it, else the most public one
        TikTok offers (an unaudited app is offered SELF_ONLY only)."""
        creator = self.call("POST", "v2/post/publish/creator_info/query/", json={})
        offered = [str(o) for o in creator.get("privacy_level_options") or []]
        if not offered:
            raise ConnectorError("TikTok offered this account no way to post; try later.")
        wanted = str(options.get("privacy") or "").strip().upper()
        if wanted:
            if wanted not in offered:
                raise ConnectorError(
                    f"TikTok lets this account post as {', '.join(offered)}, not {wanted}.",
                    rejected=True,
                )
            return wanted
        return next(level for level in (*PRIVACY, *offered) if level in offered)

    def _settled(self, publish_id: str) -> Published:
        """Poll the post's status until TikTok settles it (see the module)."""
        for attempt in range(self.poll_attempts):
            if attempt:
                time.sleep(self.poll_interval)
            status = self.call(
                "POST", "v2/post/publish/status/fetch/", json={"publish_id": publish_id}
            )
            state = str(status.get("status") or "")
            if state == "FAILED":
                why = status.get("fail_reason") or "no reason given"
                raise ConnectorError(f"TikTok did not post the video: {why}", rejected=True)
            if state in DONE:
                # TikTok's own spelling of the field.
                ids = [str(i) for i in status.get("publicaly_available_post_id") or []]
                if ids:
                    return Published(external_id=ids[0], url=self._video_url(ids[0]))
                return Published(external_id=publish_id)
        return Published(external_id=publish_id)

    def _video_url(self, video_id: str) -> str:
        username = str(self.config.get("username") or "")
        return f"https://www.tiktok.com/@{username}/video/{video_id}" if username else ""

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        wanted = " ".join(text.split())
        for video in self._videos():
            created = datetime.fromtimestamp(int(video.get("create_time") or 0), UTC)
            said = str(video.get("video_description") or video.get("title") or "")
            if created >= since and " ".join(said.split()) == wanted:
                return Published(
                    external_id=str(video["id"]), url=str(video.get("share_url") or "")
                )
        return None

    # --- measuring -------------------------------------------------------------------

    def _videos(self) -> list[dict[str, Any]]:
        body = self.call("POST", "v2/video/list/", {"fields": VIDEO_FIELDS}, {"max_count": 20})
        return [v for v in body.get("videos") or [] if isinstance(v, dict)]

    def metrics(self) -> AccountMetrics:
        me = self.me()
        videos = self._videos()
        extra: dict[str, Any] = {"likes": _int(me.get("likes_count"))}
        for key, name in COUNTS.items():
            extra[f"recent_{name}"] = sum(_int(v.get(key)) or 0 for v in videos)
        return AccountMetrics(
            followers=_int(me.get("follower_count")),
            following=_int(me.get("following_count")),
            posts=_int(me.get("video_count")),
            extra=extra,
        )

    def post_metrics(self, video_id: str) -> dict[str, Any]:
        if not video_id.isdigit():
            raise ConnectorError(f"TikTok has no video {video_id!r}.", rejected=True)
        body = self.call(
            "POST",
            "v2/video/query/",
            {"fields": VIDEO_FIELDS},
            {"filters": {"video_ids": [video_id]}},
        )
        found = (body.get("videos") or [{}])[0] or {}
        return {name: _int(found.get(key)) for key, name in COUNTS.items()}


COUNTS = {
    "view_count": "views",
    "like_count": "likes",
    "comment_count": "comments",
    "share_count": "shares",
}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
