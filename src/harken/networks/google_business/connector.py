"""A Google Business Profile location (a shop on Google Maps and Search) through Google's
Business Profile APIs (``harken.networks.google_business.api``).

Config (the account's encrypted JSON): ``account`` (``accounts/…``), ``location``
(``locations/…``), ``title``, ``maps_uri``, and the Google tokens (``access_token``,
``refresh_token``, ``expires_at``).

``fetch`` reads the location's reviews, newest first (``accounts/*/locations/*/reviews``),
each as a mention of kind "review" with its stars as the item's ``rating`` (the text is the
reviewer's own words only, so search and analysis read them undisturbed); an owner
response already given reads as our answer under it. The cursor is the newest review's
update time. Google ended the Q&A API on 3 November 2025, so a profile's questions cannot
be read (``unreadable``).

``reply`` is the owner response to a review (one per review: answering again replaces
it). ``publish`` makes a local post: an update, an offer or an event (``topic``), with a
link as its "Learn more" button and an image Google fetches from Harken's signed address.
``metrics`` gives the rating and review count (a snapshot each time, so the rating over
time is the snapshots' series) and the last 28 days of the Performance API's daily
metrics: profile views on Maps and Search, calls, direction requests, website clicks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from harken.networks.base import (
    AccountMetrics,
    Connector,
    ConnectorError,
    NormalizedItem,
    Page,
    PostField,
    Published,
)
from harken.networks.google_business import api

PAGE_SIZE = 50
#: Pages of reviews one poll reads at most (the newest first).
MAX_PAGES = 10
STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
TOPICS = {"update": "STANDARD", "offer": "OFFER", "event": "EVENT"}
#: The Performance API's daily metrics Harken keeps, by the name it keeps them under.
DAILY = {
    "BUSINESS_IMPRESSIONS_DESKTOP_MAPS": "views_maps",
    "BUSINESS_IMPRESSIONS_MOBILE_MAPS": "views_maps",
    "BUSINESS_IMPRESSIONS_DESKTOP_SEARCH": "views_search",
    "BUSINESS_IMPRESSIONS_MOBILE_SEARCH": "views_search",
    "CALL_CLICKS": "calls",
    "BUSINESS_DIRECTION_REQUESTS": "direction_requests",
    "WEBSITE_CLICKS": "website_clicks",
}
METRIC_DAYS = 28
DATE = r"\d{4}-\d{2}-\d{2}"


class GoogleBusiness(Connector):
    network = "google_business"
    label = "Google Business Profile"
    app_keys = (api.CLIENT_ID, api.CLIENT_SECRET)
    connect_keys = app_keys
    connect_flows: ClassVar[dict[str, str]] = {
        "oauth": "harken.networks.google_business.flows.OAuth"
    }
    connect_template = "connect_google_business.html"
    capabilities = frozenset({"fetch", "publish", "reply", "metrics"})
    finds_published: ClassVar[bool] = True
    #: A local post's summary; an owner response holds 4,096 bytes.
    max_chars = 1500
    reply_max_bytes: ClassVar[int] = 4096
    max_images = 1
    max_image_bytes = 5 * 1024 * 1024
    image_types = frozenset({"image/jpeg", "image/png"})
    #: What Google's APIs do not let Harken read, said on the connect form.
    unreadable = (
        "Google ended the Business Profile Q&A API on 3 November 2025: Harken reads reviews, "
        "not the questions people ask on the profile."
    )
    post_fields = (
        PostField(
            "topic",
            "Post type",
            max_chars=6,
            pattern="(?i)" + "|".join(TOPICS),
            hint="update, offer or event",
            required=False,
        ),
        PostField("event_title", "Offer or event title", max_chars=58, required=False),
        PostField(
            "starts",
            "Starts (YYYY-MM-DD)",
            pattern=DATE,
            hint="2026-12-24",
            required=False,
            input_type="date",
        ),
        PostField(
            "ends",
            "Ends (YYYY-MM-DD)",
            pattern=DATE,
            hint="2026-12-31",
            required=False,
            input_type="date",
        ),
        PostField("coupon", "Coupon code", max_chars=58, required=False),
        PostField(
            "link",
            "Link (Learn more, or where to redeem an offer)",
            max_chars=2000,
            pattern=r"https?://\S+",
            hint="a web address starting with https://",
            required=False,
            input_type="url",
        ),
    )

    @classmethod
    def post_problems(cls, text: str, options: Mapping[str, Any]) -> list[str]:
        """An offer or an event needs its title and dates, the end on or after the start."""
        topic = str(options.get("topic") or "update").strip().lower()
        if topic not in TOPICS or topic == "update":
            return []
        try:
            _event(topic, options)
        except ConnectorError as error:
            return [error.message]
        return []

    # --- calls -----------------------------------------------------------------------

    @property
    def location(self) -> str:
        found = str(self.config.get("location") or "")
        account = str(self.config.get("account") or "")
        if not found.startswith("locations/") or not account.startswith("accounts/"):
            raise ConnectorError(
                "This Google Business Profile has no location; connect it again.", permanent=True
            )
        return found

    @property
    def v4_location(self) -> str:
        """The ``accounts/*/locations/*`` name the v4 reviews and posts API wants."""
        return f"{self.config['account']}/{self.location}"

    def call(self, method: str, url: str, params: Any = None, json: Any = None) -> dict[str, Any]:
        if not self.config.get("access_token") and not self.config.get("refresh_token"):
            raise ConnectorError(
                "This Google Business Profile has no sign-in; connect it again.", permanent=True
            )
        if api.fresh_token(self.config):
            self.config_changed = True
        return api.request(str(self.config["access_token"]), method, url, params, json)

    def v4(self, method: str, path: str, params: Any = None, json: Any = None) -> dict[str, Any]:
        return self.call(method, f"{api.service_url(api.REVIEWS)}/v4/{path}", params, json)

    # --- connecting ------------------------------------------------------------------

    def locations(self) -> list[dict[str, Any]]:
        """Every location the person manages, each with its ``account``."""
        found: list[dict[str, Any]] = []
        accounts = self.call("GET", f"{api.service_url(api.ACCOUNTS)}/v1/accounts")
        for account in accounts.get("accounts") or []:
            name = str(account.get("name") or "")
            if not name.startswith("accounts/"):
                continue
            body = self.call(
                "GET",
                f"{api.service_url(api.INFORMATION)}/v1/{name}/locations",
                {"readMask": "name,title,metadata", "pageSize": 100},
            )
            found.extend({**row, "account": name} for row in body.get("locations") or [])
        return found

    # --- reading ---------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        since = datetime.fromisoformat(cursor) if cursor else None
        items: dict[str, NormalizedItem] = {}
        token = ""
        for _ in range(MAX_PAGES):
            params = {"pageSize": PAGE_SIZE, "orderBy": "updateTime desc"}
            body = self.v4(
                "GET",
                f"{self.v4_location}/reviews",
                {**params, **({"pageToken": token} if token else {})},
            )
            reviews = [r for r in body.get("reviews") or [] if isinstance(r, dict)]
            for review in reviews:
                for item in self._review(review):
                    if not since or item.created >= since:
                        items[item.external_id] = item
            token = str(body.get("nextPageToken") or "")
            if not token or (since and all(_time(r, "updateTime") < since for r in reviews)):
                break
        fresh = sorted(items.values(), key=lambda i: i.created)
        newest = max((item.created for item in fresh), default=since)
        return Page(items=fresh, cursor=newest.isoformat() if newest else cursor)

    def _review(self, review: dict[str, Any]) -> list[NormalizedItem]:
        review_id = str(review.get("reviewId") or str(review.get("name") or "").rsplit("/", 1)[-1])
        reviewer = review.get("reviewer") or {}
        name = "" if reviewer.get("isAnonymous") else str(reviewer.get("displayName") or "")
        stars = STARS.get(str(review.get("starRating") or ""), 0)
        comment = str(review.get("comment") or "")
        url = str(self.config.get("maps_uri") or "")
        found = [
            NormalizedItem(
                network=self.network,
                external_id=review_id,
                kind="review",
                text=comment,
                created=_time(review, "createTime"),
                author_id=name or f"anonymous:{review_id}",
                author_handle=name or "A Google user",
                author_name=name,
                url=url,
                conversation_id=review_id,
                rating=stars or None,
                raw={"star_rating": stars, "review": str(review.get("name") or "")},
            )
        ]
        answer = review.get("reviewReply") or {}
        if answer.get("comment"):
            found.append(
                NormalizedItem(
                    network=self.network,
                    external_id=f"{review_id}/reply",
                    kind="reply",
                    text=str(answer["comment"]),
                    created=_time(answer, "updateTime"),
                    author_id=self.location,
                    author_handle=str(self.config.get("title") or self.location),
                    url=url,
                    in_reply_to=review_id,
                    conversation_id=review_id,
                    is_own=True,
                )
            )
        return found

    # --- writing ---------------------------------------------------------------------

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        """The owner response to the review ``in_reply_to`` (its id). Google keeps one
        response a review: a second replaces the first, so a repeat never doubles."""
        # An answer under our own response goes to the review it answers.
        review_id = in_reply_to.removesuffix("/reply").rsplit("/", 1)[-1]
        if not review_id or not review_id.replace("-", "").replace("_", "").isalnum():
            raise ConnectorError(f"Google has no review {in_reply_to!r}.", rejected=True)
        if len(text.encode("utf-8")) > self.reply_max_bytes:
            raise ConnectorError(
                f"An owner response holds at most {self.reply_max_bytes} bytes.", rejected=True
            )
        if not text.strip():
            raise ConnectorError("An owner response needs text.", rejected=True)
        self.v4("PUT", f"{self.v4_location}/reviews/{review_id}/reply", json={"comment": text})
        return Published(
            external_id=f"{review_id}/reply", url=str(self.config.get("maps_uri") or "")
        )

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        """A local post: ``topic`` update (default), offer or event; an offer or event
        needs ``event_title``, ``starts`` and ``ends``; ``coupon`` for an offer; ``link``
        as its "Learn more" button; the first of ``image_urls`` as its photo."""
        post = local_post(text, options, self.max_chars or 0)
        made = self.v4("POST", f"{self.v4_location}/localPosts", json=post)
        name = str(made.get("name") or "")
        if not name:
            raise ConnectorError("Google did not say which post it made; check the profile.")
        return Published(external_id=name, url=str(made.get("searchUrl") or ""))

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        wanted = " ".join(text.split())
        body = self.v4("GET", f"{self.v4_location}/localPosts", {"pageSize": 20})
        for post in body.get("localPosts") or []:
            if (
                _time(post, "createTime") >= since
                and " ".join(str(post.get("summary") or "").split()) == wanted
            ):
                return Published(
                    external_id=str(post["name"]), url=str(post.get("searchUrl") or "")
                )
        return None

    # --- measuring -------------------------------------------------------------------

    def metrics(self) -> AccountMetrics:
        summary = self.v4("GET", f"{self.v4_location}/reviews", {"pageSize": 1})
        extra: dict[str, Any] = {
            "rating": summary.get("averageRating"),
            "reviews": _int(summary.get("totalReviewCount")),
        }
        extra.update(self.daily_metrics(date.today() - timedelta(days=METRIC_DAYS), date.today()))
        return AccountMetrics(posts=extra["reviews"], extra=extra)

    def daily_metrics(self, start: date, end: date) -> dict[str, Any]:
        """Totals over ``start``..``end`` and each day's figures (``daily``), from the
        Performance API's ``fetchMultiDailyMetricsTimeSeries``."""
        params: list[tuple[str, Any]] = [("dailyMetrics", name) for name in DAILY]
        for side, day in (("startDate", start), ("endDate", end)):
            params += [
                (f"dailyRange.{side}.year", day.year),
                (f"dailyRange.{side}.month", day.month),
                (f"dailyRange.{side}.day", day.day),
            ]
        body = self.call(
            "GET",
            f"{api.service_url(api.PERFORMANCE)}/v1/{self.location}:fetchMultiDailyMetricsTimeSeries",
            params,
        )
        totals = dict.fromkeys(DAILY.values(), 0)
        daily: dict[str, dict[str, int]] = {}
        for group in body.get("multiDailyMetricTimeSeries") or []:
            for series in group.get("dailyMetricTimeSeries") or []:
                kept = DAILY.get(str(series.get("dailyMetric") or ""))
                if not kept:
                    continue
                for point in (series.get("timeSeries") or {}).get("datedValues") or []:
                    when = point.get("date") or {}
                    on = f"{when.get('year'):04}-{when.get('month'):02}-{when.get('day'):02}"
                    value = _int(point.get("value")) or 0  # Google leaves out a zero
                    totals[kept] += value
                    daily.setdefault(on, dict.fromkeys(DAILY.values(), 0))[kept] += value
        return {**totals, "daily": dict(sorted(daily.items()))}


def local_post(text: str, options: dict[str, Any], max_chars: int) -> dict[str, Any]:
    """The ``LocalPost`` body for ``text`` and the post's fields, or a rejection."""
    if len(text) > max_chars:
        raise ConnectorError(
            f"A Google Business Profile post holds at most {max_chars} characters.", rejected=True
        )
    topic = str(options.get("topic") or "update").strip().lower()
    if topic not in TOPICS:
        raise ConnectorError("A Google post is an update, an offer or an event.", rejected=True)
    post: dict[str, Any] = {"languageCode": "en", "summary": text, "topicType": TOPICS[topic]}
    if topic != "update":
        post["event"] = _event(topic, options)
    elif not text.strip():
        raise ConnectorError("A Google update needs text.", rejected=True)
    link = str(options.get("link") or "")
    if topic == "offer":
        post["offer"] = {
            key: value
            for key, value in (("couponCode", options.get("coupon")), ("redeemOnlineUrl", link))
            if value
        }
    elif link:
        post["callToAction"] = {"actionType": "LEARN_MORE", "url": link}
    images = [str(url) for url in options.get("image_urls") or []]
    if images:
        post["media"] = [{"mediaFormat": "PHOTO", "sourceUrl": images[0]}]
    return post


def _event(topic: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """An offer's or event's title and schedule, or a rejection in words for a person."""
    title = str(options.get("event_title") or "").strip()
    try:
        starts = date.fromisoformat(str(options.get("starts") or ""))
        ends = date.fromisoformat(str(options.get("ends") or ""))
    except ValueError:
        raise ConnectorError(
            f"A Google {topic} needs its start and end dates (YYYY-MM-DD).", rejected=True
        ) from None
    if not title or ends < starts:
        raise ConnectorError(
            f"A Google {topic} needs a title and an end on or after its start.", rejected=True
        )
    return {"title": title, "schedule": {"startDate": _day(starts), "endDate": _day(ends)}}


def _day(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _time(row: dict[str, Any], key: str) -> datetime:
    raw = str(row.get(key) or "")
    try:
        found = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return datetime.fromtimestamp(0, UTC)
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
