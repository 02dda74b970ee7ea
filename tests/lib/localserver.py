"""A real HTTP server on 127.0.0.1 for tests of the HTTP boundary.

Each path answers from a script of responses, one per request, the last one repeating:
``server.route("/feed", Reply(503), Reply(200, body=b"ok"))``. Every request is recorded
(method, path, headers, body) so a test can check what Harken sent (conditional GET
headers, a token request's form).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (timeouts)
    when: Callable[[dict[str, str]], bool] | None = None  # only if the request headers match
    before: Callable[[], None] | None = None  # run before answering (change a setting)

    def payload(self) -> bytes:
        return self.body.encode() if isinstance(self.body, str) else self.body


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""  # what was posted (OAuth token requests are forms)


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self.routes[path] = list(replies)

    def hits(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path.split("?")[0] == path]

    def _next(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            script = self.routes.get(path.split("?")[0])
            if not script:
                return Reply(404, b"not found")
            unconditional = sum(1 for reply in script if reply.when is None)
            for index, reply in enumerate(script):
                if reply.when is None or reply.when(headers):
                    # Unconditional replies play in order, the last one repeating.
                    if reply.when is None and unconditional > 1:
                        script.pop(index)
                    return reply
            return Reply(404, b"no matching reply")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                length = int(headers.get("content-length", "0") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append(Seen(self.command, self.path, headers, body))
                reply = server._next(self.path, headers)
                if reply.before:
                    reply.before()
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.payload()
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Listener:
    """A bare TCP listener on 127.0.0.1 that records every connection and every byte it
    receives, answering nothing: proof of whether a client connected or sent anything."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.05)
        self.connections = 0
        self.received = b""
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self) -> int:
        return self.socket.getsockname()[1]

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            conn.settimeout(0.2)
            with conn:
                try:
                    while chunk := conn.recv(65536):
                        self.received += chunk
                except OSError:
                    pass

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.thread.join(2)
        self.socket.close()


def fake_dns(monkeypatch, answers: dict[str, object]) -> list[str]:
    """Answer the names in ``answers`` at the DNS boundary (``socket.getaddrinfo``): each
    maps to an address (or an exception to raise, a resolver's failure), or to a list of
    them given out one lookup after another (the last repeating) as a rebinding name
    server would. IP literals and other names go to
    the real resolver. Returns the names looked up, in order."""
    real, asked = socket.getaddrinfo, []
    served: dict[str, int] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(name)
        answer = answers[name]
        if isinstance(answer, list):
            index = served.get(name, 0)
            served[name] = index + 1
            answer = answer[min(index, len(answer) - 1)]
        if isinstance(answer, BaseException):
            raise answer
        family = socket.AF_INET6 if ":" in str(answer) else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (str(answer), port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked
