"""The YouTube Data API v3 over ``harken.lib.http``, with one account's Google token.

Every call is charged to the day's quota first (``harken.networks.youtube.quota``), sent
with the access token (renewed from the refresh token when it is about to expire, or once
after a 401), and Google's errors turned into ``ConnectorError`` in Google's words:

- 401, or a refresh Google refuses: reconnect needed (permanent);
- 403 ``quotaExceeded`` / ``dailyLimitExceeded``: transient until midnight Pacific;
  ``rateLimitExceeded`` and its kin: transient, a minute;
- another 403 (a permission, a channel that cannot comment): permanent;
- a 400 or 404 on a write: the content was refused (``rejected``), the account is fine.

The ``YOUTUBE_API_URL`` and ``YOUTUBE_UPLOAD_URL`` settings point the calls elsewhere
(a local server in tests).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, cast

import httpx
from django.conf import settings
from django.db import transaction

from harken.lib import http
from harken.networks.base import ConnectorError
from harken.networks.youtube import google, quota

API_URL = "https://www.googleapis.com/youtube/v3"
UPLOAD_URL = "https://www.googleapis.com/upload/youtube/v3"
TIMEOUT = 20.0
READ_ATTEMPTS = 3
#: Renew this long before the access token's expiry.
MARGIN = 300
LABEL = "YouTube"
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "servingLimitExceeded"})
TOKEN_KEYS = ("access_token", "refresh_token", "expires_at", "scope")


def api_url() -> str:
    return str(getattr(settings, "YOUTUBE_API_URL", API_URL)).rstrip("/")


def upload_url() -> str:
    return str(getattr(settings, "YOUTUBE_UPLOAD_URL", UPLOAD_URL)).rstrip("/")


class YouTubeError(ConnectorError):
    def __init__(self, message: str, *, status: int, reasons: frozenset[str], **kwargs: Any):
        super().__init__(message, **kwargs)
        self.status = status
        self.reasons = reasons


class Client:
    """Calls for one account. ``config`` is the connector's (token keys are updated in
    it); ``account_id`` is the saved account they are counted and kept on (None while
    connecting: a renewal then sets ``changed`` for the caller to save)."""

    def __init__(self, config: dict[str, Any], account_id: int | None) -> None:
        if not config.get("access_token") and not config.get("refresh_token"):
            raise ConnectorError(
                "This YouTube channel has no sign-in; connect it again.", permanent=True
            )
        self.config = config
        self.account_id = account_id
        self.changed = False

    def get(self, resource: str, **params: Any) -> dict[str, Any]:
        return self.call("GET", f"{api_url()}/{resource}", quota.COSTS["list"], params=params)

    def insert(self, resource: str, part: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self.call(
            "POST",
            f"{api_url()}/{resource}",
            quota.COSTS[f"{resource}.insert"],
            params={"part": part},
            json=body,
            write=True,
        )

    def call(
        self,
        method: str,
        url: str,
        units: int,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        write: bool = False,
        upload: bool = False,
    ) -> dict[str, Any]:
        response = self.send(method, url, units, params, json, content, headers, write, upload)
        return self.answer(response, write)

    def send(
        self,
        method: str,
        url: str,
        units: int,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        write: bool = False,
        upload: bool = False,
        charge: bool = True,
    ) -> httpx.Response:
        """One request, charged (unless ``charge`` is False: a resumable upload's later
        requests belong to the insert already counted), renewing the token once on 401."""
        if charge:
            quota.charge(self.account_id, units, upload=upload, write=write)
        if self._stale():
            self.renew()
        for attempt in (1, 2):
            response = http.request(
                method,
                url,
                params=params,
                json=json,
                content=content,
                headers={
                    "Authorization": f"Bearer {self.config.get('access_token', '')}",
                    **(headers or {}),
                },
                timeout=TIMEOUT,
                raise_for_status=False,
                attempts=1 if write or upload else READ_ATTEMPTS,
            )
            if response.status_code != 401 or attempt == 2 or not self.config.get("refresh_token"):
                return response
            self.renew()  # revoked early, or the clocks disagree
        raise AssertionError("unreachable")

    def answer(self, response: httpx.Response, write: bool = False) -> dict[str, Any]:
        body = json_body(response)
        if response.status_code >= 400:
            raise youtube_error(response, body, write)
        return body

    def _stale(self) -> bool:
        expires = self.config.get("expires_at")
        if not self.config.get("access_token"):
            return True
        return expires is not None and float(expires) - time.time() < MARGIN

    def renew(self) -> None:
        """A fresh access token, kept on the account at once (only the token keys, so a
        quota count written meanwhile stays)."""
        refresh = str(self.config.get("refresh_token") or "")
        if not refresh:
            raise ConnectorError(
                "YouTube's sign-in expired and Harken holds no refresh token; reconnect the "
                "channel.",
                permanent=True,
            )
        fields = google.renew(refresh, LABEL)
        self.config.update(fields)
        if self.account_id is None:
            self.changed = True
            return
        from harken.networks.models import Account

        with transaction.atomic():
            account = Account.objects.select_for_update().filter(pk=self.account_id).first()
            if account is None:
                return
            config = dict(cast(dict[str, Any], account.config) or {})
            if config.get("refresh_token") != refresh:
                return  # disconnected or connected again meanwhile: theirs wins
            config.update({key: fields[key] for key in TOKEN_KEYS if key in fields})
            account.config = cast(Any, config)  # EncryptedJSONField holds a dict
            account.save(update_fields=["config"])


def json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _reasons(body: Mapping[str, Any]) -> frozenset[str]:
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    assert isinstance(error, dict)
    found = {str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)}
    return frozenset(r for r in found if r and r != "None")


def youtube_error(response: httpx.Response, body: dict[str, Any], write: bool) -> YouTubeError:
    """Google's error as a ``ConnectorError`` that says what to do (see the module)."""
    status = response.status_code
    reasons = _reasons(body)
    said = google.google_words(response, body)
    if status == 401:
        return YouTubeError(
            f"YouTube refused the channel's sign-in; reconnect it. YouTube said: {said}",
            status=status,
            reasons=reasons,
            permanent=True,
        )
    if reasons & QUOTA_REASONS:
        wait = quota.resets_in()
        return YouTubeError(
            f"YouTube's daily quota is used up: {said}",
            status=status,
            reasons=reasons,
            retry_after=wait,
        )
    if status == 429 or reasons & RATE_REASONS:
        return YouTubeError(
            f"YouTube rate limit: {said}",
            status=status,
            reasons=reasons,
            retry_after=http.retry_after_seconds(response.headers) or 60.0,
        )
    if status == 403 and not (write and reasons & {"forbidden", "commentsDisabled"}):
        return YouTubeError(
            f"YouTube did not allow Harken this: {said}. Reconnect the channel and allow "
            "what Harken asks for (docs/connecting-youtube.md).",
            status=status,
            reasons=reasons,
            permanent=True,
        )
    if write and status in (400, 403, 404):
        return YouTubeError(
            f"YouTube refused it: {said}", status=status, reasons=reasons, rejected=True
        )
    return YouTubeError(
        f"YouTube: {said}", status=status, reasons=reasons, permanent=400 <= status < 500
    )
