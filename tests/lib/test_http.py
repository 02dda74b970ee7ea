from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from harken.lib import http
from harken.lib.http import HttpStatusError, UnresolvedHost, retry_after_seconds
from harken.lib.urlguard import check_url
from harken.networks.base import ConnectorError
from tests.lib.localserver import Listener, LocalServer, Reply, fake_dns

pytestmark = pytest.mark.usefixtures("loopback")


class Sleeps(list):
    """Records the waits instead of sleeping through them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_it_gets_a_page(server):
    server.route("/hello", Reply(200, "hi", {"Content-Type": "text/plain"}))
    response = http.get(server.url("/hello"))
    assert response.status_code == 200
    assert response.text == "hi"
    assert server.hits("/hello")[0].headers["user-agent"].startswith("Harken/")


def test_it_waits_for_retry_after_seconds_on_429_then_succeeds(server):
    server.route("/limited", Reply(429, headers={"Retry-After": "3"}), Reply(200, "ok"))
    sleeps = Sleeps()
    response = http.get(server.url("/limited"), sleep=sleeps)
    assert response.text == "ok"
    assert sleeps == [3.0]
    assert len(server.hits("/limited")) == 2


def test_it_understands_retry_after_as_an_http_date():
    later = datetime.now(UTC) + timedelta(seconds=30)
    wait = retry_after_seconds({"retry-after": format_datetime(later, usegmt=True)})
    assert 28 <= wait <= 30


def test_it_backs_off_on_503_then_succeeds(server):
    server.route("/flaky", Reply(503), Reply(503), Reply(200, "back"))
    sleeps = Sleeps()
    response = http.get(server.url("/flaky"), sleep=sleeps, backoff_base=0.5)
    assert response.text == "back"
    assert len(sleeps) == 2
    # Full jitter: each wait is somewhere in [0, base * 2**attempt].
    assert 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0


def test_it_gives_up_on_a_persistent_500_with_a_transient_error(server):
    server.route("/down", Reply(500))
    with pytest.raises(HttpStatusError) as caught:
        http.get(server.url("/down"), sleep=Sleeps(), attempts=3)
    assert caught.value.status == 500
    assert not caught.value.permanent
    assert "HTTP 500" in caught.value.message
    assert len(server.hits("/down")) == 3


def test_a_retry_after_too_long_to_sleep_is_raised_with_its_wait(server):
    server.route("/later", Reply(429, headers={"Retry-After": "3600"}))
    with pytest.raises(ConnectorError) as caught:
        http.get(server.url("/later"), sleep=Sleeps(), max_wait=60)
    assert caught.value.retry_after == 3600
    assert not caught.value.permanent
    assert len(server.hits("/later")) == 1


def test_it_times_out_and_retries_then_says_so(server):
    server.route("/slow", Reply(200, "late", delay=0.5))
    sleeps = Sleeps()
    started = time.monotonic()
    with pytest.raises(ConnectorError, match="did not answer within 0.1 s") as caught:
        http.get(server.url("/slow"), timeout=0.1, attempts=2, sleep=sleeps)
    assert not caught.value.permanent
    assert len(sleeps) == 1
    assert time.monotonic() - started < 2


def test_it_recovers_when_a_timeout_is_followed_by_an_answer(server):
    server.route("/once-slow", Reply(200, "late", delay=0.5), Reply(200, "fast"))
    assert http.get(server.url("/once-slow"), timeout=0.1, sleep=Sleeps()).text == "fast"


def test_it_follows_a_redirect_on_the_same_guard(server):
    server.route("/old", Reply(301, headers={"Location": "/new"}))
    server.route("/new", Reply(200, "moved"))
    response = http.get(server.url("/old"))
    assert response.text == "moved"
    assert str(response.url).endswith("/new")


@pytest.mark.parametrize(
    "target",
    ["http://10.0.0.1/admin", "http://169.254.169.254/latest", "http://[::ffff:192.168.0.1]/"],
)
def test_it_refuses_a_redirect_to_a_private_address(server, target):
    server.route("/jump", Reply(302, headers={"Location": target}))
    with pytest.raises(ConnectorError, match="private or reserved") as caught:
        http.get(server.url("/jump"), sleep=Sleeps())
    assert caught.value.permanent


def test_it_refuses_a_redirect_to_another_scheme(server):
    server.route("/jump", Reply(302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(ConnectorError, match="Only http"):
        http.get(server.url("/jump"))


def test_it_stops_after_five_redirects(server):
    for hop in range(7):
        server.route(f"/r{hop}", Reply(302, headers={"Location": f"/r{hop + 1}"}))
    with pytest.raises(ConnectorError, match="redirected more than 5 times"):
        http.get(server.url("/r0"))
    assert len(server.requests) == 6


def test_it_does_not_carry_credentials_to_another_origin(server):
    with LocalServer() as elsewhere:
        elsewhere.route("/landing", Reply(200, "there"))
        server.route("/go", Reply(302, headers={"Location": elsewhere.url("/landing")}))
        http.get(server.url("/go"), headers={"Authorization": "Bearer secret"})
        assert server.hits("/go")[0].headers["authorization"] == "Bearer secret"
        assert "authorization" not in elsewhere.hits("/landing")[0].headers


def test_it_refuses_loopback_unless_allowed(server, settings):
    server.route("/hello", Reply(200, "hi"))
    settings.HTTP_ALLOW_LOOPBACK = False
    with pytest.raises(ConnectorError, match="private or reserved"):
        http.get(server.url("/hello"))
    assert http.get(server.url("/hello"), allow_loopback=True).text == "hi"
    assert server.requests and len(server.requests) == 1


def test_it_stops_reading_a_body_over_the_limit(server):
    server.route("/big", Reply(200, b"x" * 5000))
    with pytest.raises(ConnectorError, match="stopped reading") as caught:
        http.get(server.url("/big"), max_bytes=1024)
    assert caught.value.permanent


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_client_errors_are_permanent(server, status):
    server.route("/gone", Reply(status))
    with pytest.raises(HttpStatusError) as caught:
        http.get(server.url("/gone"))
    assert caught.value.permanent and caught.value.status == status
    assert len(server.hits("/gone")) == 1


def test_a_client_error_can_be_returned_instead_of_raised(server):
    server.route("/gone", Reply(410, "bye"))
    assert http.get(server.url("/gone"), raise_for_status=False).status_code == 410


def test_an_exhausted_rate_limit_stops_the_next_call_before_it_is_sent(server):
    reset = int(time.time()) + 120
    server.route(
        "/api",
        Reply(200, "last one", {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}),
    )
    assert http.get(server.url("/api")).text == "last one"
    with pytest.raises(ConnectorError, match="rate limit is used up") as caught:
        http.get(server.url("/api"))
    assert 100 < caught.value.retry_after <= 120
    assert not caught.value.permanent
    assert len(server.hits("/api")) == 1


def test_a_429_without_retry_after_waits_for_the_rate_limit_reset(server):
    reset = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    server.route(
        "/api",
        Reply(429, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
        Reply(200, "ok"),
    )
    sleeps = Sleeps()
    assert http.get(server.url("/api"), sleep=sleeps).text == "ok"
    assert 0.5 < sleeps[0] <= 2


def test_a_post_is_sent_with_its_json_body(server):
    server.route("/hook", Reply(204))
    assert http.post(server.url("/hook"), json={"text": "hello"}).status_code == 204
    seen = server.hits("/hook")[0]
    assert seen.method == "POST" and seen.headers["content-type"] == "application/json"


def test_a_post_to_a_name_that_resolves_privately_never_leaves(settings, monkeypatch):
    """The address is checked before the connection opens: the body (credentials, a
    webhook's payload) never reaches the internal host, not even a connection does."""
    settings.HTTP_ALLOW_LOOPBACK = False
    with Listener() as internal:
        fake_dns(monkeypatch, {"hooks.example": "127.0.0.1"})
        with pytest.raises(
            ConnectorError, match=r"hooks.example \(127.0.0.1\) is a private"
        ) as caught:
            http.post(f"http://hooks.example:{internal.port}/in", json={"password": "hunter2"})
        time.sleep(0.1)
    assert caught.value.permanent
    assert internal.connections == 0 and internal.received == b""


def test_dns_that_answers_differently_the_next_time_reaches_nothing(settings, monkeypatch):
    """DNS rebinding: the name answers with a public address once, then with an internal
    one. Whichever lookup the connection uses is the one that is vetted, so the internal
    host never gets the body (the public address is unreachable here: a network error)."""
    settings.HTTP_ALLOW_LOOPBACK = False
    with Listener() as internal:
        url = f"http://hooks.example:{internal.port}/in"
        fake_dns(monkeypatch, {"hooks.example": ["93.184.215.14", "127.0.0.1"]})
        with pytest.raises(ConnectorError):
            http.post(url, json={"password": "hunter2"}, attempts=1, connect_timeout=0.5)
        time.sleep(0.1)
    assert internal.connections == 0 and internal.received == b""


def test_a_name_checked_by_a_form_is_vetted_again_when_it_is_sent(settings, monkeypatch):
    """A webhook URL that was public when the form saved it, and internal now."""
    settings.HTTP_ALLOW_LOOPBACK = False
    with Listener() as internal:
        url = f"http://hooks.example:{internal.port}/in"
        fake_dns(monkeypatch, {"hooks.example": ["93.184.215.14", "127.0.0.1"]})
        assert check_url(url) == url
        with pytest.raises(ConnectorError, match="private or reserved"):
            http.post(url, json={"password": "hunter2"})
        time.sleep(0.1)
    assert internal.connections == 0 and internal.received == b""


def test_it_connects_to_the_address_it_vetted_and_keeps_the_host_name(server, monkeypatch):
    """One lookup per connection, and the socket goes to that answer: a second lookup
    (which would say 10.0.0.1 here) would be a second chance to rebind."""
    server.route("/hello", Reply(200, "hi"))
    port = server.httpd.server_address[1]
    asked = fake_dns(monkeypatch, {"feed.example": ["127.0.0.1", "10.0.0.1"]})
    assert http.get(f"http://feed.example:{port}/hello").text == "hi"
    assert asked == ["feed.example"]
    assert server.hits("/hello")[0].headers["host"] == f"feed.example:{port}"


def test_a_307_redirect_to_a_name_that_resolves_privately_is_not_sent(server, monkeypatch):
    """A 307 re-sends the POST body: the hop's address is vetted before its connection."""
    fake_dns(monkeypatch, {"internal.example": "10.0.0.1"})
    server.route("/hook", Reply(307, headers={"Location": "http://internal.example/admin"}))
    with pytest.raises(ConnectorError, match=r"internal.example \(10.0.0.1\)") as caught:
        http.post(server.url("/hook"), json={"password": "hunter2"})
    assert caught.value.permanent
    assert len(server.hits("/hook")) == 1


def test_a_redirect_to_loopback_is_refused_when_loopback_is_not_allowed(server, settings):
    """Each connection is vetted when it opens: the first hop was allowed, the second is
    not (the setting is switched off while the server answers the first)."""
    with Listener() as internal:

        def forbid_loopback() -> None:
            settings.HTTP_ALLOW_LOOPBACK = False

        target = f"http://127.0.0.1:{internal.port}/admin"
        server.route("/jump", Reply(302, headers={"Location": target}, before=forbid_loopback))
        with pytest.raises(ConnectorError, match="private or reserved"):
            http.get(server.url("/jump"))
        time.sleep(0.1)
    assert internal.connections == 0


def test_a_redirects_body_is_not_read(server):
    """httpx reads a redirect's body before the next hop; a huge one is dropped unread."""
    server.route("/old", Reply(301, b"x" * 3_000_000, {"Location": "/new"}))
    server.route("/new", Reply(200, "moved"))
    response = http.get(server.url("/old"), max_bytes=1024)
    assert response.text == "moved"
    assert [r.status_code for r in response.history] == [301]


# --- names that do not resolve -----------------------------------------------------------


def flaky_resolver(monkeypatch, failures: int) -> list[str]:
    """The machine's resolver, failing with EAI_AGAIN (as when the name server does not
    answer) for the first ``failures`` lookups; returns the hosts looked up."""
    real, asked = socket.getaddrinfo, []

    def getaddrinfo(host, *args, **kwargs):
        asked.append(host)
        if len(asked) <= failures:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_temporary_dns_failure_is_retried_with_backoff_then_succeeds(server, monkeypatch):
    server.route("/hello", Reply(200, "hi"))
    asked = flaky_resolver(monkeypatch, failures=2)
    sleeps = Sleeps()
    url = server.url("/hello").replace("127.0.0.1", "localhost")
    assert http.get(url, sleep=sleeps, backoff_base=0.5).text == "hi"
    assert asked[:3] == ["localhost"] * 3
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0


def test_a_dns_failure_that_persists_is_a_transient_error(server, monkeypatch):
    flaky_resolver(monkeypatch, failures=100)
    sleeps = Sleeps()
    with pytest.raises(UnresolvedHost, match="temporary DNS failure") as caught:
        http.get("https://news.example/feed", sleep=sleeps, attempts=3)
    assert caught.value.temporary and not caught.value.permanent
    assert len(sleeps) == 2


def test_a_name_that_does_not_exist_is_transient_but_not_retried_at_once(server):
    sleeps = Sleeps()
    with pytest.raises(UnresolvedHost) as caught:
        http.get("https://feeds.harbor-street.invalid/rss", sleep=sleeps)
    if caught.value.temporary:
        pytest.skip(f"no resolver answers here: {caught.value}")
    # A saved source backs off and tries again later (domains come back); asking the
    # resolver again this second would only get the same answer.
    assert not caught.value.permanent
    assert "feeds.harbor-street.invalid cannot be found" in caught.value.message
    assert sleeps == []


def test_a_server_that_drips_its_answer_is_cut_off_at_the_total_time_limit():
    """Each byte comes well within the read timeout, so only a limit on the whole
    exchange stops it from holding a worker for minutes."""
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b"x")
                except OSError:
                    return
                time.sleep(0.05)

    threading.Thread(target=drip, daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(ConnectorError, match="too slowly") as caught:
            http.get(f"http://127.0.0.1:{port}/", allow_loopback=True, timeout=1, total_timeout=1)
    finally:
        stop.set()
        listener.close()
    assert time.monotonic() - started < 5
    assert not caught.value.permanent


def test_the_total_time_limit_covers_every_redirect_hop(server):
    """Each hop answers within the read timeout; together they pass the total limit."""
    for hop in range(5):
        server.route(f"/r{hop}", Reply(302, headers={"Location": f"/r{hop + 1}"}, delay=0.4))
    server.route("/r5", Reply(200, "arrived"))
    started = time.monotonic()
    with pytest.raises(ConnectorError, match="took too long") as caught:
        http.get(server.url("/r0"), timeout=1, total_timeout=1, attempts=1)
    assert time.monotonic() - started < 2
    assert not caught.value.permanent
    assert not server.hits("/r5")
