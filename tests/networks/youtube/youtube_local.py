"""The YouTube Data API and Google's token endpoint played by a local server
(``tests/lib/localserver.py``), answering with the bodies recorded from the real API
(../shared/data/recorded-api/youtube-data/, see its README.md). Where no recording exists
(a resumable upload's session, an expired-token or quota error) the reply is the
documented shape, and the test says so."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from harken.networks.models import Account
from harken.networks.youtube import google
from tests.conftest import shared_data
from tests.lib.localserver import Reply

CLIENT_ID = "client-id.apps.googleusercontent.com"
CLIENT_SECRET = "client-secret"  # noqa: S105 - a test's placeholder
API = "/youtube/v3"
UPLOAD = "/upload/youtube/v3"
TOKEN = "/token"  # noqa: S105 - a path
#: The channel the recorded comment threads belong to (their ``snippet.channelId``).
CHANNEL = "UCa-vrCLQHviTOVnEKDOdetQ"


def recorded(name: str) -> str:
    return shared_data("recorded-api", "youtube-data", name).read_text("utf-8")


def body(name: str, **headers: str) -> Reply:
    return Reply(200, recorded(name), {"Content-Type": "application/json", **headers})


def error(status: int, message: str, reason: str) -> Reply:
    """An error in the shape of Google's (``error.{code,message,errors[].reason}``)."""
    payload = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "youtube.quota", "reason": reason}],
        }
    }
    return Reply(status, json.dumps(payload), {"Content-Type": "application/json"})


def query(seen) -> dict[str, str]:
    raw = urlsplit(seen.path).query if seen.method == "GET" else seen.body.decode()
    return {name: values[-1] for name, values in parse_qs(raw).items()}


@pytest.fixture
def youtube(settings, loopback, server, monkeypatch):
    """This installation's Google OAuth client, and YouTube played by ``server``."""
    monkeypatch.setenv(google.CLIENT_ID, CLIENT_ID)
    monkeypatch.setenv(google.CLIENT_SECRET, CLIENT_SECRET)
    settings.GOOGLE_AUTHORIZE_URL = "https://accounts.google.test/o/oauth2/v2/auth"
    settings.GOOGLE_TOKEN_URL = server.url(TOKEN)
    settings.YOUTUBE_API_URL = server.url(API)
    settings.YOUTUBE_UPLOAD_URL = server.url(UPLOAD)
    return server


def channel_account(workspace, **config: Any) -> Account:
    """A connected channel whose access token is good for another hour."""
    import time

    return Account.objects.create(
        workspace=workspace,
        network="youtube",
        handle="@harborstreet",
        external_id=CHANNEL,
        config={
            "channel_id": CHANNEL,
            "access_token": "access-1",
            "refresh_token": "refresh-1",
            "expires_at": int(time.time()) + 3600,
            **config,
        },
    )
