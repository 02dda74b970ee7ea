"""A Tumblr blog through the Tumblr API v2 (OAuth 2.0 bearer tokens, ``oauth.py``).

Config (the account's encrypted JSON): ``blog`` (its name), ``blog_uuid``, ``user`` and
the tokens (``access_token``, ``refresh_token``, ``expires_at``, ``scope``).

``fetch`` reads the notes that talk (replies, and reblogs that add words) on the blog's
``notes_posts`` newest posts that have notes (``/v2/blog/{blog}/notes?mode=conversation``,
newest first, paged by ``before_timestamp``), each threaded under its post. A reply note
has no id of its own on Tumblr: Harken names it ``post:blog:timestamp``. The cursor is
the newest note's time; the next poll reads from that second on (the pipeline dedupes).
Mentions of the blog elsewhere are not read (the API lists them only in the blog's
activity feed, which Harken does not read yet). Tumblr's API cannot post a reply to a
note, so Harken does not answer on Tumblr (no "reply" capability).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from harken.lib import http
from harken.networks.base import (
    AccountMetrics,
    Connector,
    ConnectorError,
    NormalizedItem,
    Page,
    Published,
)
from harken.networks.renewal import TokenLayout, renew_once
from harken.networks.tumblr import oauth

TIMEOUT = 20.0
READ_ATTEMPTS = 3
TOKENS = TokenLayout(network="Tumblr", access_key="access_token")
TOKEN_KEYS = ("access_token", "refresh_token", "expires_at", "scope")
#: Note types that say something (Tumblr's names); likes and plain reblogs do not.
TALKING = frozenset({"reply", "reblog"})


class Tumblr(Connector):
    network = "tumblr"
    label = "Tumblr"
    app_keys = (oauth.CLIENT_ID, oauth.CLIENT_SECRET)
    connect_keys = app_keys
    connect_flows: ClassVar[dict[str, str]] = {"oauth": "harken.networks.tumblr.flows.OAuth"}
    connect_template = "connect_tumblr.html"
    capabilities = frozenset({"fetch", "publish", "metrics"})
    finds_published: ClassVar[bool] = True
    #: Tumblr sets no practical limit on a post's text (NPF text blocks of any length).
    max_chars = None
    #: Images in a post, uploaded with it (NPF image blocks; Tumblr takes ten photos a
    #: post and 10 MB an image, JPEG, PNG, GIF or WebP).
    max_images: ClassVar[int] = 10
    max_image_bytes: ClassVar[int | None] = 10 * 1024 * 1024
    image_types: ClassVar[frozenset[str]] = frozenset(
        {"image/jpeg", "image/png", "image/gif", "image/webp"}
    )
    #: Posts looked at per poll, and pages of one post's notes.
    notes_posts: ClassVar[int] = 10
    note_pages: ClassVar[int] = 3

    @property
    def blog(self) -> str:
        blog = str(self.config.get("blog") or "")
        if not blog:
            raise ConnectorError("This Tumblr blog has no name; connect it again.", permanent=True)
        return quote(blog, safe=".-")

    # --- calls -----------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        files: dict[str, tuple[str | None, bytes | str, str]] | None = None,
    ) -> dict[str, Any]:
        """One API call with the blog's token, renewed before it expires or once after a
        401; Tumblr's answer's ``response``, or a ``ConnectorError`` in its words."""
        if not self.config.get("access_token"):
            raise ConnectorError(
                "This Tumblr blog has no sign-in; connect it again.", permanent=True
            )
        if self.config.get("refresh_token") and TOKENS.is_stale(self.config):
            self._renew(refused=False)
        write = method != "GET"
        for attempt in (1, 2):
            response = http.request(
                method,
                f"{oauth.api_url()}{path}",
                params=params,
                json=json,
                files=files,
                headers={"Authorization": f"Bearer {self.config['access_token']}"},
                timeout=TIMEOUT,
                raise_for_status=False,
                attempts=1 if write else READ_ATTEMPTS,
            )
            if response.status_code == 401 and attempt == 1 and self.config.get("refresh_token"):
                self._renew(refused=True)
                continue
            break
        _check_daily_limit(response)
        body = _json(response)
        if response.status_code >= 400:
            raise tumblr_error(response, body, write)
        found = body.get("response")
        return found if isinstance(found, dict) else {}

    def _renew(self, refused: bool) -> None:
        account_id = self._account_id()
        if account_id is None:
            fields = oauth.renew(str(self.config["refresh_token"]))
            self.config_changed = True
        else:
            held = str(self.config.get("access_token") or "")
            config = renew_once(
                TOKENS, account_id, held, refused, lambda c: oauth.renew(str(c["refresh_token"]))
            )
            fields = {key: config[key] for key in TOKEN_KEYS if key in config}
        self.config.update(fields)

    def _account_id(self) -> int | None:
        from harken.networks.models import Account

        uuid = self.config.get("blog_uuid")
        if self.workspace_id is None or not uuid:
            return None
        return (
            Account.objects.filter(
                workspace_id=self.workspace_id, network=self.network, external_id=uuid
            )
            .values_list("pk", flat=True)
            .first()
        )

    def user_info(self) -> dict[str, Any]:
        """The signed-in user and their blogs (``/v2/user/info``)."""
        user = self.call("GET", "/v2/user/info").get("user")
        if not isinstance(user, dict):
            raise ConnectorError("Tumblr did not say who signed in.", permanent=True)
        return user

    # --- reading ---------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        since = datetime.fromisoformat(cursor) if cursor else None
        posts = self.call("GET", f"/v2/blog/{self.blog}/posts", params={"npf": "true", "limit": 20})
        items: dict[str, NormalizedItem] = {}
        talked = [p for p in posts.get("posts") or [] if int(p.get("note_count") or 0) > 0]
        for post in talked[: self.notes_posts]:
            for item in self._notes(post, since):
                items[item.external_id] = item
        fresh = sorted(items.values(), key=lambda i: i.created)
        newest = max((item.created for item in fresh), default=since)
        return Page(items=fresh, cursor=newest.isoformat() if newest else cursor)

    def _notes(self, post: dict[str, Any], since: datetime | None) -> list[NormalizedItem]:
        post_id = str(post.get("id_string") or post.get("id"))
        found: list[NormalizedItem] = []
        params: dict[str, Any] = {"id": post_id, "mode": "conversation"}
        for _ in range(self.note_pages if since else 1):
            body = self.call("GET", f"/v2/blog/{self.blog}/notes", params=params)
            notes = [n for n in body.get("notes") or [] if isinstance(n, dict)]
            for note in notes:
                item = self._note(note, post_id, str(post.get("post_url") or ""))
                if item is not None and (not since or item.created >= since):
                    found.append(item)
            oldest = min((int(n.get("timestamp") or 0) for n in notes), default=0)
            later = ((body.get("_links") or {}).get("next") or {}).get("query_params") or {}
            if not later or not notes or (since and oldest < since.timestamp()):
                break
            params = {
                "id": post_id,
                "mode": "conversation",
                "before_timestamp": later.get("before_timestamp", oldest),
            }
        return found

    def _note(self, note: dict[str, Any], post_id: str, post_url: str) -> NormalizedItem | None:
        kind = str(note.get("type") or "")
        text = str(note.get("reply_text") or note.get("added_text") or "").strip()
        if kind not in TALKING or not text:
            return None
        blog_name = str(note.get("blog_name") or "")
        author = str(note.get("blog_uuid") or blog_name)
        stamp = int(note.get("timestamp") or 0)
        reblog = str(note.get("post_id") or "") if kind == "reblog" else ""
        blog_url = str(note.get("blog_url") or f"https://{blog_name}.tumblr.com/")
        return NormalizedItem(
            network=self.network,
            external_id=reblog or f"{post_id}:{author}:{stamp}",
            kind="comment",
            text=text,
            created=datetime.fromtimestamp(stamp, UTC),
            author_id=author,
            author_handle=blog_name or author,
            author_name=str(note.get("blog_title") or ""),
            url=f"{blog_url.rstrip('/')}/post/{reblog}" if reblog else post_url,
            in_reply_to=post_id,
            conversation_id=post_id,
            is_own=bool(blog_name) and blog_name == self.config.get("blog"),
        )

    # --- writing ---------------------------------------------------------------------

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        """A text post in the Neue Post Format, a paragraph per text block, with a link
        block for ``link`` and ``tags``. Tumblr has no idempotency key: the call is made
        once and a lost answer is settled by ``find_published``.

        With ``media``, an image block per image (its alt text in ``alt_text``) before
        the text, the images uploaded in the same request: a multipart form whose
        ``json`` part is the post and whose other parts are the files, each named by the
        ``identifier`` its block's media object gives (Tumblr's "create a post" with
        media uploads)."""
        link = str(options.get("link") or "")
        media = list(options.get("media") or [])
        if len(media) > self.max_images:
            raise ConnectorError(
                f"A Tumblr post holds at most {self.max_images} images.", rejected=True
            )
        blocks: list[dict[str, Any]] = []
        files: dict[str, tuple[str | None, bytes | str, str]] = {}
        for n, item in enumerate(media):
            name = f"image{n}"
            extension = item.content_type.rsplit("/", 1)[-1]
            files[name] = (f"{name}.{extension}", item.data, item.content_type)
            block: dict[str, Any] = {
                "type": "image",
                "media": [{"type": item.content_type, "identifier": name}],
            }
            if item.alt:
                block["alt_text"] = item.alt[:4096]
            blocks.append(block)
        blocks += [{"type": "text", "text": para} for para in _paragraphs(text)]
        if link:
            blocks.append({"type": "link", "url": link})
        if not blocks:
            raise ConnectorError("A Tumblr post needs text or a link.", rejected=True)
        body: dict[str, Any] = {"content": blocks, "state": "published"}
        tags = [str(t).strip().lstrip("#") for t in options.get("tags") or [] if str(t).strip()]
        if tags:
            body["tags"] = ",".join(tags)
        path = f"/v2/blog/{self.blog}/posts"
        if files:
            post = (None, json.dumps(body), "application/json")
            made = self.call("POST", path, files={"json": post, **files})
        else:
            made = self.call("POST", path, json=body)
        post_id = str(made.get("id_string") or made.get("id") or "")
        if not post_id:
            raise ConnectorError("Tumblr did not say which post it made; check the blog.")
        return Published(external_id=post_id, url=self._post_url(post_id))

    def _post_url(self, post_id: str) -> str:
        return f"https://www.tumblr.com/{self.config.get('blog')}/{post_id}"

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        wanted = " ".join(text.split())
        posts = self.call("GET", f"/v2/blog/{self.blog}/posts", params={"npf": "true", "limit": 20})
        for post in posts.get("posts") or []:
            if datetime.fromtimestamp(int(post.get("timestamp") or 0), UTC) < since:
                continue
            said = " ".join(
                str(b.get("text") or "")
                for b in post.get("content") or []
                if b.get("type") == "text"
            )
            if " ".join(said.split()) == wanted:
                post_id = str(post.get("id_string") or post.get("id"))
                return Published(
                    external_id=post_id, url=str(post.get("post_url") or self._post_url(post_id))
                )
        return None

    # --- measuring -------------------------------------------------------------------

    def metrics(self) -> AccountMetrics:
        """Followers (``/followers``, the blog's admins only) and posts (``/info``)."""
        info = self.call("GET", f"/v2/blog/{self.blog}/info").get("blog") or {}
        followers = self.call("GET", f"/v2/blog/{self.blog}/followers", params={"limit": 1})
        return AccountMetrics(
            followers=_int(followers.get("total_users")),
            posts=_int(info.get("posts") or info.get("total_posts")),
        )

    def post_metrics(self, post_id: str) -> dict[str, Any]:
        """One post's notes: in all, likes and reblogs."""
        if not post_id.isdigit():
            raise ConnectorError(f"Tumblr has no post with the id {post_id!r}.", rejected=True)
        body = self.call(
            "GET", f"/v2/blog/{self.blog}/notes", params={"id": post_id, "mode": "all"}
        )
        return {
            "notes": _int(body.get("total_notes")),
            "likes": _int(body.get("total_likes")),
            "reblogs": _int(body.get("total_reblogs")),
        }


def _paragraphs(text: str) -> list[str]:
    return [para.strip() for para in text.replace("\r\n", "\n").split("\n\n") if para.strip()]


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _check_daily_limit(response: httpx.Response) -> None:
    """Tumblr's per-day allowance (``X-Ratelimit-Perday-*``): at zero, wait for its reset."""
    if response.headers.get("x-ratelimit-perday-remaining", "").strip() == "0":
        reset = response.headers.get("x-ratelimit-perday-reset", "3600")
        wait = http.retry_after_seconds({"retry-after": reset})
        raise ConnectorError("Tumblr's daily allowance for this app is used up.", retry_after=wait)


def tumblr_words(response: httpx.Response, body: dict[str, Any]) -> str:
    """Tumblr's ``errors[].detail`` (else ``meta.msg``), with the status."""
    errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    detail = "; ".join(str(e.get("detail") or e.get("title") or "") for e in errors if e)
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
    words = detail or str((meta or {}).get("msg") or "") or response.reason_phrase
    return f"{words} (HTTP {response.status_code})"


def tumblr_error(response: httpx.Response, body: dict[str, Any], write: bool) -> ConnectorError:
    status = response.status_code
    said = tumblr_words(response, body)
    if status in (401, 403):
        return ConnectorError(
            f"Tumblr refused the blog's sign-in or this action; reconnect it. Tumblr said: {said}",
            permanent=True,
        )
    if write and 400 <= status < 500:
        return ConnectorError(f"Tumblr refused the post: {said}", rejected=True)
    return ConnectorError(f"Tumblr: {said}", permanent=400 <= status < 500 and status != 429)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
