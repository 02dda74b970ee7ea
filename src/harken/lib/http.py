"""The one module for outbound HTTP.

Every request Harken makes to a URL goes through ``request`` (or ``get``/``post``):

- the URL guard where it cannot be dodged: each hop's URL must be http(s), and each
  connection is opened to an address resolved once and vetted before a byte is sent
  (``harken.lib.guarded``), so neither a redirect (httpx follows at most
  ``MAX_REDIRECTS``) nor DNS answering differently a moment later (rebinding) reaches
  an internal host;
- connect and read timeouts;
- retries with full-jitter backoff on 429, 5xx, timeouts and connection errors, through
  ``harken.lib.retry.retry_call``, honouring ``Retry-After`` (seconds or HTTP-date);
- rate-limit headers (``X-RateLimit-Remaining`` / ``X-RateLimit-Reset``): once a host says
  it has nothing left, further calls fail fast with a transient ``ConnectorError`` whose
  ``retry_after`` is the reset time, instead of hammering it into a ban;
- a limit on the size of the (decoded) body.

Failures are ``ConnectorError``: transient for what may pass (429, 5xx, timeouts, a host
name that does not resolve), ``permanent`` for what will not (a refused URL, 4xx such as
401/404/410, a body too big). A temporary DNS failure (the resolver failed or timed out)
is retried here like a timeout; a name that does not exist is not retried here but stays
transient, so that a saved source backs off and tries again later: domains come back.
Tests reach a local server by setting ``HTTP_ALLOW_LOOPBACK = True`` in Django settings
or by passing ``allow_loopback=True``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from harken.lib.guarded import MAX_REDIRECTS, Policy, guarded_httpx_kwargs
from harken.lib.guarded import loopback_allowed as loopback_allowed  # callers import it here
from harken.lib.retry import Retry, retry_call
from harken.lib.urlguard import HostNotFound, UnsafeURL, check_target
from harken.networks.base import ConnectorError

DEFAULT_TIMEOUT = 10.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: Seconds one attempt may take in all (redirects and body included). The read timeout
#: only bounds the gap between two packets, so a server dripping a byte at a time could
#: otherwise hold a worker (and the source's lease) for many minutes.
DEFAULT_TOTAL_TIMEOUT = 30.0
USER_AGENT = "Harken/1.0 (+https://github.com/harken-social/harken)"

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# 4xx that may pass on their own: a request timeout, "too early", a conflict.
TRANSIENT_CLIENT_STATUSES = frozenset({408, 409, 425, 429})


class HttpStatusError(ConnectorError):
    """The server answered with an error status; ``status`` and ``response`` say which."""

    def __init__(self, message: str, response: httpx.Response, retry_after: float | None = None):
        status = response.status_code
        permanent = 400 <= status < 500 and status not in TRANSIENT_CLIENT_STATUSES
        super().__init__(message, permanent=permanent, retry_after=retry_after)
        self.status = status
        self.response = response


class UnresolvedHost(ConnectorError):
    """The host name did not resolve: never permanent (see the module docstring);
    ``temporary`` when the resolver, not the name, failed."""

    def __init__(self, message: str, temporary: bool):
        super().__init__(message, permanent=False)
        self.temporary = temporary


class _RetryableStatus(Exception):
    """Internal: a 429/5xx answer, carried through ``retry_call``."""

    def __init__(self, response: httpx.Response, after: float | None):
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
        self.after = after


def get(url: str, **options: Any) -> httpx.Response:
    return request("GET", url, **options)


def post(url: str, **options: Any) -> httpx.Response:
    return request("POST", url, **options)


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    data: Mapping[str, Any] | None = None,
    content: bytes | str | None = None,
    files: Mapping[str, tuple[str | None, bytes | str, str]] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    allow_private: bool = False,
    allow_loopback: bool | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
    attempts: int = 4,
    backoff_base: float = 0.5,
    max_wait: float = 120.0,
    raise_for_status: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """Send one request with the guard, timeouts, retries and size limit described above.

    Returns the final response (after redirects) with its body read. A 304 is returned,
    not raised. With ``raise_for_status=False`` a 4xx (other than 429) is returned too.
    ``allow_private`` skips the address check: only for addresses an administrator
    configured. Every method is retried; a caller whose POST must not repeat passes
    ``attempts=1``. ``files`` sends a multipart form: each part's (file name or None,
    bytes or text, content type), beside ``data``'s plain fields.
    """
    _refuse_unsafe(lambda: check_target(url))
    _check_budget(url)
    policy = Policy(allow_private=allow_private, allow_loopback=allow_loopback)
    limits = httpx.Timeout(timeout, connect=min(connect_timeout, timeout))
    send_headers = {"User-Agent": USER_AGENT, **(headers or {})}

    def once() -> httpx.Response:
        deadline = time.monotonic() + max(total_timeout, timeout)
        client = _client(policy)
        client.cookies.clear()  # a call's cookies live for its redirects, no longer
        outgoing = client.build_request(
            method.upper(),
            url,
            headers=send_headers,
            params=params,
            json=json,
            data=data,
            content=content,
            files=files,
            timeout=limits,
            extensions={_DEADLINE: deadline},
        )
        try:
            response = _refuse_unsafe(lambda: _send(client, outgoing, max_bytes, deadline))
        finally:
            client.cookies.clear()
        if response.status_code in RETRY_STATUSES:
            raise _RetryableStatus(response, retry_after_seconds(response.headers))
        return response

    try:
        response = retry_call(
            once, _classify, attempts=attempts, base=backoff_base, max_wait=max_wait, sleep=sleep
        )
    except _RetryableStatus as exc:
        _note_budget(exc.response)
        raise _status_error(exc.response, exc.after) from None
    except httpx.TooManyRedirects:
        raise ConnectorError(
            f"{_host(url)} redirected more than {MAX_REDIRECTS} times.", permanent=True
        ) from None
    except httpx.TimeoutException as exc:
        raise ConnectorError(
            f"{_host(url)} did not answer within {timeout:g} s ({type(exc).__name__})."
        ) from exc
    except httpx.TransportError as exc:
        raise ConnectorError(f"Could not reach {_host(url)}: {exc or type(exc).__name__}.") from exc
    _note_budget(response)
    if raise_for_status and response.status_code >= 400:
        raise _status_error(response, retry_after_seconds(response.headers))
    return response


#: The request extension carrying a call's deadline to the hooks (httpx copies a
#: request's extensions onto each redirect hop).
_DEADLINE = "harken_deadline"
_clients = threading.local()


def _client(policy: Policy) -> httpx.Client:
    """This thread's client for ``policy``, made on first use and kept: its connections
    stay open between calls (no new TCP and TLS handshake per request; a client made per
    call cost ~150 ms in the connector tests). Per thread, because a client's cookie jar
    is cleared around each call; per policy, because a connection opened where a policy
    allowed an address must not serve a call whose policy refuses it; per process, as a
    forked child must not share its parent's sockets.

    Kept connections are as safe as new ones: each was opened to an address the guard
    vetted for that host, and a pooled connection only serves its own origin. Every call
    still sets its own timeouts on the request and its own deadline (``_DEADLINE``)."""
    clients: dict[tuple[int, Policy], httpx.Client] = _clients.__dict__.setdefault("by", {})
    key = (os.getpid(), policy)
    client = clients.get(key)
    if client is None:
        clients.clear()  # another process's, after a fork: left to the garbage collector
        client = clients[key] = _new_client(policy)
    return client


def close_clients() -> None:
    """Close this thread's kept clients and their connections (tests: a local server's
    port may be given to the next test's server, and the loopback setting changes)."""
    clients: dict[tuple[int, Policy], httpx.Client] = _clients.__dict__.setdefault("by", {})
    for client in clients.values():
        client.close()
    clients.clear()


