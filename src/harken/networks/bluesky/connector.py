"""Bluesky through the atproto SDK: notifications, post search, replies, posts, profile.

An account connects one of two ways:

- an app password: config ``handle`` and ``app_password`` (never the account's main
  password), ``service`` (the PDS, default https://bsky.social), and what Harken keeps
  itself: ``session`` (the SDK's exported session string, refreshed as the SDK refreshes
  it) and ``did``;
- "Sign in with Bluesky" (``auth: "oauth"``, see ``oauth.py``): ``did``, ``handle``,
  ``pds``, the DPoP-bound tokens and their key. The SDK's ``Client`` then sends through
  ``oauth.DPoPRequest``, which signs every call and refreshes the tokens; everything
  below the session layer is the same for both.

Responses are parsed by the SDK's models, then handled as the plain JSON the lexicon
defines (``get_model_as_dict``), which is also what ``NormalizedItem.raw`` keeps.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import regex
from atproto import Client, models
from atproto_client import exceptions as atproto_errors
from atproto_client.client.session import Session, SessionEvent
from atproto_client.models.blob_ref import BlobRef
from atproto_client.models.languages import DEFAULT_LANGUAGE_CODE1
from atproto_client.models.utils import get_model_as_dict
from atproto_client.request import Request
from django.conf import settings

from harken.lib import http
from harken.lib.guarded import guarded_httpx_kwargs
from harken.lib.retry import Retry, retry_call
from harken.lib.urlguard import HostNotFound, UnsafeURL
from harken.networks.base import (
    MESSAGES_REFUSED,
    AccountMetrics,
    Connector,
    ConnectorError,
    MediaFile,
    NormalizedItem,
    Page,
    Published,
)
from harken.networks.renewal import TokenLayout

log = logging.getLogger(__name__)

TIMEOUT = 20.0
DEFAULT_SERVICE = "https://bsky.social"
#: Bluesky's video service (the ``BLUESKY_VIDEO_URL`` setting points it elsewhere: a
#: local one in tests). It takes the upload, transcodes it and stores the blob on the PDS.
VIDEO_SERVICE = "https://video.bsky.app"
#: How long the service token for the upload lives (the docs' 30 minutes).
VIDEO_TOKEN_SECONDS = 30 * 60
PAGE = 100  # the largest page listNotifications and searchPosts accept
MAX_PAGES = 5  # how far back one poll walks to reach the last cursor
MENTION_REASONS = ["mention", "reply", "quote"]
POSTS = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
#: 100-nanosecond intervals between 1582-10-15 (UUID time zero) and 1970-01-01.
UUID_EPOCH_OFFSET = 0x01B21DD213814000
#: Bluesky's own error names that mean a person must reconnect the account.
PERMANENT_ERRORS = {
    "ExpiredToken",
    "InvalidToken",
    "AuthenticationRequired",
    "AccountTakedown",
    "AuthFactorTokenRequired",
}


def grapheme_count(text: str) -> int:
    """Bluesky limits posts to 300 graphemes (user-perceived characters), not code points."""
    return len(regex.findall(r"\X", text))


LINK = regex.compile(r"https?://[^\s<>\"]+[^\s<>\"'.,;:!?)\]]")
HASHTAG = regex.compile(r"(?<![\w#])#(?!\d+\b)(\w{1,64})")
#: ``@handle`` as Bluesky's own apps find it: after a start, a space or "(", a handle
#: with at least one dot, its last label starting with a letter.
MENTION = regex.compile(
    r"(?<=^|[\s(])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?![\w.-]*[\w-])"
)


def facets_for(
    text: str, resolve: Callable[[str], str | None] | None = None
) -> list[models.AppBskyRichtextFacet.Main]:
    """Links, hashtags and mentions as rich-text facets, so they are clickable on Bluesky.

    Facets address UTF-8 byte offsets, not characters. A mention needs its handle's DID:
    ``resolve`` gives it (None: the handle stays plain text, as it does without
    ``resolve``). A hashtag or mention inside a link is part of the link."""
    facets = []
    taken: list[tuple[int, int]] = []
    for match in LINK.finditer(text):
        feature: Any = models.AppBskyRichtextFacet.Link(uri=match[0])
        facets.append(_facet(text, match.start(), match.end(), feature))
        taken.append(match.span())

    def free(start: int, end: int) -> bool:
        return all(end <= lo or start >= hi for lo, hi in taken)

    for match in HASHTAG.finditer(text):
        if free(*match.span()):
            feature = models.AppBskyRichtextFacet.Tag(tag=match[1])
            facets.append(_facet(text, match.start(), match.end(), feature))
    for match in MENTION.finditer(text):
        did = resolve(match[1].lower()) if resolve and free(*match.span()) else None
        if did:
            feature = models.AppBskyRichtextFacet.Mention(did=did)
            facets.append(_facet(text, match.start(), match.end(), feature))
    return sorted(facets, key=lambda f: f.index.byte_start)


def _facet(text: str, start: int, end: int, feature: Any) -> models.AppBskyRichtextFacet.Main:
    byte_start = len(text[:start].encode())
    byte_end = byte_start + len(text[start:end].encode())
    index = models.AppBskyRichtextFacet.ByteSlice(byte_start=byte_start, byte_end=byte_end)
    return models.AppBskyRichtextFacet.Main(index=index, features=[feature])


def _xrpc_error(exc: atproto_errors.AtProtocolError) -> tuple[int | None, str, str]:
    """(status, error name, message) from an SDK exception, in Bluesky's own words."""
    response = getattr(exc, "response", None)
    if response is None:
        return None, "", str(exc.__cause__ or exc) or type(exc).__name__
    content = response.content
    name = getattr(content, "error", "") or ""
    message = getattr(content, "message", "") or name or f"HTTP {response.status_code}"
    return response.status_code, name, message


