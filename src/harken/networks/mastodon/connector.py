"""Mastodon, through Mastodon.py.

Every server is its own world: its character limit and its rate limits are read from the
server (``/api/v2/instance`` and the ``X-RateLimit-*`` headers Mastodon.py tracks), never
assumed. Mastodon.py is set to ``ratelimit_method="throw"`` with a request timeout, and
every call goes through ``retry_call`` so 429s, 5xx and network errors back off here and
a worker is never put to sleep inside the SDK.

Config (the account's encrypted JSON): ``instance`` (base URL), ``access_token``,
``account_id``, and ``limits`` (the server's limits as last read, with when).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import requests
from mastodon import Mastodon as MastodonAPI
from mastodon import errors as mastodon_errors

from harken.lib import guarded
from harken.lib.retry import Retry, retry_call
from harken.lib.urlguard import HostNotFound, UnsafeURL
from harken.networks.base import (
    AccountMetrics,
    Connector,
    ConnectorError,
    MediaFile,
    NormalizedItem,
    Page,
    Published,
)
from harken.networks.text import plain_text, with_attachments

T = TypeVar("T")

REQUEST_TIMEOUT = 15.0
PAGE_SIZE = 40  # Mastodon's maximum for notifications, timelines and search
LIMITS_MAX_AGE = timedelta(days=1)
FIND_PAGES = 5  # how far back find_published reads the account's own statuses
USER_AGENT = "Harken (+https://github.com/harken-social/harken)"
SCOPES = ["read", "write"]
_URL = re.compile(r"https?://\S+")
_HASHTAG = re.compile(r"^#(\w+)$")


class GuardedSession(guarded.GuardedSession):
    """The guarded requests session (the instance URL is typed by a user: every hop and
    every connection is vetted), remembering the last answer for its error text."""

    last_response: requests.Response | None = None

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.last_response = super().send(request, **kwargs)
        return self.last_response

    def last_error_text(self) -> str:
        """The server's ``error`` field from the last answer: Mastodon.py drops it at times."""
        try:
            body = self.last_response.json() if self.last_response is not None else {}
        except ValueError:
            return ""
        return str(body.get("error") or "") if isinstance(body, dict) else ""


class _Raw(dict[str, Any]):
    """A JSON object as it came: Mastodon.py may set attributes on an answer."""


#: Mastodon.py's private method that turns each answer into typed objects (name-mangled).
_CAST = "_Mastodon__try_cast_to_type"


def _as_plain(value: Any, override_type: Any = None) -> tuple[Any, str | None]:
    """Stands in for ``_CAST`` during ``Mastodon.call_plain``: the answer as it came."""
    return (_Raw(value) if isinstance(value, dict) else value), None


def api_client(instance: str, **credentials: Any) -> MastodonAPI:
    """A Mastodon.py client for ``instance`` with Harken's timeout, guard and rate-limit mode."""
    return MastodonAPI(
        api_base_url=instance,
        request_timeout=REQUEST_TIMEOUT,
        ratelimit_method="throw",
        version_check_mode="none",
        session=GuardedSession(),
        user_agent=USER_AGENT,
        **credentials,
    )


