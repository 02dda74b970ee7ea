"""X (API v2) through tweepy: mentions timeline, recent search, replies and posts.

Config keys: ``bearer_token`` (an OAuth 2.0 user token; without one the installation's
app token ``HARKEN_X_BEARER_TOKEN`` serves searches) with, when the account was connected
through X's consent page, ``refresh_token`` and ``expires_at`` (the token is renewed
shortly before it expires and once on a 401, see ``harken.networks.x.tokens``), optionally the
OAuth 1.0a user context ``consumer_key``/``consumer_secret``/``access_token``/
``access_token_secret`` (needed to post with OAuth 1.0a), ``user_id`` and ``handle`` of
the connected account, and ``workspace_id`` (or the ``workspace`` argument): every read
is counted against that workspace's monthly spend cap (``harken.networks.x.budget``)
before it is made.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests
import tweepy
from django.conf import settings

from harken.lib.env import env_secret
from harken.lib.guarded import GuardedSession
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
from harken.networks.x import budget, oauth, tokens

log = logging.getLogger(__name__)

TIMEOUT = 20.0
TWEET_FIELDS = [
    "created_at",
    "lang",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "author_id",
]
USER_FIELDS = ["public_metrics", "username", "name"]
EXPANSIONS = ["author_id"]
# Twitter's snowflake epoch: a post id carries its creation time in milliseconds.
SNOWFLAKE_EPOCH_MS = 1288834974657


#: The API host tweepy calls; the ``X_API_URL`` setting sends its requests elsewhere.
TWEEPY_HOST = "https://api.twitter.com"


class _TimeoutSession(GuardedSession):
    """tweepy calls ``session.request`` without a timeout; this one always has one. It
    also sends tweepy's requests to ``X_API_URL`` when that is set (a local X in tests).
    Every hop and connection goes through the URL guard, like any outbound client."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        base = getattr(settings, "X_API_URL", None)
        if base and url.startswith(TWEEPY_HOST):
            url = base.rstrip("/") + url[len(TWEEPY_HOST) :]
        return super().request(method, url, *args, **kwargs)


def classify(exc: Exception) -> Retry:
    """Which tweepy/requests failures are worth another try, and after how long."""
    if isinstance(exc, HostNotFound):
        return Retry(exc.temporary)  # the resolver failed for now; a missing name stays so
    if isinstance(exc, tweepy.TooManyRequests):
        return Retry(True, _retry_after(exc.response, exc.reset_time))
    if isinstance(exc, tweepy.TwitterServerError):
        return Retry(True)
    if isinstance(exc, requests.Timeout | requests.ConnectionError):
        return Retry(True)
    return Retry(False)


def _retry_after(response: Any, reset_time: int | None) -> float | None:
    header = getattr(response, "headers", {}).get("retry-after")
    if header and header.strip().isdigit():
        return float(header)
    if reset_time:
        return max(0.0, reset_time - time.time()) + 1
    return None


def _network_words(exc: tweepy.HTTPException) -> str:
    """X's own message: its ``detail``/``errors`` text, else the status line."""
    if exc.api_messages:
        return "; ".join(str(m) for m in exc.api_messages)
    response = exc.response
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("detail") or body.get("title") if isinstance(body, dict) else None
    return str(detail or f"{response.status_code} {response.reason}")


def to_connector_error(exc: Exception) -> ConnectorError:
    if isinstance(exc, UnsafeURL):
        # The URL guard refused an address; a name that did not resolve may come back.
        return ConnectorError(str(exc), permanent=not isinstance(exc, HostNotFound))
    if isinstance(exc, tweepy.Unauthorized | tweepy.Forbidden):
        return ConnectorError(f"X refused the token: {_network_words(exc)}", permanent=True)
    if isinstance(exc, tweepy.TooManyRequests):
        wait = _retry_after(exc.response, exc.reset_time)
        return ConnectorError(f"X rate limit: {_network_words(exc)}", retry_after=wait)
    if isinstance(exc, tweepy.HTTPException):
        return ConnectorError(f"X: {_network_words(exc)}")
    if isinstance(exc, requests.RequestException):
        return ConnectorError(f"X could not be reached: {exc}")
    return ConnectorError(f"X: {exc}")


