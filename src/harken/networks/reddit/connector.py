"""Reddit through PRAW: the inbox, subreddit search and a subreddit's new comments, and
posting: a text ("self") post, a link post or an image post with a title in a subreddit,
and replies.

Config keys: ``client_id`` and ``client_secret`` (default: the installation's
``HARKEN_REDDIT_CLIENT_ID``/``_SECRET``) and either ``refresh_token`` (installed or web
app, the usual way) or ``username`` + ``password`` (a script app); ``user_agent``
optionally; ``redirect_uri`` only while connecting (``harken.networks.reddit.oauth``).
With neither token nor password, Reddit is read app-only: searches work, the inbox does
not. The ``REDDIT_URL``/``REDDIT_OAUTH_URL`` settings point PRAW at another Reddit (tests).
A source's ``query`` picks what ``fetch`` reads:

- none: the account's inbox: ``u/name`` mentions and replies to its comments and posts;
- ``subreddit:NAME``: every new comment in r/NAME;
- ``subreddit:NAME words``: a search of r/NAME, newest first;
- ``words``: a search of all of Reddit, newest first.

PRAW objects load lazily: reading an attribute the listing did not include costs a
request. Items are therefore built from the data the listing returned (``vars``), never
from attribute access.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any, ClassVar
from urllib.parse import urljoin

import praw
import prawcore
from django.conf import settings
from praw.const import API_PATH
from praw.exceptions import RedditAPIException
from prawcore.sessions import FiniteRetryStrategy

from harken.lib import http
from harken.lib.env import env_secret
from harken.lib.guarded import GuardedSession
from harken.lib.retry import Retry, retry_call
from harken.lib.urlguard import HostNotFound, UnsafeURL
from harken.networks.base import (
    Connector,
    ConnectorError,
    MediaFile,
    NormalizedItem,
    Page,
    PostField,
    Published,
)

TIMEOUT = 20.0
#: Where Reddit hands out tokens (and its consent page) and where its API answers.
REDDIT_URL = "https://www.reddit.com"
OAUTH_URL = "https://oauth.reddit.com"
USER_AGENT = "harken:social-listening:1.0 (self-hosted)"
#: Listing page size (Reddit's maximum) and how far back one poll walks before stopping.
PAGE = 100
MAX_ITEMS = 500
#: The account's newest submissions (or comments) read to settle a crash: it posted the
#: one sought minutes ago, and a business posts far fewer than this in minutes.
LOOKUP = 25
SUBREDDIT_QUERY = re.compile(r"^subreddit:(?P<name>[A-Za-z0-9_]{2,21})(?:\s+(?P<words>.+))?$", re.S)
INBOX_LISTINGS = ("mentions", "comment_replies", "submission_replies")
#: The inbox's own ``type`` of an item, as Harken's kind.
REPLY_TYPES = {"comment_reply": "reply", "post_reply": "reply", "username_mention": "comment"}
#: An image post's file name by type: Reddit's lease checks the name's extension.
IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}
#: Seconds an image upload to Reddit's storage may take (20 MB on a slow line).
UPLOAD_TIMEOUT = 120.0
PERMANENT = (
    prawcore.OAuthException,
    prawcore.Forbidden,
    prawcore.InvalidToken,
    prawcore.InsufficientScope,
)


def _refused(exc: Exception) -> UnsafeURL | None:
    """The URL guard's refusal of an address (private, reserved...) that PRAW wrapped as
    a network failure: asking again cannot help. A name that did not resolve is not one."""
    original = getattr(exc, "original_exception", None)
    if isinstance(original, UnsafeURL) and not isinstance(original, HostNotFound):
        return original
    return None


def classify(exc: Exception) -> Retry:
    """Transient failures (429, 5xx, network) are retried; the rest are not."""
    if _refused(exc):
        return Retry(False)
    if isinstance(exc, prawcore.TooManyRequests):
        return Retry(True, _retry_after(exc))
    if isinstance(exc, prawcore.ServerError | prawcore.RequestException):
        return Retry(True)
    return Retry(False)


def _retry_after(exc: prawcore.ResponseException) -> float | None:
    headers = exc.response.headers
    for name in ("retry-after", "x-ratelimit-reset"):
        value = headers.get(name, "").strip()
        if value.replace(".", "", 1).isdigit():
            return float(value)
    return None


def _reddit_words(exc: Exception) -> str:
    """Reddit's own message where the response carries one, else PRAW's."""
    response = getattr(exc, "response", None)
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = None
        detail = (
            str(body.get("message") or body.get("error") or "") if isinstance(body, dict) else ""
        )
        if detail:
            status = str(response.status_code)
            return detail if status in detail else f"{detail} ({status})"
    return str(exc)


def to_connector_error(exc: Exception) -> ConnectorError:
    refused = _refused(exc)
    if refused:
        return ConnectorError(str(refused), permanent=True)
    if isinstance(exc, PERMANENT):
        return ConnectorError(
            f"Reddit refused the account's token: {_reddit_words(exc)}", permanent=True
        )
    if isinstance(exc, prawcore.TooManyRequests):
        return ConnectorError(
            f"Reddit rate limit: {_reddit_words(exc)}", retry_after=_retry_after(exc)
        )
    if isinstance(exc, prawcore.Redirect):
        return ConnectorError(f"Reddit has no such subreddit ({exc}).")
    if isinstance(exc, RedditAPIException):
        return ConnectorError("Reddit: " + "; ".join(str(item) for item in exc.items))
    if isinstance(exc, prawcore.PrawcoreException):
        return ConnectorError(f"Reddit: {_reddit_words(exc)}")
    return ConnectorError(f"Reddit: {exc}")


class NotListedYet(RuntimeError):
    """Reddit took an image post but has not listed it yet, so its id is unknown. The
    publish is not answered: the engine leaves the variant in publishing and settles it
    from the account's submissions after the claim's lease, as after a crash."""


class Reddit(Connector):
    network = "reddit"
    label = "Reddit"
    app_keys = ("HARKEN_REDDIT_CLIENT_ID", "HARKEN_REDDIT_CLIENT_SECRET")
    connect_keys = app_keys
    connect_flows: ClassVar[dict[str, str]] = {
        "oauth": "harken.networks.reddit.flows.OAuth",
        "token": "harken.networks.reddit.flows.Token",
    }
    connect_template = "connect_reddit.html"
    search_mode = "app"

    @classmethod
    def check_search_query(cls, query: str) -> None:
        from harken.networks.reddit.search import check_query

        check_query(query)

    capabilities = frozenset({"fetch", "search", "publish", "reply"})
    #: A crash mid-publish is settled from the account's own recent submissions; Reddit
    #: has no idempotency key, so the post is known by its title in its subreddit, which
    #: ``find_published`` takes by name (``finds_by_fields``) as ``publish`` does.
    finds_published = True
    finds_by_fields = True
    max_chars = 10000  # a comment's limit
    post_max_chars = 40000  # a text post's body
    #: An image post (``kind=image``) carries one image; Reddit's uploads take JPEG, PNG
    #: and GIF up to 20 MB. Reddit's image posts have no alt text field.
    max_images = 1
    max_image_bytes = 20_000_000
    image_types = frozenset(IMAGE_EXTENSIONS)
    #: Seconds to wait, one after another, for a new image post to appear among the
    #: account's submissions (Reddit answers an image post without its id).
    listed_waits: ClassVar[tuple[float, ...]] = (0.5, 1.0, 2.0, 4.0, 8.0)
    post_fields = (
        PostField("title", "Title", max_chars=300),
        PostField(
            "subreddit",
            "Subreddit",
            max_chars=21,
            # r/ is optional; Reddit's names are 3-21 letters, digits or underscores.
            pattern=r"(?:/?r/)?[A-Za-z0-9][A-Za-z0-9_]{2,20}",
            hint="a subreddit's name such as r/jewelry: 3 to 21 letters, digits or _",
        ),
        # A link post's address is its text (one link, nothing else), so it becomes a
        # tracked link and the gate checks it is online like any other.
        PostField(
            "kind",
            "Post kind",
            max_chars=4,
            pattern="(?i)text|link",
            hint="text (a title and a body) or link (a title and the text's one link)",
            required=False,
        ),
    )

    @classmethod
    def post_problems(cls, text: str, options: Mapping[str, Any]) -> list[str]:
        """A link post's text is one web address and nothing else."""
        if _kind(options) == "link" and not _LINK.fullmatch(text.strip()):
            return [
                "A Reddit link post's text is its address alone: write one https:// link "
                "as the text, or make it a text post."
            ]
        return []

    def __init__(
        self,
        config: dict[str, Any] | None = None,
        *,
        query: str | None = None,
        workspace: Any = None,
    ) -> None:
        super().__init__(config, query=query, workspace=workspace)
        credentials = self._credentials()
        if not credentials["client_id"]:
            raise ConnectorError(
                "Reddit needs the installation's app keys: set HARKEN_REDDIT_CLIENT_ID and "
                "HARKEN_REDDIT_CLIENT_SECRET.",
                permanent=True,
            )
        # Every hop and connection PRAW makes goes through the URL guard.
        requestor = {"timeout": TIMEOUT, "session": GuardedSession()}
        self.reddit = praw.Reddit(**credentials, requestor_kwargs=requestor)

    def _credentials(self) -> dict[str, Any]:
        config = self.config
        # The installation's app keys unless the account brought its own.
        credentials: dict[str, Any] = {
            "client_id": config.get("client_id") or env_secret("HARKEN_REDDIT_CLIENT_ID"),
            "client_secret": config.get("client_secret")
            or env_secret("HARKEN_REDDIT_CLIENT_SECRET")
            or None,
            "user_agent": config.get("user_agent") or USER_AGENT,
            "check_for_updates": False,
            "check_for_async": False,
            "reddit_url": getattr(settings, "REDDIT_URL", REDDIT_URL),
            "oauth_url": getattr(settings, "REDDIT_OAUTH_URL", OAUTH_URL),
        }
        if config.get("redirect_uri"):
            credentials["redirect_uri"] = config["redirect_uri"]
        if config.get("refresh_token"):
            credentials["refresh_token"] = config["refresh_token"]
        elif config.get("username"):
            credentials.update(username=config["username"], password=config.get("password"))
        return credentials

    def _call(self, fn: Any) -> Any:
        try:
            return retry_call(fn, classify)
        except ConnectorError:
            raise
        except Exception as exc:
            raise to_connector_error(exc) from exc

    def _send_once(self, fn: Any) -> Any:
        """A write (a post, a reply), sent once: neither our retries nor PRAW's own (it
        repeats a 5xx or a timeout twice), because Reddit may have taken the write before
        the error and takes no idempotency key. A transient error reaches the publishing
        engine, which asks ``find_published`` before it sends again."""
        session: Any = self.reddit._core  # PRAW's prawcore session for this account
        # The access token first, as a read with its retries: inside the write PRAW would
        # fetch it unretried, and a failed token request is no reason to fail a post.
        authorizer = session._authorizer
        if not authorizer.is_valid():
            self._call(authorizer.refresh)
        kept = session._retry_strategy_class
        session._retry_strategy_class = functools.partial(FiniteRetryStrategy, retries=0)
        # On a fresh connection: a kept-alive one the server has since closed fails before
        # the write reaches it, which PRAW's retry used to paper over and which, sent once,
        # would fail a post Reddit never saw. The pool opens a new one on the next request.
        session.requestor.close()
        try:
            return fn()
        except ConnectorError:
            raise
        except Exception as exc:
            raise to_connector_error(exc) from exc
        finally:
            session._retry_strategy_class = kept

    # -- reading -----------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        """Items newer than ``cursor`` (``created_utc|fullname`` of the newest seen), oldest first.

        Listings run newest first, so each walk stops at the first item older than the
        cursor. Items from the cursor's own second are returned again (other than the
        cursor item itself): several can share a second, and the pipeline dedupes.
        """
        after = _parse_cursor(cursor)
        limit = MAX_ITEMS if after else PAGE
        listings = self._listings(limit)
        walked = self._call(
            lambda: [t for listing in listings for t in _newer_than(listing, after)]
        )
        if not self.query:
            walked += self._call(lambda: list(self._messages(after)))
        things = list({vars(t)["name"]: t for t in walked}.values())
        items = sorted((self._item(thing) for thing in things), key=lambda i: i.created)
        if not things:
            return Page(items=[], cursor=cursor)
        newest = max(things, key=lambda t: vars(t)["created_utc"])
        return Page(items=items, cursor=f"{vars(newest)['created_utc']}|{vars(newest)['name']}")

    def _listings(self, limit: int) -> list[Iterable[Any]]:
        if not self.query:
            if self.reddit.read_only:
                raise ConnectorError(
                    "Reading a Reddit inbox needs a connected account.", permanent=True
                )
            # What a business must answer: u/name mentions and replies to its comments
            # and posts; private messages are read apart (``_messages``).
            inbox = self.reddit.inbox
            return [getattr(inbox, name)(limit=limit) for name in INBOX_LISTINGS]
        match = SUBREDDIT_QUERY.match(self.query.strip())
        if match and not match["words"]:
            return [self.reddit.subreddit(match["name"]).comments(limit=limit)]
        subreddit, words = (match["name"], match["words"]) if match else ("all", self.query)
        return [self.reddit.subreddit(subreddit).search(words, sort="new", limit=limit)]

    def _messages(self, after: tuple[float, str] | None) -> Iterator[Any]:
        """Private messages newer than ``after``, each thread's replies with it. The
        listing runs by each thread's latest message, newest first: a thread with nothing
        newer than the cursor ends the walk."""
        for thread in self.reddit.inbox.messages(limit=PAGE):
            messages = [thread, *(vars(thread).get("replies") or [])]
            if after and max(vars(m)["created_utc"] for m in messages) < after[0]:
                return
            for message in messages:
                data = vars(message)
                if not after or (data["created_utc"] >= after[0] and data["name"] != after[1]):
                    yield message

    def _item(self, thing: Any) -> NormalizedItem:
        data = vars(thing)
        if data["name"].startswith("t4_"):
            return self._message(data)
        is_post = data["name"].startswith("t3_")
        author = data.get("author")
        handle = getattr(author, "name", None) or str(author or "[deleted]")
        text = (
            f"{data.get('title', '')}\n\n{data.get('selftext', '')}".strip()
            if is_post
            else data.get("body", "")
        )
        link = data["name"] if is_post else data.get("link_id", "")
        return NormalizedItem(
            network=self.network,
            external_id=data["name"],
            kind="post" if is_post else REPLY_TYPES.get(data.get("type", ""), "comment"),
            text=text,
            created=datetime.fromtimestamp(data["created_utc"], UTC),
            author_id=data.get("author_fullname", ""),
            author_handle=handle,
            url=_url(data, link),
            in_reply_to="" if is_post else data.get("parent_id", ""),
            conversation_id=link or _link_from_context(data.get("context", "")),
            is_own=bool(self.config.get("username")) and handle == self.config.get("username"),
            raw=_plain(data),
        )

    def _message(self, data: dict[str, Any]) -> NormalizedItem:
        """A private message: its own private conversation, threaded by reply links."""
        author = data.get("author")
        handle = getattr(author, "name", None) or str(author or "[deleted]")
        subject = data.get("subject") or ""
        body = data.get("body") or ""
        return NormalizedItem(
            network=self.network,
            external_id=data["name"],
            kind="message",
            text=f"{subject}\n\n{body}".strip() if not data.get("parent_id") else body,
            created=datetime.fromtimestamp(data["created_utc"], UTC),
            author_id=data.get("author_fullname") or "",
            author_handle=handle,
            url=f"https://www.reddit.com/message/messages/{data['id']}",
            in_reply_to=data.get("parent_id") or "",
            conversation_id=data.get("first_message_name") or data["name"],
            is_own=bool(self.config.get("username")) and handle == self.config.get("username"),
            raw=_plain({k: v for k, v in data.items() if k != "replies"}),
        )

    def me(self) -> str:
        """The username the refresh token signs in as (``user.me()``)."""
        user = self._call(self.reddit.user.me)
        if user is None:
            raise ConnectorError(
                "Reddit did not sign in as a user with this token.", permanent=True
            )
        return str(user.name)

    # -- writing -----------------------------------------------------------------

    def publish(
        self,
        text: str,
        idempotency_key: str | None = None,
        *,
        title: str = "",
        subreddit: str = "",
        **options: Any,
    ) -> Published:
        """A post titled ``title`` in r/``subreddit``: a text post with ``text`` as its
        body, with ``kind`` "link" a link post to ``text``, one address, or with an image
        in ``media`` an image post (``text``, if any, as its body; see ``_publish_image``).
        Reddit has no idempotency key."""
        name = _subreddit_name(subreddit)
        if not title.strip() or not name:
            raise ConnectorError("A Reddit post needs a title and a subreddit.", rejected=True)
        for problem in self.post_problems(text, options):
            raise ConnectorError(problem, rejected=True)
        images = [m for m in options.get("media") or [] if m.content_type.startswith("image/")]
        if images:
            if _kind(options) == "link":
                raise ConnectorError(
                    "A Reddit link post cannot carry an image: remove the image, or make it "
                    "a text post (which becomes an image post).",
                    rejected=True,
                )
            return self._publish_image(title.strip(), name, text, images[0])
        target = self.reddit.subreddit(name)
        if _kind(options) == "link":
            post = self._send_once(lambda: target.submit(title.strip(), url=text.strip()))
        else:
            post = self._send_once(lambda: target.submit(title.strip(), selftext=text))
        data = vars(post)
        return Published(external_id=f"t3_{data['id']}", url=_submitted_url(data))

    def _publish_image(self, title: str, subreddit: str, text: str, image: MediaFile) -> Published:
        """Reddit's image post, as its own site and PRAW's ``submit_image`` make one: an
        upload lease (``/api/media/asset.json``), the image posted to the storage the lease
        names, then ``/api/submit`` with ``kind=image`` and the image's address.

        Reddit answers the submit with a websocket to wait on for the new post's address;
        rather than hold a connection to Reddit's websocket service, the post is looked up
        among the account's newest submissions (``find_published``, as after a crash),
        waiting ``listed_waits`` while Reddit processes the image."""
        since = datetime.now(UTC) - timedelta(minutes=1)  # Reddit's clock may differ
        location = self._upload_image(image)
        data = {"sr": subreddit, "title": title, "kind": "image", "url": location}
        data |= {"resubmit": "true", "sendreplies": "true", "api_type": "json"}
        if text.strip():
            data["text"] = text
        self._send_once(lambda: self.reddit.post(API_PATH["submit"], data=data))
        for wait in self.listed_waits:
            time.sleep(wait)
            found = self.find_published("", text, since, title=title, subreddit=subreddit)
            if found is not None:
                return found
        raise NotListedYet(
            f"Reddit took the image post {title!r} in r/{subreddit} but has not listed it "
            "yet; it is looked up again after the claim's lease."
        )

    def _upload_image(self, image: MediaFile) -> str:
        """The image's address on Reddit's storage: a lease from Reddit, then the file
        posted there as a form with the lease's fields. Storage's refusal (too big, an
        expired lease) fails the post in its own words; its 5xx are retried."""
        extension = IMAGE_EXTENSIONS.get(image.content_type, "")
        lease_form = {"filepath": f"image.{extension}", "mimetype": image.content_type}
        answer = self._call(lambda: self.reddit.post(API_PATH["media_asset"], data=lease_form))
        lease = (answer or {}).get("args") if isinstance(answer, dict) else None
        if not lease or "action" not in lease:
            raise ConnectorError("Reddit answered the image upload lease without a lease.")
        # The lease's action is protocol-relative ("//reddit-uploaded-media..."): it takes
        # the API's own scheme, as a browser would take the page's.
        action = urljoin(self.reddit.config.oauth_url, lease["action"]).rstrip("/")
        fields = {item["name"]: item["value"] for item in lease.get("fields", [])}
        name = fields.get("key", "")
        files = {"file": (f"image.{extension}", image.data, image.content_type)}
        response = http.post(
            action,
            data=fields,
            files=files,
            timeout=UPLOAD_TIMEOUT,
            total_timeout=UPLOAD_TIMEOUT,
            max_bytes=1_000_000,
            raise_for_status=False,
        )
        if response.status_code >= 400:
            raise ConnectorError(_storage_refusal(response), rejected=True)
        return f"{action}/{name}"

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        """Answer a comment (``t1_…``), a post (``t3_…``) or, privately, a private message
        (``t4_…``) by its fullname."""
        kind, _, thing_id = in_reply_to.partition("_")
        if kind not in ("t1", "t3", "t4") or not thing_id:
            raise ConnectorError(
                f"Reddit can only reply to a comment, a post or a message, not {in_reply_to!r}."
            )
        parent: Any
        if kind == "t4":  # the same call as a comment reply, in the message's thread
            parent = praw.models.Message(self.reddit, {"id": thing_id})
        elif kind == "t1":
            parent = self.reddit.comment(thing_id)
        else:
            parent = self.reddit.submission(thing_id)
        answer = self._send_once(lambda: parent.reply(text))
        data = vars(answer)
        if data["name"].startswith("t4_"):
            return Published(data["name"], f"https://www.reddit.com/message/messages/{data['id']}")
        return Published(external_id=data["name"], url=_url(data, data.get("link_id", "")))

    def find_published(
        self,
        idempotency_key: str,
        text: str,
        since: datetime,
        *,
        title: str = "",
        subreddit: str = "",
        **options: Any,
    ) -> Published | None:
        """The account's submission titled ``title`` in r/``subreddit`` made at or after
        ``since`` (``/user/<name>/submitted``, newest first), or None. Without a title (a
        reply: a first comment) the account's comment whose body is ``text``."""
        user = str(self.config.get("username") or self.me())
        after = since.timestamp()
        wanted = title.strip()
        name = _subreddit_name(subreddit).lower()

        def matches(data: dict[str, Any]) -> bool:
            if wanted:
                # ``subreddit`` is PRAW's object; its text is the display name.
                return data.get("title") == wanted and str(data.get("subreddit")).lower() == name
            return str(data.get("body") or "").strip() == text.strip()

        def walk() -> dict[str, Any] | None:
            redditor = self.reddit.redditor(user)
            listing = redditor.submissions if wanted else redditor.comments
            for thing in listing.new(limit=LOOKUP):
                data = vars(thing)
                if data["created_utc"] < after:
                    return None  # newest first: the rest is older than the claim
                if matches(data):
                    return data
            return None

        found = self._call(walk)
        if found is None:
            return None
        if wanted:
            return Published(f"t3_{found['id']}", _url(found, f"t3_{found['id']}"))
        return Published(found["name"], _url(found, found.get("link_id", "")))

    def post_metrics(self, post_id: str) -> dict[str, Any]:
        """One submission's or comment's score and comments (``/api/info``); Reddit
        shows no views to the API. ``post_id`` is its fullname (``t3_…``, ``t1_…``)."""
        if not post_id.startswith(("t1_", "t3_")):
            raise ConnectorError(f"Reddit has no post {post_id!r}.", rejected=True)
        found = self._call(lambda: list(self.reddit.info(fullnames=[post_id])))
        if not found:
            raise ConnectorError(f"Reddit has no post {post_id} any more (deleted?).")
        thing = found[0]
        return {
            "score": getattr(thing, "score", None),
            "comments": getattr(thing, "num_comments", None),
        }


