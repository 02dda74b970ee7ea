"""``harken.lib.http`` keeps a client per thread and policy: connections are reused,
cookies are not."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harken.lib import http

pytestmark = pytest.mark.usefixtures("loopback")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.peers: list[tuple[str, int]] = []  # the client's address, per request
        self.cookies: list[str | None] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection open, as real servers do
    server: Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.peers.append(self.client_address)
        self.server.cookies.append(self.headers.get("Cookie"))
        self.send_response(200)
        if self.path == "/login":
            self.send_header("Set-Cookie", "session=theirs; Path=/")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def kept() -> Iterator[Server]:
    server = Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_calls_from_one_thread_share_one_connection(kept):
    for _ in range(3):
        assert http.get(kept.base + "/").text == "ok"
    assert len(kept.peers) == 3
    assert len(set(kept.peers)) == 1


def test_a_cookie_does_not_outlive_its_call(kept):
    http.get(kept.base + "/login")
    http.get(kept.base + "/next")
    assert kept.cookies == [None, None]


def test_another_policy_or_thread_has_its_own_connection(kept):
    http.get(kept.base + "/")
    http.get(kept.base + "/", allow_private=True)
    other = threading.Thread(target=lambda: (http.get(kept.base + "/"), http.close_clients()))
    other.start()
    other.join()
    assert len(set(kept.peers)) == 3