def _retry_after(exc: Exception) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    if str(headers.get("retry-after", "")).isdigit():
        return float(headers["retry-after"])
    reset = str(headers.get("ratelimit-reset", ""))
    if reset.isdigit():
        return max(0.0, int(reset) - datetime.now(UTC).timestamp()) + 1
    return None


def classify(exc: Exception) -> Retry:
    if isinstance(exc, HostNotFound):
        return Retry(exc.temporary)  # the resolver failed for now; a missing name stays so
    if isinstance(exc, atproto_errors.RateLimitExceededError):
        return Retry(True, _retry_after(exc))
    if isinstance(exc, atproto_errors.InvokeTimeoutError | atproto_errors.NetworkError):
        return Retry(True)
    if isinstance(exc, atproto_errors.RequestException) and not isinstance(
        exc, atproto_errors.BadRequestError
    ):
        status, _, _ = _xrpc_error(exc)
        return Retry(status is None or status >= 500)
    return Retry(False)


def to_connector_error(exc: Exception) -> ConnectorError:
    if isinstance(exc, UnsafeURL):
        # The URL guard refused an address; a name that did not resolve may come back.
        return ConnectorError(str(exc), permanent=not isinstance(exc, HostNotFound))
    if not isinstance(exc, atproto_errors.AtProtocolError):
        return ConnectorError(f"Bluesky: {exc}")
    status, name, message = _xrpc_error(exc)
    if isinstance(exc, atproto_errors.UnauthorizedError) or name in PERMANENT_ERRORS:
        return ConnectorError(f"Bluesky refused the login: {message}", permanent=True)
    if isinstance(exc, atproto_errors.RateLimitExceededError):
        return ConnectorError(f"Bluesky rate limit: {message}", retry_after=_retry_after(exc))
    if isinstance(exc, atproto_errors.InvokeTimeoutError):
        return ConnectorError("Bluesky did not answer in time.")
    return ConnectorError(f"Bluesky: {message}")


def _refused_record(error: ConnectorError) -> ConnectorError:
    """``error`` from creating a post, as a rejection when Bluesky refused the record
    itself (InvalidRequest, HTTP 400: "grapheme too big", a bad record): no retry or
    reconnect changes that. ``_write`` still looks for a post already under the record
    key before it lets a rejection through (a repeated create is refused the same way)."""
    cause = error.__cause__
    if not isinstance(cause, atproto_errors.BadRequestError):
        return error
    status, name, message = _xrpc_error(cause)
    if status != 400 or name != "InvalidRequest":
        return error
    refused = ConnectorError(f"Bluesky refused the post: {message}", rejected=True)
    refused.__cause__ = cause
    return refused


