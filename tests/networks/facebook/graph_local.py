"""Meta's Graph API played by a local server (``tests/lib/localserver.py``) answering
with the bodies recorded from the real API (../shared/data/recorded-api/facebook-graph/
and instagram-graph/, see their README.md). Where no recording exists (an empty list, a
rate-limit error) the body is the documented shape, and the test says so."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from harken.networks.meta import graph, usage
from tests.conftest import shared_data
from tests.lib.localserver import Reply

APP_ID = "app-id"
APP_SECRET = "app-secret"  # noqa: S105 - a test's placeholder
EMPTY = '{"data": []}'  # an edge with nothing on it (Graph API reference)


def recorded(name: str, folder: str = "facebook-graph") -> str:
    return shared_data("recorded-api", folder, name).read_text("utf-8")


def body(name: str, folder: str = "facebook-graph", **headers: str) -> Reply:
    return Reply(200, recorded(name, folder), {"Content-Type": "application/json", **headers})


def error(code: int, message: str, status: int = 400, subcode: int = 0, **headers: str) -> Reply:
    """An error in the shape of Meta's (``error.{message,type,code,error_subcode}``)."""
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "A1"}
    if subcode:
        error["error_subcode"] = subcode
    return Reply(
        status, json.dumps({"error": error}), {"Content-Type": "application/json", **headers}
    )


def path(*parts: str) -> str:
    return "/" + "/".join((graph.VERSION, *parts))


def query(seen) -> dict[str, str]:
    """A request's query string (GET) or form (POST), one value per name."""
    raw = urlsplit(seen.path).query if seen.method == "GET" else seen.body.decode()
    return {name: values[-1] for name, values in parse_qs(raw).items()}


@pytest.fixture
def meta(settings, loopback, server, monkeypatch):
    """This installation's Meta app, and the Graph API played by ``server``."""
    monkeypatch.setenv(graph.APP_ID, APP_ID)
    monkeypatch.setenv(graph.APP_SECRET, APP_SECRET)
    settings.FACEBOOK_GRAPH_URL = server.base
    settings.FACEBOOK_DIALOG_URL = "https://facebook.test"
    usage.reset_usage()
    yield server
    usage.reset_usage()
