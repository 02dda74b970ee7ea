"""A webhook receiver as a customer would write one: a real HTTP server on 127.0.0.1
that verifies each request's Standard Webhooks signature with the standardwebhooks
library (which also refuses timestamps more than 5 minutes off), and acts on each
``webhook-id`` once."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from harken.api.webhooks.events import new_event_id
from harken.api.webhooks.models import Endpoint
from harken.api.webhooks.signing import new_secret


@dataclass
class Receiver:
    secret: str = field(default_factory=new_secret)
    #: Every request as it arrived: (headers, body).
    seen: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    #: Events acted on, once each: webhook-id → payload.
    events: dict[str, dict] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    #: The status to answer a valid request with (500: the receiver is down).
    answer: int = 200

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks"

    def receive(self, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        with self.lock:
            self.seen.append((headers, body))
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError as exc:
                self.rejected.append(str(exc))
                return 400, f"<b>refused</b>: {exc}"
            if self.answer >= 300:
                return self.answer, "down for maintenance"
            # Dedupe on webhook-id, as Standard Webhooks asks of receivers.
            self.events.setdefault(headers["webhook-id"], payload)
            return 200, "ok"

    def ids(self) -> list[str]:
        return [headers["webhook-id"] for headers, _ in self.seen]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, text = receiver.receive(headers, body)
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver(loopback):
    running = Receiver()
    yield running
    running.close()


def make_endpoint(workspace, receiver: Receiver, events: list[str], **extra) -> Endpoint:
    return Endpoint.objects.create(
        workspace=workspace, url=receiver.url, events=events, secret=receiver.secret, **extra
    )


def decoded(body: bytes) -> dict:
    return json.loads(body)


__all__ = ["Receiver", "make_endpoint", "new_event_id"]