_LINK = re.compile(r"https?://\S+")


def _storage_refusal(response: Any) -> str:
    """Reddit's storage (S3) refusing an upload, in its words: its XML error's message
    and code (``EntityTooLarge``, ``AccessDenied`` for an expired lease)."""
    # Two flat elements of a small document: read as text, not parsed as XML.
    words, code = (_xml_text(response.text, tag) for tag in ("Message", "Code"))
    status = f"HTTP {response.status_code}"
    detail = f"{words} ({code}, {status})" if words and code else words or status
    return f"Reddit's image storage refused the upload: {detail}."


def _xml_text(document: str, tag: str) -> str:
    match = re.search(rf"<{tag}>([^<]*)</{tag}>", document)
    return unescape(match[1]).strip() if match else ""


def _kind(options: Mapping[str, Any]) -> str:
    return str(options.get("kind") or "text").strip().lower()


def _subreddit_name(subreddit: str) -> str:
    """A subreddit's name as Reddit knows it: "r/" is how people write it, not part of it."""
    return subreddit.strip().removeprefix("/").removeprefix("r/")


def _newer_than(listing: Iterable[Any], after: tuple[float, str] | None) -> Iterator[Any]:
    # A listing shifts while it is paged (new items push old ones onto the next page),
    # so the same thing can come twice in one walk.
    seen: set[str] = set()
    for thing in listing:
        data = vars(thing)
        if after and data["created_utc"] < after[0]:
            return  # newest first: everything from here on was seen
        if data["name"] in seen or (after and data["name"] == after[1]):
            continue
        seen.add(data["name"])
        yield thing


