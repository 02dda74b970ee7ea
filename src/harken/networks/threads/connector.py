"""A Threads profile through Meta's Threads API (``harken.networks.threads.api``).

Config (the account's encrypted JSON): ``user_id``, ``username``, the long-lived
``access_token`` and its ``expires_at``.

``fetch`` reads the replies in the conversations under the profile's ``post_window``
newest posts (``/{post}/conversation``, replies to replies included, each with the post
it answers) and the posts that mention the profile (``/me/mentions``). A reply threads
under its root post. The cursor is the newest item's time; the next poll reads from that
second on (the pipeline dedupes). Publishing and replying go container → publish.
"""

from __future__ import annotations

import ipaddress
import time
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from harken.networks.base import (
    AccountMetrics,
    Connector,
    ConnectorError,
    NormalizedItem,
    Page,
    Published,
)
from harken.networks.meta.graph import as_refused, check_id, items, parse_time
from harken.networks.threads import api

FIELDS = "id,text,timestamp,username,permalink,root_post,replied_to,is_reply_owned_by_me"
POST_FIELDS = "id,text,timestamp,permalink"
#: Refresh the long-lived token this long before its 60 days end.
REFRESH_BEFORE = 7 * 24 * 3600
METRICS = ("views", "likes", "replies", "reposts", "quotes")