#: Words of an X 403 on creating a post that refuse the post itself, not the token.
REFUSED_POST_WORDS = ("duplicate content", "too long")


def refused_post(error: ConnectorError) -> ConnectorError:
    """``error`` from creating a post, as a rejection when X refused the content: a 400
    (text too long, a bad parameter) or a 403 in the documented words for a duplicate or
    too long text. Any other 403 stays the token's or the account's fault."""
    cause = error.__cause__
    if isinstance(cause, tweepy.BadRequest) or (
        isinstance(cause, tweepy.Forbidden)
        and any(words in _network_words(cause).lower() for words in REFUSED_POST_WORDS)
    ):
        refused = ConnectorError(f"X refused the post: {_network_words(cause)}", rejected=True)
        refused.__cause__ = cause
        return refused
    return error


def created_from_id(tweet_id: str) -> datetime:
    """A post's creation time from its snowflake id, for responses without created_at."""
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, UTC)


class X(Connector):
    network = "x"
    label = "X"
    app_keys = ("HARKEN_X_BEARER_TOKEN",)
    #: An install may have a client id for accounts and no app token.
    connect_keys = ("HARKEN_X_CLIENT_ID",)
    connect_flows: ClassVar[dict[str, str]] = {
        "oauth": "harken.networks.x.flows.OAuth",
        "token": "harken.networks.x.flows.Token",
    }
    connect_template = "connect_x.html"
    search_mode = "app"

    @classmethod
    def check_search_query(cls, query: str) -> None:
        from harken.networks.x.search import check_query

        check_query(query)

    capabilities = frozenset({"fetch", "search", "publish", "reply", "metrics"})
    max_chars = 280
    counts_urls_as = 23  # X wraps every link in a t.co URL of this length
    makes_threads: ClassVar[bool] = True  # a reply to our own post continues the thread
    text_counting = "weighted"  # twitter-text: emoji and CJK weigh two
    #: A direct message takes no idempotency key: a lost send is looked up (``find_reply``).
    finds_replies: ClassVar[bool] = True
    #: X takes four images a post, 5 MB each (JPEG, PNG, WebP; an animated GIF is
    #: processed asynchronously, which Harken does not wait for yet).
    max_images: ClassVar[int] = 4
    max_image_bytes: ClassVar[int | None] = 5 * 1024 * 1024
    image_types: ClassVar[frozenset[str]] = frozenset({"image/jpeg", "image/png", "image/webp"})
    #: The smallest and largest page each read endpoint accepts (X API v2 reference).
    page_limits: ClassVar[dict[str, tuple[int, int]]] = {"mentions": (5, 100), "search": (10, 100)}

    def __init__(
        self,
        config: dict[str, Any] | None = None,
        *,
        query: str | None = None,
        workspace: Any = None,
    ) -> None:
        """``workspace`` (or ``config["workspace_id"]``) is whose X budget reads count against."""
        super().__init__(config, query=query, workspace=workspace)
        self.workspace_id = self.workspace_id or self.config.get("workspace_id")
        self.client = tweepy.Client(
            # An account's own OAuth 2.0 user token, else the installation's app token.
            bearer_token=self.config.get("bearer_token")
            or env_secret("HARKEN_X_BEARER_TOKEN")
            or None,
            consumer_key=self.config.get("consumer_key"),
            consumer_secret=self.config.get("consumer_secret"),
            access_token=self.config.get("access_token"),
            access_token_secret=self.config.get("access_token_secret"),
            return_type=dict,
        )
        self.client.session = _TimeoutSession(TIMEOUT)
        if not (self.client.bearer_token or self.user_auth):
            raise ConnectorError(
                "X needs a token: connect the account, or set HARKEN_X_BEARER_TOKEN.",
                permanent=True,
            )

    @property
    def user_auth(self) -> bool:
        return bool(self.config.get("access_token") and self.config.get("consumer_key"))

    @property
    def renewable(self) -> bool:
        """Whether the token came with a refresh token (connected through X's consent page)."""
        return bool(self.config.get("refresh_token") and self.config.get("bearer_token"))

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            if self.renewable and tokens.is_stale(self.config):
                self._renew(refused=False)
            try:
                return retry_call(lambda: fn(*args, **kwargs), classify)
            except tweepy.Unauthorized:
                if not self.renewable:
                    raise
                # Revoked early, or the clocks disagree: renew once and try again.
                self._renew(refused=True)
                return retry_call(lambda: fn(*args, **kwargs), classify)
        except ConnectorError:
            raise
        except Exception as exc:
            raise to_connector_error(exc) from exc

    def _renew(self, refused: bool) -> None:
        """Get a usable token: the one another worker renewed, or a new one from X, kept
        on the account at once (refresh tokens rotate: the old one is spent).

        The new pair is saved on the account here, so ``config_changed`` stays False: a
        caller saving this connector's config later could only write an older copy."""
        account_id = self._account_id()
        if account_id is None:
            # No saved account holds this token (a connect flow in progress): renew in
            # memory and let the caller save it.
            fields = _renewal(self.config["refresh_token"])
            self.config_changed = True
        else:
            fields = tokens.fresh_tokens(account_id, self.config["bearer_token"], refused, _renewal)
        self.config.update(fields)
        self.client.bearer_token = self.config["bearer_token"]

    def _account_id(self) -> int | None:
        """The saved account this token belongs to: the workspace's X account with the
        user id (how ``save_connected`` finds it too)."""
        from harken.networks.models import Account

        user_id = self.config.get("user_id")
        if self.workspace_id is None or not user_id:
            return None
        return (
            Account.objects.filter(workspace_id=self.workspace_id, network="x", external_id=user_id)
            .values_list("pk", flat=True)
            .first()
        )

    # -- reading -----------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        """Mentions of the account (or, with ``query``, recent search hits) after ``cursor``.

        The cursor is the newest post id seen. When X has more than one page of newer
        posts, the cursor carries the page token and the newest id is only adopted after
        the last page, so a crash in between repeats pages and never skips one.
        """
        if self.workspace_id is None:
            # A wiring error, not the account's fault: never flag it "reconnect needed".
            raise ConnectorError("X reads need a workspace to count their cost against.")
        state = _parse_cursor(cursor)
        kind = "search" if self.query else "mentions"
        if kind == "mentions" and not self.config.get("user_id"):
            raise ConnectorError("X mentions need the connected account's user id.", permanent=True)
        low, high = self.page_limits[kind]
        reservation = budget.reserve(self.workspace_id, low, high)
        try:
            body, state = self._call(self._read, kind, state, reservation.max_results)
        except BaseException:
            budget.release(reservation)
            raise
        users = (body.get("includes") or {}).get("users") or []
        budget.settle(reservation, posts=len(body.get("data") or []), users=len(users))
        page = self._page(body, state)
        if kind == "search":
            return page
        messages, dm_after, skipped = self._direct_messages(state.get("dm"))
        if not dm_after:
            return Page(page.items + messages, page.cursor, has_more=page.has_more, skipped=skipped)
        kept = {**_parse_cursor(page.cursor), "dm": dm_after}
        items = sorted(page.items + messages, key=lambda item: item.created)
        return Page(items, json.dumps(kept), has_more=page.has_more, skipped=skipped)

    def _direct_messages(
        self, after: str | None
    ) -> tuple[list[NormalizedItem], str | None, list[tuple[str, str]]]:
        """New DM events (``direct.py``). A plan or token without DMs leaves mentions
        readable: the refusal is kept in the config, shown on the source, asked again a
        day later."""
        from harken.networks.x import direct

        refused = self.config.get(MESSAGES_REFUSED) or {}
        if refused and datetime.now(UTC) - _parse_time(refused["at"]) < direct.ASK_AGAIN_AFTER:
            return [], after, []
        granted = str(self.config.get("scope") or "").split()
        if not granted:
            # A pasted token or an OAuth 1.0a one: what it may do is unknown; DMs are read
            # only with a token X's consent page granted dm.read to.
            return [], after, []
        if "dm.read" not in granted:
            words = direct.RECONNECT_WORDS
            self.config[MESSAGES_REFUSED] = {"at": datetime.now(UTC).isoformat(), "why": words}
            self.config_changed = True
            return [], after, [("direct messages", words)]
        try:
            items, after = direct.read(self, after)
        except ConnectorError as error:
            if direct.is_refusal(error):
                now = datetime.now(UTC).isoformat()
                self.config[MESSAGES_REFUSED] = {"at": now, "why": error.message}
                self.config_changed = True
            elif error.permanent:
                raise
            # Refused, or failed for now (the spend cap, a rate limit, X down): the
            # mentions already read (and paid for) are kept, and DMs are read from the
            # same cursor next time.
            return [], after, [("direct messages", error.message)]
        if refused:
            self.config.pop(MESSAGES_REFUSED, None)
            self.config_changed = True
        return items, after, []

    def _read(
        self, kind: str, state: dict[str, str], max_results: int
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The response, and the cursor state it answers."""
        try:
            return self._request(kind, state, max_results), state
        except tweepy.BadRequest as exc:
            if not state.get("since") or not _about_param(exc, "since_id"):
                raise
            # Recent search reaches back seven days only: a source paused longer holds a
            # since_id X refuses. Start again from the newest posts instead of failing forever.
            log.warning("X refused since_id %s (%s); reading from the newest.", state["since"], exc)
            return self._request(kind, {}, max_results), {}

    def _request(self, kind: str, state: dict[str, str], max_results: int) -> dict[str, Any]:
        params: dict[str, Any] = {
            "max_results": max_results,
            "expansions": EXPANSIONS,
            "tweet_fields": TWEET_FIELDS,
            "user_fields": USER_FIELDS,
        }
        if state.get("since"):
            params["since_id"] = state["since"]
        if kind == "search":
            if state.get("token"):
                params["next_token"] = state["token"]
            return self.client.search_recent_tweets(self.query, user_auth=self.user_auth, **params)
        if state.get("token"):
            params["pagination_token"] = state["token"]
        return self.client.get_users_mentions(
            self.config["user_id"], user_auth=self.user_auth, **params
        )

    def _page(self, body: dict[str, Any], state: dict[str, str]) -> Page:
        users = {u["id"]: u for u in (body.get("includes") or {}).get("users") or []}
        items = [self._item(tweet, users) for tweet in body.get("data") or []]
        items.sort(key=lambda item: int(item.external_id))
        meta = body.get("meta") or {}
        newest = state.get("newest") or meta.get("newest_id") or state.get("since")
        token = meta.get("next_token")
        if token and state.get("since"):
            # Older pages between the last cursor and this one remain: walk them first.
            cursor = json.dumps({"since": state["since"], "token": token, "newest": newest})
            return Page(items=items, cursor=cursor, has_more=True)
        return Page(items=items, cursor=newest, has_more=False)

    def _item(self, tweet: dict[str, Any], users: dict[str, dict[str, Any]]) -> NormalizedItem:
        author = users.get(tweet.get("author_id", ""), {})
        handle = author.get("username", "")
        parent = next(
            (
                r["id"]
                for r in tweet.get("referenced_tweets") or []
                if r.get("type") == "replied_to"
            ),
            "",
        )
        created = tweet.get("created_at")
        return NormalizedItem(
            network=self.network,
            external_id=tweet["id"],
            kind="reply" if parent else "post",
            text=tweet.get("text", ""),
            created=_parse_time(created) if created else created_from_id(tweet["id"]),
            author_id=tweet.get("author_id", ""),
            author_handle=handle,
            author_name=author.get("name", ""),
            author_followers=(author.get("public_metrics") or {}).get("followers_count"),
            url=f"https://x.com/{handle or 'i/web'}/status/{tweet['id']}",
            language=tweet.get("lang", "")
            if tweet.get("lang") not in ("und", "qme", "zxx")
            else "",
            in_reply_to=parent,
            conversation_id=tweet.get("conversation_id", ""),
            is_own=bool(self.config.get("user_id"))
            and tweet.get("author_id") == str(self.config.get("user_id")),
            raw=tweet,
        )

    # -- writing -----------------------------------------------------------------

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        """Post ``text``, with ``media`` (images, each uploaded first with its alt text).
        X has no idempotency key: the publisher's state machine guards repeats."""
        try:
            media_ids = [self.upload(item) for item in options.get("media") or []]
            body = self._call(
                self.client.create_tweet,
                text=text,
                media_ids=media_ids or None,
                user_auth=self.user_auth,
            )
        except ConnectorError as error:
            raise refused_post(error) from error.__cause__
        return self._published(body)

    def upload(self, item: MediaFile) -> str:
        """One image through X API v2's media upload (``POST /2/media/upload``, a
        multipart form with ``media_category=tweet_image``), then its alt text
        (``POST /2/media/metadata``); the media id for the post. An OAuth 2.0 token needs
        the ``media.write`` scope (accounts connected before Harken asked for it must
        reconnect; X's 403 says so). A retry uploads again: unused media expire on X."""
        uploaded = self._call(
            self._media_request,
            "/2/media/upload",
            data={"media_category": "tweet_image", "media_type": item.content_type},
            files={"media": ("image", item.data, item.content_type)},
        )
        media_id = str((uploaded.get("data") or {}).get("id") or "")
        if not media_id:
            raise ConnectorError("X did not say which image it received; the post was not sent.")
        if item.alt:
            metadata = {"alt_text": {"text": item.alt[:1000]}}
            self._call(
                self._media_request,
                "/2/media/metadata",
                json={"id": media_id, "metadata": metadata},
            )
        return media_id

    def _media_request(self, path: str, **body: Any) -> dict[str, Any]:
        """A media call tweepy has no method for, on tweepy's session (the guard, the
        timeout, ``X_API_URL``) with the account's credentials; X's error statuses leave
        as tweepy's exceptions, which ``_call`` retries, renews and translates."""
        if self.user_auth:
            auth = tweepy.OAuth1UserHandler(
                self.config["consumer_key"],
                self.config["consumer_secret"],
                self.config["access_token"],
                self.config["access_token_secret"],
            ).apply_auth()
            headers = {}
        else:
            auth = None
            headers = {"Authorization": f"Bearer {self.client.bearer_token}"}
        response = self.client.session.request(
            "POST", f"{TWEEPY_HOST}{path}", auth=auth, headers=headers, **body
        )
        if response.status_code >= 400:
            raise _tweepy_error(response)
        try:
            found = response.json()
        except ValueError:
            found = {}
        return found if isinstance(found, dict) else {}

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        """Answer a post in its thread, or a direct message (``dm:…``) privately."""
        from harken.networks.x import direct

        if direct.is_dm_id(in_reply_to):
            return direct.send(self, in_reply_to, text)
        try:
            body = self._call(
                self.client.create_tweet,
                text=text,
                in_reply_to_tweet_id=in_reply_to,
                user_auth=self.user_auth,
            )
        except ConnectorError as error:
            raise refused_post(error) from error.__cause__
        return self._published(body)

    def find_reply(self, in_reply_to: str, text: str, since: datetime) -> Published | None:
        """A direct message a crash cut short, looked up among the conversation's events
        (``direct.find_sent``); a public reply is not looked up here."""
        from harken.networks.x import direct

        if not direct.is_dm_id(in_reply_to):
            raise NotImplementedError("X replies carry no key to look up; only DMs are found")
        return direct.find_sent(self, in_reply_to, text, since)

    def _published(self, body: dict[str, Any]) -> Published:
        if self.workspace_id is not None:
            budget.record_create(self.workspace_id)
        tweet_id = body["data"]["id"]
        handle = self.config.get("handle") or "i/web"
        return Published(external_id=tweet_id, url=f"https://x.com/{handle}/status/{tweet_id}")

    def metrics(self) -> AccountMetrics:
        """The account's counts; one user read, so it goes through the budget too."""
        counts = self.me().get("public_metrics") or {}
        return AccountMetrics(
            followers=counts.get("followers_count"),
            following=counts.get("following_count"),
            posts=counts.get("tweet_count"),
            extra={"listed": counts.get("listed_count")},
        )

    def post_metrics(self, post_id: str) -> dict[str, Any]:
        """One of our posts' likes, reposts, quotes, replies and impressions
        (``public_metrics``): one post read, counted against the budget like any other."""
        if not post_id.isdigit():
            raise ConnectorError(f"X has no post with the id {post_id!r}.", rejected=True)
        if self.workspace_id is None:
            raise ConnectorError("X reads need a workspace to count their cost against.")
        reservation = budget.reserve(self.workspace_id, 1, 1)
        try:
            body = self._call(
                self.client.get_tweet,
                post_id,
                tweet_fields=["public_metrics"],
                user_auth=self.user_auth,
            )
        except BaseException:
            budget.release(reservation)
            raise
        budget.settle(reservation, posts=1, users=0)
        counts = (body.get("data") or {}).get("public_metrics") or {}
        return {
            "likes": counts.get("like_count"),
            "reposts": counts.get("retweet_count"),
            "quotes": counts.get("quote_count"),
            "replies": counts.get("reply_count"),
            "impressions": counts.get("impression_count"),
        }

    def me(self) -> dict[str, Any]:
        """The token's own account (``id``, ``username``, ``public_metrics``): one user
        read, counted against the workspace's budget like every other."""
        if self.workspace_id is None:
            raise ConnectorError("X reads need a workspace to count their cost against.")
        reservation = budget.reserve(self.workspace_id, 1, 1)
        try:
            body = self._call(
                self.client.get_me, user_fields=["public_metrics"], user_auth=self.user_auth
            )
        except BaseException:
            budget.release(reservation)
            raise
        budget.settle(reservation, posts=0, users=1)
        return body["data"]


def _renewal(refresh_token: str) -> dict[str, Any]:
    return oauth.renew(refresh_token).as_config()


def _tweepy_error(response: requests.Response) -> tweepy.HTTPException:
    """The exception tweepy raises for ``response``'s status (tweepy.Client.request)."""
    status = response.status_code
    kinds: dict[int, type[tweepy.HTTPException]] = {
        400: tweepy.BadRequest,
        401: tweepy.Unauthorized,
        403: tweepy.Forbidden,
        404: tweepy.NotFound,
        429: tweepy.TooManyRequests,
    }
    kind = kinds.get(status) or (
        tweepy.TwitterServerError if status >= 500 else tweepy.HTTPException
    )
    return kind(response)


def _about_param(exc: tweepy.HTTPException, name: str) -> bool:
    """Whether X's error names the request parameter ``name``."""
    for error in exc.api_errors:
        if isinstance(error, dict) and name in (error.get("parameters") or {}):
            return True
    return any(name in str(message) for message in exc.api_messages)


def _parse_cursor(cursor: str | None) -> dict[str, str]:
    if not cursor:
        return {}
    if cursor.startswith("{"):
        return json.loads(cursor)
    return {"since": cursor}


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