def _parse_cursor(cursor: str | None) -> tuple[float, str] | None:
    if not cursor:
        return None
    created, _, name = cursor.partition("|")
    return float(created), name


def _url(data: dict[str, Any], link: str) -> str:
    path = data.get("permalink") or data.get("context", "").split("?")[0]
    if path:
        return f"https://www.reddit.com{path}"
    if link.startswith("t3_") and data.get("id"):
        # A reply's answer carries no permalink; Reddit resolves any slug in its place.
        return f"https://www.reddit.com/comments/{link[3:]}/_/{data['id']}/"
    return ""


def _submitted_url(data: dict[str, Any]) -> str:
    """The new post's address: Reddit's answer names it (``url``); PRAW may keep it only
    as the post's id, and any slug resolves in its place."""
    url = str(data.get("url") or "")
    return url if url.startswith("https://") else f"https://www.reddit.com/comments/{data['id']}/"


def _link_from_context(context: str) -> str:
    match = re.search(r"/comments/([a-z0-9]+)/", context)
    return f"t3_{match[1]}" if match else ""


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """The listing's JSON fields, without PRAW's private objects."""
    return {
        key: (str(value) if not isinstance(value, str | int | float | bool | type(None)) else value)
        for key, value in data.items()
        if not key.startswith("_")
    }
