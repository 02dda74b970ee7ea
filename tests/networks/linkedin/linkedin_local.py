"""LinkedIn played by a local server (``tests/lib/localserver.py``). LinkedIn's recorded
traffic (../shared/data/recorded-api/linkedin/, VCR cassettes) holds only errors and
profiles: those errors are served as recorded. Organization posts, comments, statistics
and tokens were never recorded anywhere permissive, so those replies follow the shapes of
LinkedIn's Community Management API reference (learn.microsoft.com › linkedin ›
marketing › community-management), and each test using them says so."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import yaml

from harken.networks.linkedin import oauth
from harken.networks.models import Account
from tests.conftest import shared_data
from tests.lib.localserver import Reply

CLIENT_ID = "linkedin-client"
CLIENT_SECRET = "linkedin-secret"  # noqa: S105 - a test's placeholder
ORG = "urn:li:organization:2414183"
POST = "urn:li:share:6844785523593134080"
ACTIVITY = "urn:li:activity:6844785523593134080"
COMMENT = f"urn:li:comment:({ACTIVITY},6844786025693421568)"
REPLY = f"urn:li:comment:({ACTIVITY},6844786899999999999)"


def cassette(name: str) -> Reply:
    """The response a VCR cassette recorded, as it was."""
    recorded = yaml.safe_load(shared_data("recorded-api", "linkedin", name).read_text("utf-8"))
    response = recorded["http_interactions"][0]["response"]
    return Reply(
        response["status"]["code"],
        response["body"]["string"],
        {"Content-Type": "application/json"},
    )


def documented(payload: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(payload), {"Content-Type": "application/json", **headers})


def rest(*parts: str) -> str:
    """A ``/rest`` path with each URN percent-encoded whole, as Harken sends it."""
    return "/rest/" + "/".join(quote(p, safe="") for p in parts)


def query(seen) -> dict[str, str]:
    raw = urlsplit(seen.path).query if seen.method == "GET" else seen.body.decode()
    return {name: values[-1] for name, values in parse_qs(raw).items()}


@pytest.fixture
def linkedin(settings, loopback, server, monkeypatch):
    monkeypatch.setenv(oauth.CLIENT_ID, CLIENT_ID)
    monkeypatch.setenv(oauth.CLIENT_SECRET, CLIENT_SECRET)
    settings.LINKEDIN_OAUTH_URL = server.url("/oauth/v2")
    settings.LINKEDIN_API_URL = server.base
    return server


def page_account(workspace, **config: Any) -> Account:
    return Account.objects.create(
        workspace=workspace,
        network="linkedin",
        handle="Harbor Street Jewelers",
        external_id=ORG,
        config={
            "organization": ORG,
            "access_token": "access-1",
            "expires_at": int(time.time()) + 50 * 24 * 3600,
            **config,
        },
    )
