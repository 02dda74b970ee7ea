"""The Tumblr API v2 played by a local server (``tests/lib/localserver.py``). The blog's
posts and info are bodies recorded from the real API (../shared/data/recorded-api/tumblr/,
see its README.md). Notes, the user's blogs, the token endpoint, an NPF post's creation
and the errors were never recorded: those replies follow the shapes of Tumblr's API
reference (github.com/tumblr/docs, api.md), and each test using them says so."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from harken.networks.models import Account
from harken.networks.tumblr import oauth
from tests.conftest import shared_data
from tests.lib.localserver import Reply

CLIENT_ID = "tumblr-client"
CLIENT_SECRET = "tumblr-secret"  # noqa: S105 - a test's placeholder
TOKEN = "/v2/oauth2/token"  # noqa: S105 - a path
BLOG = "staff"
BLOG_UUID = "t:0aY0xL2Fi1OFJg4YxpmegQ"


def recorded(name: str) -> Any:
    return json.loads(shared_data("recorded-api", "tumblr", name).read_text("utf-8"))


def answer(response: Any, status: int = 200, msg: str = "OK", **headers: str) -> Reply:
    """Tumblr's envelope: ``{"meta": {"status", "msg"}, "response": ...}``."""
    payload = {"meta": {"status": status, "msg": msg}, "response": response}
    return Reply(status, json.dumps(payload), {"Content-Type": "application/json", **headers})


def posts() -> Reply:
    return Reply(
        200,
        json.dumps(recorded("blog_posts_staff_2012.json")),
        {"Content-Type": "application/json"},
    )


def blog_info() -> Reply:
    wrapped = recorded("blog_info_staff_2016.json")["/blog/staff/info"]["body"]
    return Reply(200, json.dumps(wrapped), {"Content-Type": "application/json"})


def error(status: int, title: str, detail: str, code: int = 0) -> Reply:
    payload = {
        "meta": {"status": status, "msg": title},
        "response": [],
        "errors": [{"title": title, "code": code, "detail": detail}],
    }
    return Reply(status, json.dumps(payload), {"Content-Type": "application/json"})


def query(seen) -> dict[str, str]:
    raw = urlsplit(seen.path).query if seen.method == "GET" else seen.body.decode()
    return {name: values[-1] for name, values in parse_qs(raw).items()}


@pytest.fixture
def tumblr(settings, loopback, server, monkeypatch):
    monkeypatch.setenv(oauth.CLIENT_ID, CLIENT_ID)
    monkeypatch.setenv(oauth.CLIENT_SECRET, CLIENT_SECRET)
    settings.TUMBLR_AUTHORIZE_URL = "https://www.tumblr.test/oauth2/authorize"
    settings.TUMBLR_API_URL = server.base
    return server


def blog_account(workspace, **config: Any) -> Account:
    return Account.objects.create(
        workspace=workspace,
        network="tumblr",
        handle=BLOG,
        external_id=BLOG_UUID,
        config={
            "blog": BLOG,
            "blog_uuid": BLOG_UUID,
            "access_token": "access-1",
            "refresh_token": "refresh-1",
            "expires_at": int(time.time()) + 2520,
            **config,
        },
    )