class Threads(Connector):
    network = "threads"
    label = "Threads"
    app_keys = (api.APP_ID, api.APP_SECRET)
    connect_keys = app_keys
    connect_flows: ClassVar[dict[str, str]] = {"oauth": "harken.networks.threads.flows.OAuth"}
    connect_template = "connect_threads.html"
    capabilities = frozenset({"fetch", "publish", "reply", "metrics"})
    finds_published: ClassVar[bool] = True
    max_chars = 500
    #: The profile's newest posts whose conversations each poll reads.
    post_window: ClassVar[int] = 10
    #: Threads' media specifications: JPEG or PNG, 8 MB, up to 20 in a carousel.
    max_images: ClassVar[int] = 20
    max_image_bytes: ClassVar[int | None] = 8 * 1024 * 1024
    image_types: ClassVar[frozenset[str]] = frozenset({"image/jpeg", "image/png"})
    #: Looks at an image container before publishing it (Threads processes it first).
    status_tries: ClassVar[int] = 10
    status_wait: ClassVar[float] = 3.0

    @property
    def token(self) -> str:
        token = str(self.config.get("access_token") or "")
        if not token:
            raise ConnectorError(
                "This Threads profile has no sign-in; connect it again.", permanent=True
            )
        expires = self.config.get("expires_at")
        if expires and float(expires) - time.time() < REFRESH_BEFORE:
            self.config.update(api.refresh(token))
            self.config_changed = True
            token = str(self.config["access_token"])
        return token

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return api.call("GET", path, self.token, **params)

    def me(self) -> dict[str, Any]:
        return self.get(f"{api.VERSION}/me", fields="id,username,name")

    # --- reading ---------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        since = datetime.fromisoformat(cursor) if cursor else None
        found: dict[str, NormalizedItem] = {}
        posts = items(
            self.get(f"{api.VERSION}/me/threads", fields=POST_FIELDS, limit=self.post_window)
        )
        for post in posts:
            replies = items(
                self.get(
                    f"{api.VERSION}/{check_id(str(post['id']), 'Threads')}/conversation",
                    fields=FIELDS,
                    reverse="false",
                )
            )
            for reply in replies:
                item = self._item(reply, str(post["id"]))
                found[item.external_id] = item
        for mention in items(self.get(f"{api.VERSION}/me/mentions", fields=FIELDS)):
            item = self._item(mention, "")
            found[item.external_id] = item
        fresh = sorted(
            (i for i in found.values() if not since or i.created >= since), key=lambda i: i.created
        )
        newest = max((item.created for item in fresh), default=since)
        return Page(items=fresh, cursor=newest.isoformat() if newest else cursor)

    def _item(self, row: dict[str, Any], root: str) -> NormalizedItem:
        answered = str((row.get("replied_to") or {}).get("id") or "")
        root = str((row.get("root_post") or {}).get("id") or root or row["id"])
        username = str(row.get("username") or "")
        return NormalizedItem(
            network=self.network,
            external_id=str(row["id"]),
            kind="reply" if answered else "post",
            text=str(row.get("text") or ""),
            created=parse_time(str(row["timestamp"])),
            author_id=username,
            author_handle=username,
            url=str(row.get("permalink") or ""),
            in_reply_to=answered,
            conversation_id=root,
            is_own=bool(row.get("is_reply_owned_by_me")) or username == self.config.get("username"),
        )

    # --- writing ---------------------------------------------------------------------

    def _post(
        self, text: str, images: list[tuple[str, str]] | None = None, **fields: Any
    ) -> Published:
        if len(text) > (self.max_chars or 0):
            raise ConnectorError(
                f"A Threads post holds at most {self.max_chars} characters.", rejected=True
            )
        token = self.token
        try:
            if images:
                container = self._image_container(token, text, images)
            else:
                container = api.call(
                    "POST",
                    f"{api.VERSION}/me/threads",
                    token,
                    media_type="TEXT",
                    text=text,
                    **fields,
                )
            made = api.call(
                "POST", f"{api.VERSION}/me/threads_publish", token, creation_id=str(container["id"])
            )
        except ConnectorError as error:
            raise as_refused(error, "Threads") from error
        post_id = str(made["id"])
        return Published(external_id=post_id, url=self._permalink(post_id))

    def _permalink(self, post_id: str) -> str:
        try:
            return str(
                self.get(f"{api.VERSION}/{post_id}", fields="permalink").get("permalink") or ""
            )
        except ConnectorError:
            return ""  # the post is out; its address is a nicety

    @classmethod
    def image_url_problem(cls, urls: list[str]) -> str:
        """Threads takes no upload: it fetches each image from the ``image_url`` it is
        given, Harken's own signed address of the image, which must be public HTTPS. The
        composer asks this with ``HARKEN_BASE_URL`` when a post with images is scheduled."""
        return public_image_problem(urls)

    def _image_container(
        self, token: str, text: str, images: list[tuple[str, str]]
    ) -> dict[str, Any]:
        """One image container, or a carousel of 2 to 20 item containers, each looked at
        until Threads has fetched and processed its image (``FINISHED``)."""
        path = f"{api.VERSION}/me/threads"
        if len(images) == 1:
            url, alt = images[0]
            made = api.call(
                "POST",
                path,
                token,
                media_type="IMAGE",
                image_url=url,
                text=text,
                **({"alt_text": alt[:1000]} if alt else {}),
            )
            self._wait_finished(token, str(made["id"]))
            return made
        children = []
        for url, alt in images:
            item = api.call(
                "POST",
                path,
                token,
                media_type="IMAGE",
                image_url=url,
                is_carousel_item="true",
                **({"alt_text": alt[:1000]} if alt else {}),
            )
            children.append(str(item["id"]))
        for child in children:
            self._wait_finished(token, child)
        carousel = api.call(
            "POST", path, token, media_type="CAROUSEL", children=",".join(children), text=text
        )
        self._wait_finished(token, str(carousel["id"]))
        return carousel

    def _wait_finished(self, token: str, container: str) -> None:
        """Ask for a container's ``status`` until ``FINISHED``; ``ERROR`` is Threads
        refusing the image (its ``error_message`` says why)."""
        for attempt in range(self.status_tries):
            got = api.call(
                "GET", f"{api.VERSION}/{container}", token, fields="status,error_message"
            )
            status = str(got.get("status") or "")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                why = str(got.get("error_message") or status.lower())
                raise ConnectorError(f"Threads could not use the image: {why}.", rejected=True)
            if attempt < self.status_tries - 1:
                time.sleep(self.status_wait)
        raise ConnectorError("Threads is still processing the image; Harken tries again later.")

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        """A text post, with ``link`` as its link preview (``link_attachment``), or an
        image post (``image_urls``, with the alt text of ``media`` where given): one image,
        or a carousel of up to 20. Threads fetches each image from its URL, so the URLs
        must be public HTTPS (``public_image_problem``)."""
        link = str(options.get("link") or "")
        urls = [str(url) for url in options.get("image_urls") or []]
        if urls:
            problem = public_image_problem(urls)
            if problem:
                raise ConnectorError(problem, rejected=True)
            if len(urls) > self.max_images:
                raise ConnectorError(
                    f"A Threads post holds at most {self.max_images} images.", rejected=True
                )
            alts = [getattr(item, "alt", "") for item in options.get("media") or []]
            alts += [""] * (len(urls) - len(alts))
            return self._post(text, images=list(zip(urls, alts, strict=False)))
        if not text.strip() and not link:
            raise ConnectorError("A Threads post needs text.", rejected=True)
        return self._post(text, None, **({"link_attachment": link} if link else {}))

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        return self._post(text, None, reply_to_id=check_id(in_reply_to, "Threads"))

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        wanted = " ".join(text.split())
        for post in items(self.get(f"{api.VERSION}/me/threads", fields=POST_FIELDS, limit=25)):
            if (
                parse_time(str(post["timestamp"])) >= since
                and " ".join(str(post.get("text") or "").split()) == wanted
            ):
                return Published(external_id=str(post["id"]), url=str(post.get("permalink") or ""))
        return None

    # --- measuring -------------------------------------------------------------------

    def metrics(self) -> AccountMetrics:
        body = self.get(
            f"{api.VERSION}/me/threads_insights", metric=",".join((*METRICS, "followers_count"))
        )
        values = _values(body)
        followers = values.pop("followers_count", None)
        return AccountMetrics(followers=followers, extra=values)

    def post_metrics(self, post_id: str) -> dict[str, Any]:
        target = check_id(post_id, "Threads")
        return _values(self.get(f"{api.VERSION}/{target}/insights", metric=",".join(METRICS)))


def public_image_problem(urls: list[str]) -> str:
    """Why Threads could not fetch images from ``urls`` ("" when it can): Threads takes
    no upload, it downloads each image from the address it is given, so the address must
    be public HTTPS. Harken's own signed image addresses are under ``HARKEN_BASE_URL``;
    an install on a laptop or behind a firewall has none Threads can reach."""
    for url in urls:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme != "https" or not host or _local_host(host):
            base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else url
            return (
                "Threads fetches a post's images from Harken's own address, and this "
                f"installation's ({base}) is not public HTTPS. Set HARKEN_BASE_URL to the "
                "https:// address the internet reaches Harken at, or post without images."
            )
    return ""


def _local_host(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def _values(body: dict[str, Any]) -> dict[str, Any]:
    """Each metric's figure: ``total_value.value`` for totals, else the last of ``values``."""
    found: dict[str, Any] = {}
    for metric in items(body):
        total = (metric.get("total_value") or {}).get("value")
        points = metric.get("values") or []
        found[str(metric.get("name"))] = (
            total if total is not None else (points[-1].get("value") if points else None)
        )
    return found