def _new_client(policy: Policy) -> httpx.Client:
    """A client whose connections the guard opens (``GuardedTransport``), following at
    most ``MAX_REDIRECTS`` redirects itself: httpx rewrites each hop (303 turns a POST
    into a GET, credentials stay with their origin) and the hooks check each hop's URL
    before it is sent. Every hop's address is vetted when its connection opens."""

    def before_each_hop(request: httpx.Request) -> None:
        check_target(str(request.url))
        if time.monotonic() > request.extensions.get(_DEADLINE, float("inf")):
            raise ConnectorError(
                f"{request.url.host} took too long to answer; Harken stopped following it."
            )

    def after_each_hop(response: httpx.Response) -> None:
        if response.has_redirect_location:
            # httpx reads a redirect's body before the next hop; nobody needs it, and a
            # hostile one could be huge or a compression bomb: it is dropped unread.
            response.stream = _Unread(response.stream)

    return httpx.Client(
        **guarded_httpx_kwargs(policy),
        timeout=httpx.Timeout(DEFAULT_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        event_hooks={"request": [before_each_hop], "response": [after_each_hop]},
    )


class _Unread(httpx.SyncByteStream):
    """A body that is closed without being read."""

    def __init__(self, stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        return iter(())

    def close(self) -> None:
        if isinstance(self._stream, httpx.SyncByteStream):
            self._stream.close()


T = TypeVar("T")


def _refuse_unsafe(call: Callable[[], T]) -> T:
    """Run ``call``, turning the guard's refusals into ``ConnectorError``s: a refused
    address is permanent, a name that did not resolve is ``UnresolvedHost``."""
    try:
        return call()
    except HostNotFound as exc:
        raise UnresolvedHost(str(exc), temporary=exc.temporary) from None
    except UnsafeURL as exc:
        raise ConnectorError(str(exc), permanent=True) from None


def _send(
    client: httpx.Client, outgoing: httpx.Request, max_bytes: int, deadline: float
) -> httpx.Response:
    streamed = client.send(outgoing, stream=True)
    try:
        body = _read_limited(streamed, max_bytes, deadline)
    finally:
        streamed.close()
    # The body is decoded already: drop the encoding headers so the copy is not decoded twice.
    headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _BODY_HEADERS]
    return httpx.Response(
        streamed.status_code,
        headers=headers,
        content=body,
        request=streamed.request,
        extensions=streamed.extensions,
        history=streamed.history,
    )


_BODY_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _read_limited(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_big(response, max_bytes)
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise _too_big(response, max_bytes)
        if time.monotonic() > deadline:
            raise _too_slow(response)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_slow(response: httpx.Response) -> ConnectorError:
    # Not retried here: a server that drips once will drip again; the source backs off.
    host = _host(str(response.url))
    return ConnectorError(f"{host} sent its answer too slowly; Harken stopped reading.")


def _too_big(response: httpx.Response, max_bytes: int) -> ConnectorError:
    host = _host(str(response.url))
    message = f"{host} sent more than {max_bytes // 1024} KiB; Harken stopped reading."
    return ConnectorError(message, permanent=True)


def _classify(exc: Exception) -> Retry:
    if isinstance(exc, _RetryableStatus):
        return Retry(True, exc.after)
    if isinstance(exc, httpx.TimeoutException | httpx.TransportError):
        return Retry(True)
    if isinstance(exc, UnresolvedHost):
        return Retry(exc.temporary)
    return Retry(False)


def _status_error(response: httpx.Response, retry_after: float | None) -> HttpStatusError:
    reason = response.reason_phrase or "error"
    message = f"{_host(str(response.request.url))} answered HTTP {response.status_code} {reason}."
    return HttpStatusError(message, response, retry_after=retry_after)


# --- Retry-After and rate-limit headers ------------------------------------------------


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (delta seconds or HTTP-date), else from an
    exhausted ``X-RateLimit-*`` budget; None when the server said nothing."""
    raw = headers.get("retry-after")
    if raw:
        return _seconds_until(raw, now)
    if headers.get("x-ratelimit-remaining", "").strip() == "0":
        return rate_limit_reset_seconds(headers, now)
    return None


def rate_limit_reset_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    raw = headers.get("x-ratelimit-reset") or headers.get("ratelimit-reset")
    return _seconds_until(raw, now) if raw else None


def _seconds_until(raw: str, now: float | None = None) -> float | None:
    """Parse delta seconds, an epoch timestamp, an HTTP-date or an ISO 8601 time."""
    now = time.time() if now is None else now
    raw = raw.strip()
    try:
        number = float(raw)
    except ValueError:
        when = _parse_date(raw)
        return None if when is None else max(0.0, when - now)
    # Large numbers are epoch timestamps (X, GitHub); small ones are delta seconds.
    return max(0.0, number - now) if number > 1_000_000_000 else max(0.0, number)


def _parse_date(raw: str) -> float | None:
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


# A host that said "0 requests left until T" is not called again before T (per process).
_exhausted: dict[str, float] = {}
_exhausted_lock = threading.Lock()


def _note_budget(response: httpx.Response) -> None:
    headers = response.headers
    if headers.get("x-ratelimit-remaining", "").strip() != "0":
        return
    wait = rate_limit_reset_seconds(headers)
    if wait:
        with _exhausted_lock:
            _exhausted[_host(str(response.request.url))] = time.time() + wait


def _check_budget(url: str) -> None:
    host = _host(url)
    with _exhausted_lock:
        until = _exhausted.get(host)
        if until is not None and until <= time.time():
            del _exhausted[host]
            return
    if until is not None:
        wait = until - time.time()
        raise ConnectorError(
            f"{host}'s rate limit is used up; it resets in {wait:.0f} s.", retry_after=wait
        )


def reset_rate_limits() -> None:
    """Forget every host's exhausted budget (tests)."""
    with _exhausted_lock:
        _exhausted.clear()


def _host(url: str) -> str:
    return urlsplit(url).netloc or url