class Mastodon(Connector):
    network = "mastodon"
    label = "Mastodon"
    connect_flows: ClassVar[dict[str, str]] = {"oauth": "harken.networks.mastodon.flows.OAuth"}
    connect_template = "connect_mastodon.html"
    search_mode = "account"  # a server searches only for a signed-in account
    idempotent_writes: ClassVar[bool] = True  # the Idempotency-Key header
    finds_published: ClassVar[bool] = True
    #: Mastodon's defaults; each server says its own (``limits``), which win once read.
    max_chars = 500
    counts_urls_as = 23
    #: Mastodon's defaults for images (a status takes four; 16 MB each on mastodon.social).
    max_images: ClassVar[int] = 4
    makes_threads: ClassVar[bool] = True
    max_image_bytes: ClassVar[int | None] = 16 * 1024 * 1024
    image_types: ClassVar[frozenset[str]] = frozenset(
        {"image/jpeg", "image/png", "image/gif", "image/webp"}
    )
    #: A status takes one video instead of images; 99 MB is mastodon.social's limit
    #: (``configuration.media_attachments.video_size_limit`` of each server).
    max_videos: ClassVar[int] = 1
    video_types: ClassVar[frozenset[str]] = frozenset(
        {"video/mp4", "video/quicktime", "video/webm"}
    )
    max_video_bytes: ClassVar[int | None] = 99 * 1024 * 1024
    #: A video (or a large image) is processed after the upload answers (202, ``url``
    #: null): asked again every ``media_poll_interval`` seconds, ``media_poll_attempts``
    #: times, well inside the publishing engine's lease.
    media_poll_interval: ClassVar[float] = 2.0
    media_poll_attempts: ClassVar[int] = 45
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {"fetch", "publish", "reply", "metrics", "search"}
    )

    def __init__(
        self,
        config: dict[str, Any] | None = None,
        *,
        query: str | None = None,
        workspace: Any = None,
    ) -> None:
        super().__init__(config, query=query, workspace=workspace)
        self._api: MastodonAPI | None = None

    @property
    def instance(self) -> str:
        return normalize_instance(self.config.get("instance", ""))

    @property
    def api(self) -> MastodonAPI:
        if self._api is None:
            token = self.config.get("access_token")
            if not token:
                raise ConnectorError(
                    "This Mastodon account has no access token; connect it again.", permanent=True
                )
            self._api = api_client(self.instance, access_token=token)
            if not self.config.get("version"):
                # Mastodon.py asks the server its version lazily and recurses without end
                # when that fails; ask once here, where a failure is a clear error.
                self.limits(refresh=True)
            self._api = api_client(
                self.instance, access_token=token, mastodon_version=self.config["version"]
            )
        return self._api

    def call(self, fn: Callable[[], T]) -> T:
        """Run one SDK call with retries; every Mastodon.py error leaves as a ConnectorError."""
        try:
            return retry_call(fn, self._classify, attempts=3, max_wait=60)
        except mastodon_errors.MastodonError as exc:
            raise self.error(exc) from exc

    def call_plain(self, fn: Callable[[], T]) -> T:
        """``call``, with the answer left as plain JSON: converting one status into
        Mastodon.py's typed objects (a tree of accounts, emojis, cards) costs ~15 ms of
        CPU, more than the rest of a publish, and a write needs only an id and a URL.
        The conversion is shadowed on this client for the call only (each publisher
        thread has its own connector); every other call keeps the typed answers."""
        api = self.api
        setattr(api, _CAST, _as_plain)
        try:
            return self.call(fn)
        finally:
            delattr(api, _CAST)

    # --- reading ---------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        """Mentions of the account (or, with ``query``, a hashtag timeline or a search),
        oldest first. The cursor is the newest id returned; the next fetch asks for what is
        immediately newer (``min_id``), so a burst bigger than one page is read page by page."""
        newest = load_cursor(cursor)
        if self.query:
            rows, statuses = self._search(newest)
            direct: list[Any] = []
        else:
            rows, statuses = self._mentions(newest)
            direct = self._direct(load_cursor(cursor, "direct"))
        items = [self.normalize(status) for status in statuses]
        seen = {item.external_id for item in items}
        # A direct message to us is also a mention notification: keep one of each.
        items += [i for i in map(self.normalize, direct) if i.external_id not in seen]
        items.sort(key=lambda item: item.created)
        ids = [str(row["id"]) for row in rows]
        # Paginated by snowflake ids: the biggest is the newest, whatever order they came in.
        next_cursor = max(ids, key=_id_order) if ids else newest
        direct_ids = [str(status["id"]) for status in direct]
        read_before = load_cursor(cursor, "direct")
        next_direct = max(direct_ids, key=_id_order) if direct_ids else read_before
        return Page(
            items=items,
            cursor=dump_cursor(next_cursor, next_direct),
            has_more=bool(newest) and (len(rows) >= PAGE_SIZE or len(direct) >= PAGE_SIZE),
        )

    def _mentions(self, newest: str | None) -> tuple[list[Any], list[Any]]:
        rows = self.call(
            lambda: self.api.notifications(types=["mention"], min_id=newest, limit=PAGE_SIZE)
        )
        rows = sorted(rows, key=lambda row: _id_order(str(row["id"])))
        return rows, [row["status"] for row in rows if row.get("status")]

    def _direct(self, newest: str | None) -> list[Any]:
        """The last status of each direct conversation that changed since ``newest``,
        oldest first (``/api/v1/conversations`` pages by its conversations' last status).
        Our own direct messages are only here: a mention notification is for the other side."""
        rows = self.call(lambda: self.api.conversations(min_id=newest, limit=PAGE_SIZE))
        statuses = [row["last_status"] for row in rows if row.get("last_status")]
        return sorted(statuses, key=lambda status: _id_order(str(status["id"])))

    def _search(self, newest: str | None) -> tuple[list[Any], list[Any]]:
        query = (self.query or "").strip()
        tag = _HASHTAG.match(query)
        if tag:
            rows = self.call(
                lambda: self.api.timeline_hashtag(tag.group(1), min_id=newest, limit=PAGE_SIZE)
            )
        else:
            found = self.call(
                lambda: self.api.search_v2(
                    query, result_type="statuses", min_id=newest, limit=PAGE_SIZE
                )
            )
            rows = found["statuses"]
        rows = sorted(rows, key=lambda row: _id_order(str(row["id"])))
        return rows, rows

    def replies_to(self, status_id: str) -> list[NormalizedItem]:
        """Every reply below one of our statuses (its context's descendants), oldest first."""
        local = self.local_id(status_id)
        context = self.call(lambda: self.api.status_context(local))
        return [self.normalize(status) for status in context["descendants"]]

    # --- ids -------------------------------------------------------------------------
    # A status's or an account's id is the server's own number: two servers may both have
    # a status 1170... that are different posts. Harken's ids are "host/number" (the
    # server's host, with its port if it has one), so a workspace that listens on two
    # servers never mistakes one's status for the other's.

    @property
    def host(self) -> str:
        return urlsplit(self.instance).netloc

    def global_id(self, local: Any) -> str:
        """``local`` (this server's id of a status or an account) as Harken's id."""
        return f"{self.host}/{local}"

    def local_id(self, external_id: str) -> str:
        """This server's id of a status Harken knows as ``external_id`` (a bare number,
        as stored before ids named their server, is taken as this server's)."""
        host, _, local = external_id.rpartition("/")
        if host and host != self.host:
            # Not "permanent": that would mark the account for reconnecting, and the
            # account is fine; this one status is not its to answer.
            raise ConnectorError(
                f"This status is on {host}; the account on {self.host} cannot answer it."
            )
        return local

    def normalize(self, status: Any) -> NormalizedItem:
        account = status["account"]
        text = plain_text(status.get("content") or "")
        if status.get("spoiler_text"):
            # A content warning is part of what the author said.
            text = f"CW: {status['spoiler_text']}\n\n{text}"
        if _kind(status) == "message":
            text = with_attachments(
                text, map(_attachment_url, status.get("media_attachments") or [])
            )
        reply_to = status.get("in_reply_to_id")
        return NormalizedItem(
            network=self.network,
            external_id=self.global_id(status["id"]),
            kind=_kind(status),
            text=text,
            created=_aware(status["created_at"]),
            author_id=self.global_id(account["id"]),
            author_handle=_full_handle(account["acct"], self.instance),
            author_name=account.get("display_name") or account.get("username") or "",
            author_followers=account.get("followers_count"),
            url=status.get("url") or status.get("uri") or "",
            language=status.get("language") or "",
            in_reply_to=self.global_id(reply_to) if reply_to else "",
            is_own=bool(self.config.get("account_id"))
            and str(account["id"]) == str(self.config["account_id"]),
            raw={"uri": status.get("uri"), "visibility": status.get("visibility")},
        )

    # --- writing ---------------------------------------------------------------------

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        """Post a status. ``idempotency_key`` goes out as Mastodon's ``Idempotency-Key``
        header: a retry after a lost answer returns the first status, not a second one."""
        self.check_length(text)
        visibility = options.get("visibility")
        language = options.get("language")
        media_ids = [self.upload(item) for item in options.get("media") or []] or None
        status = self.call_plain(
            lambda: self.api.status_post(
                text,
                visibility=visibility,
                language=language,
                media_ids=media_ids,
                idempotency_key=idempotency_key,
            )
        )
        return Published(external_id=self.global_id(status["id"]), url=status.get("url") or "")

    def upload(self, item: MediaFile) -> str:
        """Upload one image or video with its description (``/api/v2/media``); its id
        for the status, once the server has processed it (a status cannot carry media
        still processing). A retry uploads it again: an unattached upload is the
        server's to clear, a second status is prevented by the status's own
        idempotency key."""
        kind, extension = item.content_type.split("/", 1)
        media = self.call_plain(
            lambda: self.api.media_post(
                item.data,
                mime_type=item.content_type,
                description=item.alt or None,
                file_name=f"{kind}.{extension}",
            )
        )
        return str(self._processed(media)["id"])

    def _processed(self, media: dict[str, Any]) -> dict[str, Any]:
        """``media`` once the server gives it a ``url`` (``GET /api/v1/media/:id``
        answers 206 while processing, 200 when done); a transient error when it takes
        longer than Harken waits, so the engine tries again later."""
        for _ in range(self.media_poll_attempts):
            if media.get("url"):
                return media
            time.sleep(self.media_poll_interval)
            media = self.call_plain(partial(self.api.media, str(media["id"])))
        if media.get("url"):
            return media
        raise ConnectorError(
            f"{urlsplit(self.instance).netloc} is still processing the video; "
            "Harken tries again later."
        )

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        """Our own status with ``text`` created at or after ``since``, read from the
        account's statuses (newest first, back to ``since``), or None.

        Asking first and then re-sending is safe on Mastodon even where this misses: the
        re-send carries the same ``Idempotency-Key``, and the server answers a repeated
        key (kept about an hour) with the status it already made, not a second one."""
        own = self.config.get("account_id")
        if not own:
            raise ConnectorError("This Mastodon account has no id; connect it again.")
        wanted = _same_text(text)
        older: str | None = None
        for _ in range(FIND_PAGES):
            page = self.call(partial(self.api.account_statuses, own, max_id=older, limit=PAGE_SIZE))
            for status in page:
                if _aware(status["created_at"]) < since:
                    return None
                if _same_text(plain_text(status.get("content") or "")) == wanted:
                    return Published(self.global_id(status["id"]), status.get("url") or "")
            if len(page) < PAGE_SIZE:
                return None
            older = str(page[-1]["id"])
        return None

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        """Answer a status; Mastodon.py adds the @-mention of its author, as a person would."""
        parent_id = self.local_id(in_reply_to)
        parent = self.call_plain(lambda: self.api.status(parent_id))
        own = self.config.get("account_id")
        body = text
        author = parent["account"]
        if str(author["id"]) != str(own) and f"@{author['acct']}" not in text:
            body = f"@{author['acct']} {text}"
        self.check_length(body)
        status = self.call_plain(
            lambda: self.api.status_post(
                body,
                in_reply_to_id=parent["id"],
                visibility=_reply_visibility(parent),
                idempotency_key=idempotency_key,
            )
        )
        return Published(external_id=self.global_id(status["id"]), url=status.get("url") or "")

    def metrics(self) -> AccountMetrics:
        me = self.call(self.api.account_verify_credentials)
        api = self.api
        return AccountMetrics(
            followers=me.get("followers_count"),
            following=me.get("following_count"),
            posts=me.get("statuses_count"),
            extra={
                "max_chars": self.limits()["max_chars"],
                "ratelimit_limit": api.ratelimit_limit,
                "ratelimit_remaining": api.ratelimit_remaining,
            },
        )

    def post_metrics(self, post_id: str) -> dict[str, Any]:
        """One of our statuses' favourites, boosts, quotes and replies (``GET
        /api/v1/statuses/:id``); Mastodon counts no impressions."""
        status = self.call(partial(self.api.status, self.local_id(post_id)))
        return {
            "favourites": status.get("favourites_count"),
            "reblogs": status.get("reblogs_count"),
            "quotes": status.get("quotes_count"),
            "replies": status.get("replies_count"),
        }

    # --- the server's own limits -------------------------------------------------------

    def limits(self, refresh: bool = False) -> dict[str, Any]:
        """The server's character limit and URL weight, read from ``/api/v2/instance`` and
        kept in the config for a day (``config_changed`` tells the caller to save it)."""
        cached = self.config.get("limits") or {}
        checked = cached.get("checked")
        if (
            not refresh
            and checked
            and datetime.now(UTC) - datetime.fromisoformat(checked) < LIMITS_MAX_AGE
        ):
            return cached
        api = self._api or self.api
        info = self.call(api.instance_v2)
        statuses = ((info.get("configuration") or {}).get("statuses")) or {}
        if not statuses.get("max_characters"):
            raise ConnectorError(f"{self.instance} did not say how long a post may be.")
        fresh = {
            "max_chars": int(statuses["max_characters"]),
            "url_chars": int(statuses.get("characters_reserved_per_url") or 23),
            "checked": datetime.now(UTC).isoformat(),
        }
        self.config["limits"] = fresh
        self.config["version"] = str(info.get("version") or "4.0.0")
        self.config_changed = True
        return fresh

    def check_length(self, text: str) -> None:
        limits = self.limits()
        length = post_length(text, limits["url_chars"])
        if length > limits["max_chars"]:
            host = urlsplit(self.instance).netloc
            raise ConnectorError(
                f"This post has {length} characters; {host} allows {limits['max_chars']}."
            )

    # --- errors ----------------------------------------------------------------------

    def _classify(self, exc: Exception) -> Retry:
        if isinstance(exc, mastodon_errors.MastodonRatelimitError):
            return Retry(True, self._rate_limit_wait())
        if isinstance(exc, mastodon_errors.MastodonServerError):
            return Retry(True)
        if isinstance(exc, mastodon_errors.MastodonNetworkError) and not _refused(exc):
            return Retry(True)
        return Retry(False)

    def _rate_limit_wait(self) -> float | None:
        reset = getattr(self._api, "ratelimit_reset", None)
        return max(0.0, float(reset) - time.time()) if reset else None

    def error(self, exc: mastodon_errors.MastodonError) -> ConnectorError:
        """The SDK's exception as a ConnectorError in the server's own words."""
        host = urlsplit(self.instance).netloc or self.instance
        if _refused(exc):
            return ConnectorError(str(exc.__context__), permanent=True)
        if isinstance(exc.__context__, HostNotFound):
            return ConnectorError(str(exc.__context__))
        if isinstance(exc, mastodon_errors.MastodonRatelimitError):
            wait = self._rate_limit_wait()
            return ConnectorError(
                f"{host}'s rate limit is used up.", retry_after=wait if wait is not None else 300
            )
        if isinstance(exc, mastodon_errors.MastodonAPIError):
            status, said = _api_error_parts(exc)
            session = getattr(self._api, "session", None)
            if not said and isinstance(session, GuardedSession):
                said = session.last_error_text()
            said = said or (str(exc.args[2]) if len(exc.args) > 2 else str(exc))
            # 401: token revoked or expired; 403: account suspended or app blocked;
            # 422: the server refused the status itself ("Validation failed: Text
            # character limit…"), which no retry or reconnect changes.
            permanent = status in (401, 403)
            return ConnectorError(
                f"{host} answered HTTP {status}: {said}",
                permanent=permanent,
                rejected=status == 422,
            )
        return ConnectorError(f"Could not reach {host}: {exc}")


# --- helpers ---------------------------------------------------------------------------


def normalize_instance(raw: str) -> str:
    """``mastodon.social`` or ``https://mastodon.social/`` → ``https://mastodon.social``."""
    value = raw.strip().rstrip("/")
    if value and "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.netloc else value


def post_length(text: str, url_chars: int) -> int:
    """Characters as Mastodon counts them: every URL weighs ``url_chars``."""
    urls = _URL.findall(text)
    return len(_URL.sub("", text)) + url_chars * len(urls)


def _same_text(text: str) -> str:
    # Mastodon gives back HTML; its plain text differs from what we sent only in spacing.
    return " ".join(text.split())


def load_cursor(cursor: str | None, key: str = "newest") -> str | None:
    """The newest id read (``key`` "newest": mentions or search; "direct": direct messages)."""
    if not cursor:
        return None
    try:
        value = json.loads(cursor).get(key)
    except (ValueError, AttributeError):
        return None
    return str(value) if value else None


def dump_cursor(newest: str | None, direct: str | None = None) -> str | None:
    kept = {key: value for key, value in (("newest", newest), ("direct", direct)) if value}
    return json.dumps(kept) if kept else None


def _id_order(value: str) -> tuple[int, str]:
    # Mastodon ids are numeric strings of varying length: compare them as numbers.
    return (len(value), value)


def _kind(status: Any) -> str:
    if status.get("visibility") == "direct":
        return "message"
    return "reply" if status.get("in_reply_to_id") else "post"


def _attachment_url(media: Any) -> str:
    """Where a status's attachment is: this server's copy (``url``), else the author's
    server's (``remote_url``, a remote file this server has not fetched yet)."""
    return str(media.get("url") or media.get("remote_url") or "")


def _reply_visibility(parent: Any) -> str:
    # Answer a private mention privately; never widen who sees a conversation.
    return (
        parent.get("visibility")
        if parent.get("visibility") in ("direct", "private", "unlisted")
        else "public"
    )


def _full_handle(acct: str, instance: str) -> str:
    # Local accounts have a bare "acct"; add the server so handles are unique everywhere.
    return f"@{acct}" if "@" in acct else f"@{acct}@{urlsplit(instance).netloc}"


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _refused(exc: BaseException) -> bool:
    """The URL guard refused the server's address (private, reserved...): asking again
    cannot help. A name that did not resolve is not that: DNS and domains come back."""
    cause = exc.__context__
    return isinstance(cause, UnsafeURL) and not isinstance(cause, HostNotFound)


def _api_error_parts(exc: mastodon_errors.MastodonAPIError) -> tuple[int | None, str]:
    # Mastodon.py raises ('Mastodon API returned error', status, reason, error text).
    args = exc.args
    status = args[1] if len(args) > 1 and isinstance(args[1], int) else None
    said = str(args[3]) if len(args) > 3 and args[3] else ""
    return status, said
