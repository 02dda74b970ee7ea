"""HTTPS behind a reverse proxy: the real `harken serve` with a real proxy in front of it.

The proxy (written here: a threaded HTTP server forwarding each request) does what nginx does
where TLS ends: it passes the Host on and adds X-Forwarded-Proto, -For and -Host. With
HARKEN_HTTPS=1 and HARKEN_TRUSTED_PROXY naming it, pages answer (no redirect loop), carry
HSTS and secure cookies, and the login's origin check accepts the https origin.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.core.processes import free_port, fresh_env, running, serve_argv

HOST = "harken.example.test"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "content-length"}


class ForwardingHandler(BaseHTTPRequestHandler):
    upstream: tuple[str, int]

    def do_GET(self) -> None:
        self.forward()

    def do_POST(self) -> None:
        self.forward()

    def forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in HOP_BY_HOP and not name.lower().startswith("x-forwarded-")
        }
        headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": self.client_address[0],
                "X-Forwarded-Host": self.headers["Host"],
            }
        )
        upstream = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
        except OSError:  # Harken not up yet
            self.send_error(502)
            return
        finally:
            upstream.close()
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def proxy_to() -> Iterator:
    servers = []

    def start(port: int) -> int:
        handler = type("Handler", (ForwardingHandler,), {"upstream": ("127.0.0.1", port)})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def request(port: int, method: str, path: str, **headers: str) -> http.client.HTTPResponse:
    body = headers.pop("body", None)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers={"Host": HOST, **headers})
    response = connection.getresponse()
    response.read()
    return response


def page(port: int, path: str) -> tuple[http.client.HTTPResponse, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": HOST})
    response = connection.getresponse()
    return response, response.read().decode()


@pytest.mark.slow
def test_https_behind_a_trusted_proxy_answers_with_hsts_and_passes_the_origin_check(
    tmp_path: Path, proxy_to
):
    port = free_port()
    env = fresh_env(
        tmp_path / "data",
        HARKEN_HTTPS="1",
        HARKEN_TRUSTED_PROXY="127.0.0.1",
        HARKEN_ALLOWED_HOSTS=HOST,
        HARKEN_BASE_URL=f"https://{HOST}",
    )
    front = proxy_to(port)
    with running(serve_argv(port, "--no-worker"), env, tmp_path / "serve.log") as serve:
        serve.wait_for(f"http://127.0.0.1:{front}/health", headers={"Host": HOST})

        # Through the proxy: the page itself, not a redirect to where we already are.
        response, html = page(front, "/login/")
        assert response.status == 200, (response.status, response.getheader("Location"))
        assert response.getheader("Strict-Transport-Security", "").startswith("max-age=")
        cookie = response.getheader("Set-Cookie", "")
        assert cookie.startswith("csrftoken=") and "Secure" in cookie, cookie
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token is not None, html

        def log_in(origin: str) -> http.client.HTTPResponse:
            form = {"username": "nobody", "password": "wrong", "csrfmiddlewaretoken": token[1]}
            return request(
                front,
                "POST",
                "/login/",
                body=urlencode(form),
                **{
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie.split(";")[0],
                    "Origin": origin,
                    "Referer": f"{origin}/login/",
                },
            )

        # The https origin the browser sends is Harken's own origin: the form is judged
        # (a wrong password), not refused as a cross-site request; another origin is.
        assert log_in(f"https://{HOST}").status != 403
        assert log_in("https://evil.example").status == 403

        # Straight to waitress, plain HTTP: redirected to https, as before.
        direct = request(port, "GET", "/login/")
        assert direct.status == 301
        assert direct.getheader("Location") == f"https://{HOST}/login/"
        serve.interrupt()
    output = serve.output()
    assert "Traceback" not in output, output
    assert "HARKEN_TRUSTED_PROXY" not in output  # no warning: the proxy is trusted


def test_a_trusted_proxy_that_is_not_an_address_is_one_line(tmp_path: Path):
    env = fresh_env(tmp_path / "data", HARKEN_TRUSTED_PROXY="nginx")
    result = subprocess.run(
        [sys.executable, "-m", "harken", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "harken: HARKEN_TRUSTED_PROXY='nginx' is not an IP address (the proxy's, as Harken "
        "sees it: 127.0.0.1 when it runs on this machine) or *."
    ]


def test_https_without_a_trusted_proxy_is_warned_about(settings):
    from harken.core.management.commands.serve import startup_warnings

    settings.HTTPS, settings.TRUSTED_PROXY = True, None
    assert any("HARKEN_TRUSTED_PROXY" in warning for warning in startup_warnings())
    settings.TRUSTED_PROXY = "127.0.0.1"
    assert not any("HARKEN_TRUSTED_PROXY" in warning for warning in startup_warnings())
