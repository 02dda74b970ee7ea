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

import time
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

    def _post(self, text: str, **fields: Any) -> Published:
        if len(text) > (self.max_chars or 0):
            raise ConnectorError(
                f"A Threads post holds at most {self.max_chars} characters.", rejected=True
            )
        token = self.token
        try:
            container = api.call(
                "POST", f"{api.VERSION}/me/threads", token, media_type="TEXT", text=text, **fields
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

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        """A text post, with ``link`` as its link preview (``link_attachment``)."""
        link = str(options.get("link") or "")
        if not text.strip() and not link:
            raise ConnectorError("A Threads post needs text.", rejected=True)
        return self._post(text, **({"link_attachment": link} if link else {}))

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        return self._post(text, reply_to_id=check_id(in_reply_to, "Threads"))

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