class Bluesky(Connector):
    network = "bluesky"
    label = "Bluesky"
    connect_flows: ClassVar[dict[str, str]] = {
        "oauth": "harken.networks.bluesky.flows.OAuth",
        "app_password": "harken.networks.bluesky.flows.AppPassword",
    }
    connect_template = "connect_bluesky.html"
    search_mode = "account"  # searchPosts needs a signed-in account
    capabilities = frozenset({"fetch", "search", "publish", "reply", "metrics"})
    max_chars = 300  # graphemes; see grapheme_count
    counts_urls_as = None  # a link counts as its full text
    #: app.bsky.embed.images: four images, each blob at most 1,000,000 bytes.
    max_images: ClassVar[int] = 4
    makes_threads: ClassVar[bool] = True
    max_image_bytes: ClassVar[int | None] = 1_000_000
    image_types: ClassVar[frozenset[str]] = frozenset(
        {"image/jpeg", "image/png", "image/gif", "image/webp"}
    )
    #: app.bsky.embed.video: one MP4 instead of images, at most 100 MB and 3 minutes
    #: (the video service's limits for a post).
    max_videos: ClassVar[int] = 1
    video_types: ClassVar[frozenset[str]] = frozenset({"video/mp4"})
    max_video_bytes: ClassVar[int | None] = 100 * 1000 * 1000
    max_video_seconds: ClassVar[float | None] = 3 * 60
    #: How often and how many times the video service's job is asked about (about 90 s,
    #: as for Mastodon) before the engine is told to try again later: the retry's upload
    #: answers 409 with the same job, so the wait goes on where it stopped.
    video_poll_interval: ClassVar[float] = 2.0
    video_poll_attempts: ClassVar[int] = 45
    finds_published = True  # by the record key its idempotency key gives (see publish)
    #: A version 1 UUID key is the post's record key: a second write under it answers
    #: with the first post (see publish and reply), for as long as the post exists.
    idempotent_writes = True
    text_counting = "graphemes"

    def __init__(
        self,
        config: dict[str, Any] | None = None,
        *,
        query: str | None = None,
        workspace: Any = None,
    ) -> None:
        super().__init__(config, query=query, workspace=workspace)
        self._logged_in = False
        self._from_saved_session = False
        if self.uses_oauth:
            from harken.networks.bluesky.oauth import DPoPRequest, OAuthSession

            request = DPoPRequest(OAuthSession(self))
            self.client = Client(base_url=self.config.get("pds"), request=request)
            self._logged_in = True  # the tokens are the session: no login call
            return
        service = self.config.get("service") or DEFAULT_SERVICE
        # The service URL is typed by a person, and the SDK follows redirects and the
        # PDS its DID document names: every hop and connection goes through the guard.
        request = Request(timeout=TIMEOUT, **guarded_httpx_kwargs())
        self.client = Client(base_url=service, request=request)
        self.client.on_session_change(self._session_changed)

    @property
    def uses_oauth(self) -> bool:
        return self.config.get("auth") == "oauth"

    # -- session -----------------------------------------------------------------

    def _session_changed(self, event: SessionEvent, session: Session) -> None:
        """The SDK created or refreshed tokens: keep them, so the next run needs no login.
        The refresh token and the access token's expiry are kept beside the session too:
        ``_saved_session`` renews through ``renew_once`` with them."""
        if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
            self.config["session"] = self.client.export_session_string()
            self.config["did"] = session.did
            self.config["handle"] = session.handle
            self.config.update(_session_tokens(session))
            self.config_changed = True

    def _login(self) -> Client:
        if self._logged_in:
            return self.client
        if self.config.get("session"):
            self._from_saved_session = True
            session = self._call(self._saved_session)
            self.client.login(session_string=session, fetch_bsky_profile=False)
        else:
            self._password_login()
        self._logged_in = True
        return self.client

    def _saved_session(self) -> str:
        """The saved session, renewed first when its access token is about to expire.

        The refresh token rotates, so two workers reading through one account (its
        mentions and a search) must not both spend it: the renewal is claimed on the
        account row (``renew_once``), as for OAuth, and the other worker uses its result.
        The SDK would refresh on its own 15 minutes before expiry, each client for
        itself; renewing earlier leaves it nothing to do. A session saved before the
        refresh token was kept beside it, or one not saved yet, is left to the SDK."""
        session = str(self.config["session"])
        if not (self.config.get("refresh_token") and SESSION_TOKENS.is_stale(self.config)):
            return session
        from harken.networks.bluesky.oauth import account_id_for
        from harken.networks.renewal import renew_once

        account_id = account_id_for(self.config, self.workspace_id)
        if account_id is None:
            return session
        held = Session.decode(session).access_jwt
        fresh = renew_once(SESSION_TOKENS, account_id, held, False, self._refresh_session)
        if fresh.get("auth") == "oauth" or not fresh.get("session"):
            raise ConnectorError(
                "This Bluesky account was reconnected differently; connect it again.",
                permanent=True,
            )
        self.config.clear()
        self.config.update(fresh)
        return str(fresh["session"])

    def _refresh_session(self, config: dict[str, Any]) -> dict[str, Any]:
        """``com.atproto.server.refreshSession`` with the saved refresh token (for
        ``renew_once``); returns the config keys that change."""
        self.client.login(session_string=config["session"], fetch_bsky_profile=False)
        log.info("Refreshing the Bluesky session of %s", config.get("did"))
        self.client._refresh_and_set_session()  # the SDK's own refresh, once
        session = Session.decode(self.client.export_session_string())
        return {"session": self.client.export_session_string(), **_session_tokens(session)}

    def log_in(self) -> tuple[str, str]:
        """Log in with the handle and app password now, ignoring any saved session, and
        return the account's (did, handle). Connecting an account checks it this way."""
        self.config.pop("session", None)
        self._logged_in = False
        self._login()
        return self.config["did"], self.config["handle"]

    def _password_login(self) -> None:
        handle, password = self.config.get("handle"), self.config.get("app_password")
        if not (handle and password):
            raise ConnectorError(
                "Bluesky needs the account's handle and an app password.", permanent=True
            )
        self._call(lambda: self.client.login(handle, password, fetch_bsky_profile=False))
        self._from_saved_session = False

    def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return retry_call(fn, classify)
        except atproto_errors.LoginRequiredError as exc:
            raise ConnectorError(
                "Bluesky needs the account to log in again.", permanent=True
            ) from exc
        except ConnectorError:
            raise
        except Exception as exc:
            raise to_connector_error(exc) from exc

    def _do(self, fn: Callable[[Client], Any]) -> Any:
        """Call the SDK, logged in. A saved session that Bluesky refuses (its refresh
        token expired after about two months, or a password change revoked it) is
        replaced by a fresh login with the app password, once."""
        try:
            client = self._login()
            return self._call(lambda: fn(client))
        except ConnectorError as error:
            if not (
                error.permanent and self._from_saved_session and self.config.get("app_password")
            ):
                raise
            log.info("Bluesky refused the saved session (%s); logging in again.", error.message)
        self.config.pop("session", None)
        self._password_login()
        self._logged_in = True
        return self._call(lambda: fn(self.client))

    # -- reading -----------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        """Mentions, replies and quotes of the account (or search hits for ``query``).

        The cursor is ``indexedAt|uri`` of the newest item seen. Both endpoints run newest
        first with a cursor that goes back in time, so a poll walks pages back until a
        page holds nothing newer than the cursor (at most ``MAX_PAGES``).
        """
        after = _parse_cursor(cursor)
        chat_since = _chat_cursor(cursor)
        views: list[dict[str, Any]] = []
        page_cursor: str | None = None
        for _ in range(MAX_PAGES if after else 1):
            batch, page_cursor = self._read_page(page_cursor, after)
            newer = [v for v in batch if _is_newer(v, after)]
            views.extend(newer)
            if not page_cursor or len(newer) < len(batch):
                break  # newest first: past the cursor, everything older was seen
        views = list({v["uri"]: v for v in views}.values())
        items = [self._item(v) for v in views]
        skipped: list[tuple[str, str]] = []
        if not self.query:
            messages, chat_since, skipped = self._direct_messages(chat_since)
            items += messages
        items.sort(key=lambda i: (i.created, i.external_id))
        newest = max(views, key=lambda v: v["indexedAt"], default=None)
        mentions = f"{newest['indexedAt']}|{newest['uri']}" if newest else _mentions_cursor(cursor)
        return Page(items=items, cursor=_dump_cursor(mentions, chat_since), skipped=skipped)

    def _direct_messages(
        self, since: str | None
    ) -> tuple[list[NormalizedItem], str | None, list[tuple[str, str]]]:
        """New chat messages (``chat.py``). A login that may not read chat leaves the
        mentions readable: the refusal is kept in the config and shown on the source, and
        chat is asked again a day later, not at every poll."""
        from harken.networks.bluesky import chat

        refused = self.config.get(MESSAGES_REFUSED) or {}
        if refused and datetime.now(UTC) - _parse_time(refused["at"]) < chat.ASK_AGAIN_AFTER:
            return [], since, []
        if not self._may_chat():
            return [], since, []
        try:
            items, since = chat.read(self, since)
        except ConnectorError as error:
            if chat.no_access(error):
                words = chat.no_access_words(error)
                self.config[MESSAGES_REFUSED] = {"at": datetime.now(UTC).isoformat(), "why": words}
                self.config_changed = True
                return [], since, [("direct messages", words)]
            if error.permanent:
                raise
            # Chat failed for now (its rate limit, the service down): the mentions read
            # are kept, and chat is read from the same cursor next time.
            return [], since, [("direct messages", error.message)]
        if refused:
            self.config.pop(MESSAGES_REFUSED, None)
            self.config_changed = True
        return items, since, []

    def _read_page(
        self, page_cursor: str | None, after: tuple[str, str] | None
    ) -> tuple[list[dict], str | None]:
        if self.query:
            params = models.AppBskyFeedSearchPosts.Params(
                q=self.query,
                sort="latest",
                limit=PAGE,
                cursor=page_cursor,
                since=after[0] if after else None,
            )
            response = self._do(lambda c: c.app.bsky.feed.search_posts(params))
            return [get_model_as_dict(p) for p in response.posts], response.cursor
        params = models.AppBskyNotificationListNotifications.Params(
            limit=PAGE, cursor=page_cursor, reasons=MENTION_REASONS
        )
        response = self._do(lambda c: c.app.bsky.notification.list_notifications(params))
        # Older servers ignore ``reasons``: filter here as well.
        notes = [get_model_as_dict(n) for n in response.notifications]
        return [n for n in notes if n.get("reason") in MENTION_REASONS], response.cursor

    def _item(self, view: dict[str, Any]) -> NormalizedItem:
        """A post view or a notification (both carry uri, author, record, indexedAt)."""
        record = view.get("record") or {}
        author = view.get("author") or {}
        reply = record.get("reply") or {}
        parent = (reply.get("parent") or {}).get("uri", "")
        langs = record.get("langs") or []
        return NormalizedItem(
            network=self.network,
            external_id=view["uri"],
            kind="reply" if parent else "post",
            text=record.get("text", ""),
            created=_parse_time(record.get("createdAt") or view["indexedAt"]),
            author_id=author.get("did", ""),
            author_handle=author.get("handle", ""),
            author_name=author.get("displayName", "") or "",
            author_followers=author.get("followersCount"),
            url=post_url(author.get("handle") or author.get("did", ""), view["uri"]),
            language=langs[0] if langs else "",
            in_reply_to=parent,
            conversation_id=(reply.get("root") or {}).get("uri", "") or view["uri"],
            is_own=bool(self.config.get("did")) and author.get("did") == self.config.get("did"),
            raw=view,
        )

    def _may_chat(self) -> bool:
        """Whether the login may read chat: an OAuth grant with ``transition:chat.bsky``,
        or an app password made with “Allow access to your direct messages” (its
        session's scope is ``com.atproto.appPassPrivileged``). Others are not asked: the
        chat service would refuse them at every poll (docs/connecting-bluesky.md)."""
        from harken.networks.bluesky import chat

        if self.uses_oauth:
            return chat.OAUTH_SCOPE in str(self.config.get("scope") or "").split()
        client = self._do(lambda c: c)
        session = client.export_session_string()
        scope = Session.decode(session).access_jwt_payload.scope if session else None
        return scope in chat.SESSION_SCOPES

    # -- writing -----------------------------------------------------------------

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        """Post ``text`` (at most 300 graphemes); ``langs`` may name its languages.

        Bluesky has no idempotency header, but a record's key may be chosen: a time-based
        ``idempotency_key`` (a version 1 UUID) becomes the post's TID record key, the same
        on every try. A second create under that key cannot make a second post; when it
        is refused, the post already there is the answer."""
        self._check_length(text)
        video = options.get("video")
        embed = self._video(video) if video else self._images(options.get("media") or [])
        return self._write(text, idempotency_key, None, options.get("langs"), embed)

    def _images(self, media: list[MediaFile]) -> Any:
        """Upload each image as a blob (``uploadBlob``); the post's images embed, or None."""
        if not media:
            return None
        images = []
        for item in media:
            uploaded = self._do(_uploader(item.data))
            images.append(models.AppBskyEmbedImages.Image(alt=item.alt or "", image=uploaded.blob))
        return models.AppBskyEmbedImages.Main(images=images)

    def _video(self, item: MediaFile) -> Any:
        """The post's video embed: the bytes sent to Bluesky's video service with a
        service token from the PDS, its job waited for, its blob in the embed with the
        alt text and the aspect ratio the composer read from the file's header."""
        blob = self._processed_video(self._upload_video(item))
        ratio = None
        if item.width and item.height:
            ratio = models.AppBskyEmbedDefs.AspectRatio(width=item.width, height=item.height)
        return models.AppBskyEmbedVideo.Main(
            video=BlobRef.model_validate(blob), alt=item.alt or None, aspect_ratio=ratio
        )

    def _service_token(self) -> str:
        """A token from the account's PDS that lets the video service store the blob
        there (``getServiceAuth``, bound to ``uploadBlob``, audience the PDS's did:web)."""
        pds = urlsplit(self.config.get("pds") or self.client._base_url)
        params = {
            "aud": f"did:web:{pds.netloc.replace(':', '%3A')}",
            "lxm": "com.atproto.repo.uploadBlob",
            "exp": int(time.time()) + VIDEO_TOKEN_SECONDS,
        }
        answer = self._do(lambda client: client.com.atproto.server.get_service_auth(params))
        return str(answer.token)

    def _upload_video(self, item: MediaFile) -> dict[str, Any]:
        """``uploadVideo``: the job the service started, or the one it already has for
        these bytes (409 ``already_exists``, so a retry after a crash uploads nothing
        twice)."""
        token = self._service_token()
        response = _video_call(
            "POST",
            "app.bsky.video.uploadVideo",
            params={"did": self._did(), "name": f"{uuid.uuid4().hex}.mp4"},
            headers={"Authorization": f"Bearer {token}", "Content-Type": item.content_type},
            content=item.data,
            timeout=60.0,
            total_timeout=600.0,
        )
        return _job(response)

    def _processed_video(self, job: dict[str, Any]) -> dict[str, Any]:
        """The blob of ``job`` once the service has processed the video; the service's
        own words when it failed it; a transient error when it takes longer than Harken
        waits (the retry's upload answers 409 with this job)."""
        for attempt in range(self.video_poll_attempts + 1):
            state = job.get("state")
            if state == "JOB_STATE_FAILED":
                words = job.get("message") or job.get("error") or "no reason given"
                raise ConnectorError(
                    f"Bluesky's video service could not process the video: {words}",
                    rejected=True,
                )
            if job.get("blob"):
                return dict(job["blob"])
            if not job.get("jobId"):
                raise ConnectorError("Bluesky's video service answered without a job.")
            if attempt == self.video_poll_attempts:
                break
            time.sleep(self.video_poll_interval)
            job = _job(
                _video_call("GET", "app.bsky.video.getJobStatus", params={"jobId": job["jobId"]})
            )
        raise ConnectorError(
            "Bluesky's video service is still processing the video; Harken tries again later."
        )

    def _write(
        self,
        text: str,
        idempotency_key: str | None,
        reply_to: Any,
        langs: list[str] | None,
        embed: Any = None,
    ) -> Published:
        """Create the post, under the record key ``idempotency_key`` gives when it gives one."""
        rkey = tid_for(idempotency_key)
        if rkey is None:
            return self._send(text, reply_to, langs, embed)
        try:
            return self._create(text, rkey, reply_to, langs, embed)
        except ConnectorError as error:
            if error.permanent:
                raise
            try:
                earlier = self._own_post(rkey)
            except ConnectorError:
                # Unknown whether the key's record is there: a rejection could be a
                # conflict, so it stays a transient error and the next try asks again.
                raise ConnectorError(error.message, retry_after=error.retry_after) from None
            if earlier is None:
                raise
            if earlier.value.text != text:
                # Another post holds the record key: a conflict, not this text's fault.
                raise ConnectorError(error.message) from error.__cause__
            return self._published(earlier.uri)

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        """The post made under ``idempotency_key``: read by its record key when the key
        gives one, else looked for among the account's own posts since ``since``."""
        rkey = tid_for(idempotency_key)
        if rkey is not None:
            found = self._own_post(rkey)
            # Another text under the key's record key is another post (two keys of one
            # microsecond from two processes), never ours: report nothing rather than it.
            if found is None or found.value.text != text:
                return None
            return self._published(found.uri)
        did = self._did()
        params = models.ComAtprotoRepoListRecords.Params(repo=did, collection=POSTS, limit=PAGE)
        page = self._do(lambda c: c.com.atproto.repo.list_records(params))
        for record in page.records:
            value = get_model_as_dict(record.value)
            if value.get("text") == text and _parse_time(value["createdAt"]) >= since:
                return self._published(record.uri)
        return None

    def _create(
        self, text: str, rkey: str, reply_to: Any, langs: list[str] | None, embed: Any = None
    ) -> Published:
        did = self._did()
        record = models.AppBskyFeedPost.Record(
            created_at=self.client.get_current_time_iso(),
            text=text,
            langs=langs or [DEFAULT_LANGUAGE_CODE1],
            facets=self._facets(text) or None,
            reply=reply_to,
            embed=embed,
        )
        try:
            created = self._do(lambda c: c.app.bsky.feed.post.create(did, record, rkey=rkey))
        except ConnectorError as error:
            raise _refused_record(error) from error.__cause__
        return self._published(created.uri)

    def _own_post(self, rkey: str) -> Any:
        """The account's post under ``rkey`` ({uri, cid, value}), or None."""
        did = self._did()

        def read(client: Client) -> Any:
            try:
                return client.app.bsky.feed.post.get(did, rkey)
            except atproto_errors.BadRequestError as exc:
                if _xrpc_error(exc)[1] == "RecordNotFound":
                    return None
                raise

        return self._do(read)

    def _did(self) -> str:
        # Through ``_do``: a saved session Bluesky refuses is replaced by a fresh login here
        # too, as before a read, instead of failing the post.
        client = self._do(lambda c: c)
        return self.config.get("did") or Session.decode(client.export_session_string()).did

    def _published(self, uri: str) -> Published:
        return Published(
            external_id=uri, url=post_url(self.config.get("handle") or self._did(), uri)
        )

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        """Answer the post at ``in_reply_to`` (an at:// URI), in its thread; under the
        record key ``idempotency_key`` gives, as ``publish``. A chat message
        (``chat:…``) is answered privately, in its conversation (``chat.send``)."""
        self._check_length(text)
        from harken.networks.bluesky import chat

        if chat.is_chat_id(in_reply_to):
            return chat.send(self, in_reply_to, text, idempotency_key)
        found = self._do(lambda c: c.get_posts([in_reply_to]))
        if found.posts:
            parent = found.posts[0]
            parent_ref = models.create_strong_ref(parent)
            thread = getattr(parent.record, "reply", None)
        else:
            parent_ref, thread = self._own_parent(in_reply_to)
        root_ref = thread.root if thread else parent_ref
        reply_to = models.AppBskyFeedPost.ReplyRef(parent=parent_ref, root=root_ref)
        return self._write(text, idempotency_key, reply_to, None)

    def _own_parent(self, uri: str) -> tuple[Any, Any]:
        """(strong ref, its reply ref or None) of a post of this account that the AppView
        does not show yet (a thread's part or the post a first comment answers, made a
        moment ago), read from the account's own repository."""
        parts = uri.removeprefix("at://").split("/")
        gone = ConnectorError(f"Bluesky has no post {uri} any more (deleted?).")
        if len(parts) != 3 or parts[1] != POSTS or parts[0] != self._did():
            raise gone
        record = self._own_post(parts[2])
        if record is None:
            raise gone
        ref = models.ComAtprotoRepoStrongRef.Main(uri=record.uri, cid=record.cid)
        return ref, getattr(record.value, "reply", None)

    def _send(
        self, text: str, reply_to: Any, langs: list[str] | None, embed: Any = None
    ) -> Published:
        client = self._login()
        did = self.config.get("did") or Session.decode(client.export_session_string()).did
        try:
            created = self._call(
                lambda: client.send_post(
                    text,
                    profile_identify=did,
                    reply_to=reply_to,
                    langs=langs,
                    facets=self._facets(text) or None,
                    embed=embed,
                )
            )
        except ConnectorError as error:
            raise _refused_record(error) from error.__cause__
        return Published(
            external_id=created.uri, url=post_url(self.config.get("handle") or did, created.uri)
        )

    def _facets(self, text: str) -> list[models.AppBskyRichtextFacet.Main]:
        """``facets_for`` with each mentioned handle resolved by the account's own PDS."""
        found: dict[str, str | None] = {}

        def resolve(handle: str) -> str | None:
            if handle not in found:
                params = models.ComAtprotoIdentityResolveHandle.Params(handle=handle)
                try:
                    answer = self._do(lambda c: c.com.atproto.identity.resolve_handle(params))
                    found[handle] = answer.did
                except ConnectorError as error:
                    if error.permanent:
                        raise
                    found[handle] = None  # no such handle: it stays plain text
            return found[handle]

        return facets_for(text, resolve)

    def _check_length(self, text: str) -> None:
        count = grapheme_count(text)
        if count > self.max_chars:
            raise ConnectorError(
                f"Bluesky allows {self.max_chars} characters; this text has {count}.",
                rejected=True,
            )

    def metrics(self) -> AccountMetrics:
        actor = self.config.get("did") or self.config.get("handle")
        profile = self._do(lambda c: c.get_profile(actor))
        return AccountMetrics(
            followers=profile.followers_count,
            following=profile.follows_count,
            posts=profile.posts_count,
        )

    def post_metrics(self, post_id: str) -> dict[str, Any]:
        """One post's likes, reposts, quotes and replies from the AppView (``getPosts``
        with its at:// URI); Bluesky counts no impressions."""
        found = self._do(lambda c: c.get_posts([post_id]))
        if not found.posts:
            raise ConnectorError(f"Bluesky has no post {post_id} any more (deleted?).")
        post = found.posts[0]
        return {
            "likes": post.like_count,
            "reposts": post.repost_count,
            "quotes": post.quote_count,
            "replies": post.reply_count,
        }


#: An app-password session's tokens in an account's config, for ``renew_once``. The
#: margin is wider than the SDK's own 15 minutes, so that Harken renews first.
SESSION_TOKENS = TokenLayout(network="Bluesky", access_key="access_jwt", margin=20 * 60)


def _session_tokens(session: Session) -> dict[str, Any]:
    """The keys ``SESSION_TOKENS`` reads, from an SDK session."""
    payload = session.access_jwt_payload
    return {
        "access_jwt": session.access_jwt,
        "refresh_token": session.refresh_jwt,
        "expires_at": float(payload.exp) if payload and payload.exp else 0.0,
    }


def _video_call(method: str, nsid: str, **options: Any) -> Any:
    """One call to the video service through ``harken.lib.http`` (guard, timeouts,
    retries with backoff on 429 and 5xx); a refusal in the service's words."""
    base = getattr(settings, "BLUESKY_VIDEO_URL", None) or VIDEO_SERVICE
    response = http.request(
        method, f"{base.rstrip('/')}/xrpc/{nsid}", raise_for_status=False, **options
    )
    if response.status_code < 400 or (response.status_code == 409 and nsid.endswith("uploadVideo")):
        return response
    try:
        body = response.json()
    except ValueError:
        body = {}
    words = (body.get("message") or body.get("error")) if isinstance(body, dict) else None
    raise ConnectorError(
        f"Bluesky's video service refused the video: {words or f'HTTP {response.status_code}'}",
        # A refused service token (401) is not the account's login: the retry asks the
        # PDS for a fresh one. The video itself refused (400, too large, a bad type) stays so.
        rejected=response.status_code in (400, 413, 415),
    )


def _job(response: Any) -> dict[str, Any]:
    """The job status in an answer (``{"jobStatus": {...}}`` per the lexicon, or the
    status itself, as uploadVideo and a 409 answer it)."""
    try:
        body = response.json()
    except ValueError:
        raise ConnectorError(
            "Bluesky's video service answered something other than JSON."
        ) from None
    if not isinstance(body, dict):
        raise ConnectorError("Bluesky's video service answered something other than a job.")
    job = body.get("jobStatus", body)
    return job if isinstance(job, dict) else {}


def _uploader(data: bytes) -> Callable[[Client], Any]:
    return lambda client: client.upload_blob(data)


def tid_for(idempotency_key: str | None) -> str | None:
    """A TID record key (13 base32-sortable characters: 53 bits of microseconds since
    1970, 10 bits of clock id) from a version 1 UUID's own time and clock sequence, the
    same every time; None for any other key."""
    try:
        key = uuid.UUID(str(idempotency_key))
    except ValueError:
        return None
    if key.version != 1:
        return None
    micros = (key.time - UUID_EPOCH_OFFSET) // 10
    number = (micros << 10) | (key.clock_seq & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def post_url(handle_or_did: str, uri: str) -> str:
    """The bsky.app page of a post: at://did/app.bsky.feed.post/rkey → /profile/handle/post/rkey."""
    return f"https://bsky.app/profile/{handle_or_did}/post/{uri.rsplit('/', 1)[-1]}"


def _parse_cursor(cursor: str | None) -> tuple[str, str] | None:
    """The mentions' part of the cursor: (indexedAt, uri) of the newest item seen."""
    mentions = _mentions_cursor(cursor)
    if not mentions:
        return None
    indexed, _, uri = mentions.partition("|")
    return indexed, uri


#: The cursor is ``indexedAt|uri`` of the newest mention, then, once chat was read,
#: `` chat:`` and the time of the newest direct message (a cursor from before chat
#: has no chat part: chat is then read from its latest page).
CHAT_MARK = " chat:"


def _mentions_cursor(cursor: str | None) -> str | None:
    mentions = (cursor or "").partition(CHAT_MARK)[0]
    return mentions or None


def _chat_cursor(cursor: str | None) -> str | None:
    return (cursor or "").partition(CHAT_MARK)[2] or None


def _dump_cursor(mentions: str | None, chat_since: str | None) -> str | None:
    if not chat_since:
        return mentions
    return f"{mentions or ''}{CHAT_MARK}{chat_since}"


def _is_newer(view: dict[str, Any], after: tuple[str, str] | None) -> bool:
    """Newer than the cursor; the same instant counts as new (the pipeline dedupes)."""
    if after is None:
        return True
    return _parse_time(view["indexedAt"]) >= _parse_time(after[0]) and view["uri"] != after[1]


def _parse_time(value: str) -> datetime:
    """ISO 8601 as atproto writes it; a few real records carry no offset: UTC then."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
