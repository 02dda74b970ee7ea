"""A Pinterest account through Pinterest's API v5 (``harken.networks.pinterest.api``).

Config (the account's encrypted JSON): ``user_id``, ``username`` and the tokens
(``access_token``, ``refresh_token``, ``expires_at``, ``refresh_expires_at``).

Pinterest's API gives apps no way to read the comments on a pin (v5 has no comment
endpoint), so Harken does not read Pinterest (``unreadable``; no "fetch"). ``publish``
makes a pin: the post's image (uploaded as base64), its text as the description, ``link``
as the pin's destination, on the ``board`` the post names (its name or id), with an
optional ``title``. ``metrics`` gives followers, pins and monthly views, and the last 30
days of impressions, saves, pin clicks and outbound clicks; ``post_metrics`` one pin's.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, date, datetime, timedelta
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
from harken.networks.pinterest import api
from harken.networks.renewal import TokenLayout, renew_once

TOKENS = TokenLayout(network="Pinterest", access_key="access_token", margin=api.RENEW_BEFORE)
TOKEN_KEYS = ("access_token", "refresh_token", "expires_at", "refresh_expires_at", "scope")
METRICS = ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK")
METRIC_DAYS = 30


class Pinterest(Connector):
    network = "pinterest"
    label = "Pinterest"
    app_keys = (api.APP_ID, api.APP_SECRET)
    connect_keys = app_keys
    connect_flows: ClassVar[dict[str, str]] = {"oauth": "harken.networks.pinterest.flows.OAuth"}
    connect_template = "connect_pinterest.html"
    capabilities = frozenset({"publish", "metrics"})
    finds_published: ClassVar[bool] = True
    #: A pin's description; its title holds 100.
    max_chars = 500
    needs_media = True
    max_images = 1
    max_image_bytes = 20 * 1024 * 1024
    image_types = frozenset({"image/jpeg", "image/png", "image/webp"})
    unreadable = (
        "Pinterest's API gives apps no way to read the comments on pins: Harken publishes "
        "pins and reads their figures, and cannot bring Pinterest comments to the inbox."
    )
    post_fields = (
        PostField("board", "Board (its name or id)", max_chars=180),
        PostField("title", "Pin title", max_chars=100, required=False),
    )

    def call(self, method: str, path: str, params: Any = None, json: Any = None) -> dict[str, Any]:
        if not self.config.get("access_token"):
            raise ConnectorError(
                "This Pinterest account has no sign-in; connect it again.", permanent=True
            )
        if TOKENS.is_stale(self.config):
            self._renew()
        ends = float(self.config.get("refresh_expires_at") or 0)
        if expiry.ends_soon(ends):
            expiry.warn_owners(
                self.workspace_id,
                self.network,
                str(self.config.get("user_id")),
                "Pinterest",
                ends,
            )
        return api.request(str(self.config["access_token"]), method, path, params, json)

    def _renew(self) -> None:
        """Renew the access token a week before it ends, once across all workers
        (``harken.networks.renewal``: a renewal may hand out a new refresh token)."""
        if not self.config.get("refresh_token"):
            if float(self.config["expires_at"]) > time.time():
                return  # it still works; its end is a 401 and a reconnect
            raise ConnectorError(
                "Pinterest's sign-in ended and Harken holds no refresh token; reconnect it.",
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
            fields = {key: config[key] for key in TOKEN_KEYS if key in config}
        self.config.update(fields)

    def _account_id(self) -> int | None:
        from harken.networks.models import Account

        user_id = self.config.get("user_id")
        if self.workspace_id is None or not user_id:
            return None
        found = Account.objects.filter(
            workspace_id=self.workspace_id, network=self.network, external_id=user_id
        )
        return found.values_list("pk", flat=True).first()

    def me(self) -> dict[str, Any]:
        return self.call("GET", "user_account")

    def fetch(self, cursor: str | None) -> Page:
        """Nothing: Pinterest lets apps read no comments (``unreadable``). The account's
        mentions source, which listening makes for every account, stays empty and asks
        Pinterest nothing."""
        return Page(items=[], cursor=cursor)

    # --- writing ---------------------------------------------------------------------

    def board_id(self, wanted: str) -> str:
        """The id of the board named ``wanted`` (its name, any case, or its id)."""
        wanted = wanted.strip()
        if not wanted:
            raise ConnectorError("A pin needs a board.", rejected=True)
        if wanted.isdigit():
            return wanted
        bookmark = ""
        names = []
        for _ in range(10):
            body = self.call(
                "GET", "boards", {"page_size": 100, **({"bookmark": bookmark} if bookmark else {})}
            )
            for board in body.get("items") or []:
                names.append(str(board.get("name") or ""))
                if names[-1].casefold() == wanted.casefold():
                    return str(board["id"])
            bookmark = str(body.get("bookmark") or "")
            if not bookmark:
                break
        listed = ", ".join(names) or "none"
        raise ConnectorError(
            f"This Pinterest account has no board called “{wanted}” (its boards: {listed}).",
            rejected=True,
        )

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        if len(text) > (self.max_chars or 0):
            raise ConnectorError(
                f"A pin's description holds at most {self.max_chars} characters.", rejected=True
            )
        media = [m for m in options.get("media") or [] if isinstance(m, MediaFile)]
        if not media or media[0].content_type not in self.image_types:
            raise ConnectorError("A pin needs an image (JPEG, PNG or WebP).", rejected=True)
        image = media[0]
        pin: dict[str, Any] = {
            "board_id": self.board_id(str(options.get("board") or "")),
            "description": text,
            "media_source": {
                "source_type": "image_base64",
                "content_type": image.content_type,
                "data": base64.b64encode(image.data).decode("ascii"),
            },
        }
        extra = {
            "title": str(options.get("title") or "")[:100],
            "link": str(options.get("link") or ""),
            "alt_text": image.alt[:500],
        }
        pin.update({key: value for key, value in extra.items() if value})
        made = self.call("POST", "pins", json=pin)
        pin_id = str(made.get("id") or "")
        if not pin_id:
            raise ConnectorError("Pinterest did not say which pin it made; check the account.")
        return Published(external_id=pin_id, url=pin_url(pin_id))

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        wanted = " ".join(text.split())
        for pin in self.call("GET", "pins", {"page_size": 25}).get("items") or []:
            created = _time(str(pin.get("created_at") or ""))
            if created >= since and " ".join(str(pin.get("description") or "").split()) == wanted:
                return Published(external_id=str(pin["id"]), url=pin_url(str(pin["id"])))
        return None

    # --- measuring -------------------------------------------------------------------

    def metrics(self) -> AccountMetrics:
        me = self.me()
        end = date.today()
        body = self.call("GET", "user_account/analytics", _range(end))
        extra: dict[str, Any] = {"monthly_views": me.get("monthly_views")}
        extra.update(_summary(body))
        return AccountMetrics(
            followers=_int(me.get("follower_count")),
            following=_int(me.get("following_count")),
            posts=_int(me.get("pin_count")),
            extra=extra,
        )

    def post_metrics(self, pin_id: str) -> dict[str, Any]:
        if not pin_id.isdigit():
            raise ConnectorError(f"Pinterest has no pin {pin_id!r}.", rejected=True)
        return _summary(self.call("GET", f"pins/{pin_id}/analytics", _range(date.today())))


def pin_url(pin_id: str) -> str:
    return f"https://www.pinterest.com/pin/{pin_id}/"


def _range(end: date) -> dict[str, str]:
    return {
        "start_date": (end - timedelta(days=METRIC_DAYS)).isoformat(),
        "end_date": end.isoformat(),
        "metric_types": ",".join(METRICS),
    }


def _summary(body: dict[str, Any]) -> dict[str, Any]:
    """``impressions``, ``saves``, ``pin_clicks``, ``outbound_clicks`` of the summary."""
    summary = (body.get("all") or {}).get("summary_metrics") or {}
    names = {
        "IMPRESSION": "impressions",
        "SAVE": "saves",
        "PIN_CLICK": "pin_clicks",
        "OUTBOUND_CLICK": "outbound_clicks",
    }
    return {name: _int(summary.get(key)) for key, name in names.items()}


def _time(raw: str) -> datetime:
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
