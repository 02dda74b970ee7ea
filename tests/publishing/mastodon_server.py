"""A local Mastodon server for publishing tests: statuses made, kept and listed.

Each status it makes is the status Mastodon.py's own test suite recorded (recorded-api/
mastodon/test_status_post[None-public].yaml) with a new id, time and content. Like
Mastodon it answers a repeated ``Idempotency-Key`` with the status it already made, and
lists the account's statuses newest first (``/api/v1/accounts/:id/statuses``). ``fail``
scripts error answers for the next POSTs; every POST is kept in ``posts``.
"""

from __future__ import annotations

import contextlib
import html
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.networks.recorded import recorded

ACCOUNT_ID = "117020565966271181"


def recorded_status() -> dict:
    data = yaml.safe_load(recorded("mastodon", "test_status_post[None-public].yaml").read_text())
    return json.loads(data["interactions"][0]["response"]["body"]["string"])


class MastodonServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.template = recorded_status()
        self.statuses: list[dict] = []  # oldest first
        self.by_key: dict[str, dict] = {}
        self.posts: list[dict] = []  # every POST /api/v1/statuses: form and headers
        self.failures: list[tuple[int, dict]] = []
        self.get_failures: list[tuple[int, dict]] = []
        #: While set, a POST makes its status and then waits for ``release`` before
        #: answering: the network has the post, the caller has no answer yet.
        self.hold = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.next_id = 117020585924712638

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fail(self, status: int, body: dict, times: int = 1) -> None:
        self.failures.extend([(status, body)] * times)

    def make_status(self, text: str, key: str | None, at: datetime | None = None) -> dict:
        with self.lock:
            if key and key in self.by_key:
                return self.by_key[key]
            self.next_id += 1
            status = {
                **self.template,
                "id": str(self.next_id),
                "created_at": (at or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
                "content": f"<p>{html.escape(text)}</p>",
                "url": f"{self.base}/@harbor/{self.next_id}",
                "uri": f"{self.base}/users/harbor/statuses/{self.next_id}",
            }
            self.statuses.append(status)
            if key:
                self.by_key[key] = status
            return status

    def listed(self, query: dict[str, list[str]]) -> list[dict]:
        newest_first = list(reversed(self.statuses))
        if "max_id" in query:
            below = int(query["max_id"][0])
            newest_first = [s for s in newest_first if int(s["id"]) < below]
        return newest_first[: int(query.get("limit", ["20"])[0])]

    def __enter__(self) -> MastodonServer:
        threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: MastodonServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if len(raw) < length:
            # The caller died mid-request (the publishing bench's SIGKILL): a real server
            # never sees a request whose body is cut short, so none is made from it.
            self.close_connection = True
            return
        form = parse_qs(raw.decode()) if length else {}
        key = self.headers.get("Idempotency-Key")
        server = self.server
        with server.lock:
            server.posts.append({"form": form, "key": key})
            failure = server.failures.pop(0) if server.failures else None
        if failure:
            return self._send(*failure)
        if urlsplit(self.path).path != "/api/v1/statuses":
            return self._send(404, {"error": "Record not found"})
        status = server.make_status(form.get("status", [""])[0], key)
        if server.hold.is_set():
            server.release.wait(10)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the caller died
            self._send(200, status)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        with self.server.lock:
            failures = self.server.get_failures
            failure = failures.pop(0) if failures else None
        if failure:
            return self._send(*failure)
        if url.path == f"/api/v1/accounts/{ACCOUNT_ID}/statuses":
            return self._send(200, self.server.listed(parse_qs(url.query)))
        self._send(404, {"error": "Record not found"})

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
