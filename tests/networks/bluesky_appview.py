"""A local stand-in for Bluesky's public AppView: ``app.bsky.actor.getProfiles`` only.

It answers like the real one: up to 25 ``actors`` (DIDs or handles) per call, the
profile views of those it knows, unknown ones left out. The profile views are the real
ones recorded by MarshalX/atproto (recorded-api/bluesky-atproto/get_follows.json: the
subject and the accounts it follows). ``failing`` makes it answer 503 instead.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.networks.recorded import recorded

PATH = "/xrpc/app.bsky.actor.getProfiles"


def recorded_profiles() -> list[dict]:
    body = json.loads(recorded("bluesky-atproto", "get_follows.json").read_text())
    return [body["subject"], *body["follows"]]


class AppView:
    def __init__(self) -> None:
        self.profiles = recorded_profiles()
        self.asked: list[list[str]] = []  # the actors of each call
        self.failing = False
        view = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                actors = parse_qs(url.query).get("actors", [])
                view.asked.append(actors)
                if url.path != PATH:
                    return self._send(404, {"error": "MethodNotImplemented"})
                if view.failing:
                    return self._send(503, {"error": "InternalServerError"})
                if len(actors) > 25:
                    return self._send(400, {"error": "InvalidRequest", "message": "actors"})
                wanted = {a.lower() for a in actors}
                found = [p for p in view.profiles if {p["did"], p["handle"]} & wanted]
                self._send(200, {"profiles": found})

            def _send(self, status: int, body: dict) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def handle_of(self, did: str) -> str:
        return next(p["handle"] for p in self.profiles if p["did"] == did)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(name="appview")
def appview_fixture(settings, loopback):
    """The local AppView, set as Harken's ``BLUESKY_PUBLIC_API``."""
    view = AppView()
    settings.BLUESKY_PUBLIC_API = view.base
    yield view
    view.close()
