"""A LinkedIn organization page through LinkedIn's Community Management API
(``harken.networks.linkedin.api``).

Config (the account's encrypted JSON): ``organization`` (its URN), ``name``,
``vanity_name`` and the member's tokens (``access_token``, ``expires_at``, and
``refresh_token`` / ``refresh_expires_at`` where LinkedIn grants them).

``fetch`` reads the comments (and replies) on the page's ``post_window`` newest posts
(``/rest/posts?q=author``, then ``/rest/socialActions/{post}/comments``), each threaded
under its post, replies under their comment. The cursor is the newest comment's time
(milliseconds, as an ISO time); the next poll reads from that moment on. LinkedIn has no
search API and lists no mentions of a page to a third party: Listening searches do not
offer LinkedIn (search mode none).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, ClassVar

from harken.networks.base import (
    AccountMetrics,
    Connector,
    ConnectorError,
    MediaFile,
    NormalizedItem,
    Page,
    Published,
)
from harken.networks.linkedin import api, expiry, oauth

PAGE_SIZE = 50
#: Renew a refreshable token this long before its 60 days end.
RENEW_BEFORE = 7 * 24 * 3600


class LinkedIn(Connector):
    network = "linkedin"
    label = "LinkedIn page"
    app_keys = (oauth.CLIENT_ID, oauth.CLIENT_SECRET)
    connect_keys = app_keys
    connect_flows: ClassVar[dict[str, str]] = {"oauth": "harken.networks.linkedin.flows.OAuth"}
    connect_template = "connect_linkedin.html"
    capabilities = frozenset({"fetch", "publish", "reply", "metrics"})
    finds_published: ClassVar[bool] = True
    #: A post's commentary and a comment (LinkedIn's limits).
    max_chars = 3000
    comment_max_chars: ClassVar[int] = 1250
    #: The page's newest posts whose comments each poll reads.
    post_window: ClassVar[int] = 10
    #: The Images API takes JPG, PNG and GIF; a post holds one image or a multi-image of
    #: up to 20. LinkedIn limits pixels (36,152,320), not bytes; Harken's upload cap holds.
    max_images: ClassVar[int] = 20
    image_types: ClassVar[frozenset[str]] = frozenset({"image/jpeg", "image/png", "image/gif"})

    @property
    def organization(self) -> str:
        found = str(self.config.get("organization") or "")
        if not found.startswith("urn:li:organization:"):
            raise ConnectorError("This LinkedIn page has no id; connect it again.", permanent=True)
        return found

    def call(
        self, method: str, path: str, query: dict[str, Any] | None = None, json: Any = None
    ) -> Any:
        token = str(self.config.get("access_token") or "")
        if not token:
            raise ConnectorError(
                "This LinkedIn page has no sign-in; connect it again.", permanent=True
            )
        self._keep_fresh()
        return api.request(str(self.config["access_token"]), method, path, query, json)

    def _keep_fresh(self) -> None:
        """Renew a refreshable token a week before it ends; warn the owners of one that
        cannot be renewed (``expiry``)."""
        expires = self.config.get("expires_at")
        if not expires or float(expires) - time.time() > RENEW_BEFORE:
            return
        if self.config.get("refresh_token"):
            self.config.update(oauth.renew(str(self.config["refresh_token"])))
            self.config_changed = True
            return
        expiry.warn_owners(self.workspace_id, self.organization, float(expires))

    def get(self, path: str, **query: Any) -> dict[str, Any]:
        return api.body(self.call("GET", path, query or None))

    # --- connecting ------------------------------------------------------------------

    def administered(self) -> list[dict[str, Any]]:
        """The pages the member administers, with their names."""
        acls = self.get(
            "organizationAcls", q="roleAssignee", role="ADMINISTRATOR", state="APPROVED"
        )
        pages = []
        for acl in acls.get("elements") or []:
            organization = str(acl.get("organization") or "")
            if organization.startswith("urn:li:organization:"):
                found = self.get(f"organizations/{organization.rsplit(':', 1)[1]}")
                pages.append({"organization": organization, **found})
        return pages

    # --- reading ---------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        since = datetime.fromisoformat(cursor) if cursor else None
        posts = self.get(
            "posts",
            author=self.organization,
            q="author",
            count=self.post_window,
            sortBy="LAST_MODIFIED",
        )
        items: dict[str, NormalizedItem] = {}
        for post in posts.get("elements") or []:
            post_urn = str(post.get("id") or "")
            if not post_urn:
                continue
            for comment in self._comments(post_urn):
                item = self._comment(comment, post_urn)
                if not since or item.created >= since:
                    items[item.external_id] = item
        fresh = sorted(items.values(), key=lambda i: i.created)
        newest = max((item.created for item in fresh), default=since)
        return Page(items=fresh, cursor=newest.isoformat() if newest else cursor)

    def _comments(self, post_urn: str) -> list[dict[str, Any]]:
        """The post's comments, and the replies to those that have some."""
        found = (
            self.get(f"socialActions/{api.urn(post_urn)}/comments", count=PAGE_SIZE).get("elements")
            or []
        )
        replies: list[Any] = []
        for comment in found:
            nested = (comment.get("commentsSummary") or {}).get("aggregatedTotalComments") or 0
            if nested and comment.get("commentUrn"):
                path = f"socialActions/{api.urn(str(comment['commentUrn']))}/comments"
                replies.extend(self.get(path, count=PAGE_SIZE).get("elements") or [])
        return [c for c in (*found, *replies) if isinstance(c, dict)]

    def _comment(self, comment: dict[str, Any], post_urn: str) -> NormalizedItem:
        actor = str(comment.get("actor") or (comment.get("created") or {}).get("actor") or "")
        parent = str(comment.get("parentComment") or "")
        created = int((comment.get("created") or {}).get("time") or 0)
        return NormalizedItem(
            network=self.network,
            external_id=str(comment.get("commentUrn") or comment.get("id")),
            kind="reply" if parent else "comment",
            text=str((comment.get("message") or {}).get("text") or ""),
            created=datetime.fromtimestamp(created / 1000, UTC),
            author_id=actor,
            author_handle=actor.rsplit(":", 1)[-1],
            url=f"https://www.linkedin.com/feed/update/{post_urn}/",
            in_reply_to=parent or post_urn,
            conversation_id=post_urn,
            is_own=actor == self.config.get("organization"),
        )

    # --- writing ---------------------------------------------------------------------

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        """Comment as the page on a post (its URN), or answer a comment (its
        ``urn:li:comment:(<post>,<id>)``) under the same post."""
        if len(text) > self.comment_max_chars:
            raise ConnectorError(
                f"A LinkedIn comment holds at most {self.comment_max_chars} characters.",
                rejected=True,
            )
        if not in_reply_to.startswith("urn:li:"):
            raise ConnectorError(f"LinkedIn has no post or comment {in_reply_to!r}.", rejected=True)
        comment: dict[str, Any] = {"actor": self.organization, "message": {"text": text}}
        if in_reply_to.startswith("urn:li:comment:("):
            post = in_reply_to[len("urn:li:comment:(") :].rsplit(",", 1)[0]
            comment.update(object=post, parentComment=in_reply_to)
        else:
            post = in_reply_to
            comment["object"] = post
        made = api.body(
            self.call("POST", f"socialActions/{api.urn(in_reply_to)}/comments", json=comment)
        )
        urn = str(made.get("commentUrn") or made.get("id") or "")
        return Published(external_id=urn, url=f"https://www.linkedin.com/feed/update/{post}/")

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        """A text post, or an article (link) post with ``link`` (and ``title``), as the
        page through the Posts API. LinkedIn answers 201 with the post's URN in
        ``x-restli-id``. The call is made once; ``find_published`` settles a lost answer.
        With ``media``, an image post (one image, or a multi-image of up to 20, each with
        its alt text) through the Images API (``upload``); a link then stays in the text."""
        if len(text) > (self.max_chars or 0):
            raise ConnectorError(
                f"A LinkedIn post holds at most {self.max_chars} characters; this one has "
                f"{len(text)}.",
                rejected=True,
            )
        post: dict[str, Any] = {
            "author": self.organization,
            "commentary": _escaped(text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        link = str(options.get("link") or "")
        media = list(options.get("media") or [])
        if len(media) > self.max_images:
            raise ConnectorError(
                f"A LinkedIn post holds at most {self.max_images} images.", rejected=True
            )
        if link and not media:
            post["content"] = {
                "article": {"source": link, "title": str(options.get("title") or link)[:400]}
            }
        if not text.strip() and not link and not media:
            raise ConnectorError("A LinkedIn post needs text or a link.", rejected=True)
        if media:
            images = [{"id": self.upload(item), "altText": item.alt[:4086]} for item in media]
            post["content"] = (
                {"media": images[0]} if len(images) == 1 else {"multiImage": {"images": images}}
            )
        made = self.call("POST", "posts", json=post)
        urn = made.headers.get("x-restli-id", "") or str(api.body(made).get("id") or "")
        if not urn:
            raise ConnectorError("LinkedIn did not say which post it made; check the page.")
        return Published(external_id=urn, url=f"https://www.linkedin.com/feed/update/{urn}/")

    def upload(self, item: MediaFile) -> str:
        """One image through the Images API: ``initializeUpload`` (owned by the page)
        gives an upload address and the image's URN; the bytes are PUT there; the URN
        goes into the post. A retry uploads it again: an image no post uses is LinkedIn's
        to clear."""
        started = self.call(
            "POST",
            "images?action=initializeUpload",
            json={"initializeUploadRequest": {"owner": self.organization}},
        )
        value = api.body(started).get("value") or {}
        address, image = str(value.get("uploadUrl") or ""), str(value.get("image") or "")
        if not address or not image.startswith("urn:li:image:"):
            raise ConnectorError("LinkedIn did not give an address to upload the image to.")
        api.upload(str(self.config["access_token"]), address, item.data, item.content_type)
        return image

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        wanted = " ".join(_escaped(text).split())
        posts = self.get("posts", author=self.organization, q="author", count=self.post_window)
        for post in posts.get("elements") or []:
            if datetime.fromtimestamp(int(post.get("createdAt") or 0) / 1000, UTC) < since:
                continue
            if " ".join(str(post.get("commentary") or "").split()) == wanted:
                urn = str(post["id"])
                return Published(
                    external_id=urn, url=f"https://www.linkedin.com/feed/update/{urn}/"
                )
        return None

    # --- measuring -------------------------------------------------------------------

    def metrics(self) -> AccountMetrics:
        """Followers (``networkSizes``) and the page's lifetime share statistics."""
        size = self.get(
            f"networkSizes/{api.urn(self.organization)}", edgeType="COMPANY_FOLLOWED_BY_MEMBER"
        )
        shares = self.get(
            "organizationalEntityShareStatistics",
            q="organizationalEntity",
            organizationalEntity=self.organization,
        )
        totals = ((shares.get("elements") or [{}])[0] or {}).get("totalShareStatistics") or {}
        extra = {key: totals[key] for key in SHARE_KEYS if key in totals}
        return AccountMetrics(followers=_int(size.get("firstDegreeSize")), extra=extra)

    def post_metrics(self, post_urn: str) -> dict[str, Any]:
        """One post's likes and comments (``socialMetadata``)."""
        if not post_urn.startswith("urn:li:"):
            raise ConnectorError(f"LinkedIn has no post {post_urn!r}.", rejected=True)
        found = self.get(f"socialMetadata/{api.urn(post_urn)}")
        reactions = found.get("reactionSummaries") or {}
        likes = (
            sum(int((r or {}).get("count") or 0) for r in reactions.values())
            if isinstance(reactions, dict)
            else 0
        )
        comments = (found.get("commentSummary") or {}).get("count")
        return {"reactions": likes, "comments": _int(comments)}


SHARE_KEYS = (
    "impressionCount",
    "uniqueImpressionsCount",
    "clickCount",
    "likeCount",
    "commentCount",
    "shareCount",
    "engagement",
)
#: Characters LinkedIn's "little text" format reads as markup in ``commentary``.
RESERVED = "\\|{}@[]()<>#*_~"


def _escaped(text: str) -> str:
    """``text`` with LinkedIn's reserved characters escaped, so a "(" is not markup."""
    return "".join(f"\\{c}" if c in RESERVED else c for c in text)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
