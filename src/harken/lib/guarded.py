"""Outbound connections that the URL guard vets when they connect, not after.

Checking a URL and then handing it to an HTTP client leaves a gap: the client looks the
name up again, and DNS may answer differently the second time (rebinding), or a redirect
may point anywhere. Here the check sits where the socket is opened: the host is resolved
once, every address it resolves to is vetted (``harken.lib.urlguard.check_address``), and
the connection goes to a vetted address, never to the name. The URL, the ``Host`` header,
TLS's SNI and certificate check keep the host name. Because it happens at connect time it
covers the first request, every redirect hop and every new connection a client opens,
whatever the client does on its own (the SDKs follow redirects themselves).

- httpx (``harken.lib.http``, the atproto SDK): ``GuardedTransport``, an ``HTTPTransport``
  whose httpcore pool connects through ``GuardedBackend``; ``guarded_httpx_kwargs`` are
  the ``httpx.Client`` arguments that keep it in use (no proxy from the environment).
- requests (Mastodon.py, prawcore, tweepy): ``GuardedSession``, a ``requests.Session``
  whose adapter's urllib3 connections open their socket the same way.
- anything else (a newsletter's SMTP and IMAP servers): ``open_socket``.

A refusal is ``UnsafeURL``; a name that does not resolve is ``HostNotFound`` (see
urlguard). Both pass through the clients as they are, so callers can tell them apart from
a network failure. Proxies from the environment are not used: a proxy would reach
addresses that the guard never sees.

Tests reach a local server by setting ``HTTP_ALLOW_LOOPBACK = True`` in Django settings
(read at connect time) or with ``Policy(allow_loopback=True)``.
"""

from __future__ import annotations

import socket
import ssl
import threading
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx
import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from harken.lib.urlguard import IPAddress, UnsafeURL, check_address, check_target, resolve

#: Redirects a guarded requests session follows (the same as ``harken.lib.http``).
MAX_REDIRECTS = 5


def loopback_allowed() -> bool:
    """Read at call time so a test can switch it on with pytest-django's ``settings``."""
    from django.conf import settings

    return bool(getattr(settings, "HTTP_ALLOW_LOOPBACK", False))


@dataclass(frozen=True)
class Policy:
    """Which addresses a connection may reach.

    ``allow_private`` skips the check (only for addresses an administrator configured);
    ``allow_loopback`` lets 127.0.0.0/8 and ::1 through, and ``None`` reads the
    ``HTTP_ALLOW_LOOPBACK`` setting when the connection opens."""

    allow_private: bool = False
    allow_loopback: bool | None = None

    def addresses(self, host: str, port: int) -> list[IPAddress]:
        """The addresses to connect to for ``host``, each one vetted: one private answer
        among public ones refuses them all. Raises ``UnsafeURL`` or ``HostNotFound``."""
        found = list(dict.fromkeys(resolve(host.rstrip("."), port)))
        if not self.allow_private:
            loopback = loopback_allowed() if self.allow_loopback is None else self.allow_loopback
            for address in found:
                check_address(address, host, loopback)
        return found


DEFAULT_POLICY = Policy()


def open_socket(
    host: str, port: int, timeout: float | None, policy: Policy = DEFAULT_POLICY
) -> socket.socket:
    """A TCP socket to a vetted address of ``host`` (the next address when one refuses),
    for protocols other than HTTP (SMTP, IMAP): the caller keeps ``host`` for TLS."""
    error: OSError | None = None
    for address in policy.addresses(host, port):
        try:
            return socket.create_connection((str(address), port), timeout)
        except OSError as exc:
            error = exc
    assert error is not None  # ``addresses`` is never empty
    raise error


# --- httpx / httpcore ------------------------------------------------------------------


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend with the guard in ``connect_tcp``: httpcore passes the
    URL's host here and keeps it for TLS, so only the socket goes to the vetted address."""

    def __init__(
        self, policy: Policy = DEFAULT_POLICY, inner: httpcore.NetworkBackend | None = None
    ):
        self.policy = policy
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        error: Exception | None = None
        for address in self.policy.addresses(host, port):
            try:
                return self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc  # the next address, as a resolver-driven connect would
        assert error is not None  # ``addresses`` is never empty
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise UnsafeURL("Harken does not connect to local sockets.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """An ``httpx.HTTPTransport`` whose every connection goes through ``GuardedBackend``."""

    def __init__(
        self,
        policy: Policy = DEFAULT_POLICY,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
        retries: int = 0,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        context = verify if isinstance(verify, ssl.SSLContext) else ssl_context(verify)
        super().__init__(verify=context, trust_env=False, limits=limits, retries=retries)
        self.policy = policy
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            retries=retries,
            network_backend=GuardedBackend(policy),
        )


_contexts: dict[bool, ssl.SSLContext] = {}
_contexts_lock = threading.Lock()


def ssl_context(verify: bool = True) -> ssl.SSLContext:
    """The TLS context every guarded transport shares, made once per process: loading the
    CA bundle costs tens of milliseconds of CPU, which a client made per request or per
    connector paid each time. Sharing it is safe: an ``SSLContext`` is thread-safe, and
    the only thing httpcore sets on it per connection (the ALPN list) is the same for all
    of Harken's clients, none of which speaks HTTP/2."""
    with _contexts_lock:
        if verify not in _contexts:
            _contexts[verify] = httpx.create_ssl_context(verify=verify, trust_env=False)
        return _contexts[verify]


def guarded_httpx_kwargs(policy: Policy = DEFAULT_POLICY) -> dict[str, Any]:
    """Arguments for ``httpx.Client`` (or an SDK that passes them on) that send every
    request through the guard: the transport, and no proxy taken from the environment
    (a proxy mounted from ``HTTPS_PROXY`` would bypass the transport)."""
    return {"transport": GuardedTransport(policy), "trust_env": False}


# --- requests / urllib3 ----------------------------------------------------------------


class _GuardedConnection:
    """Mixed into urllib3's connection class: opens the socket to a vetted address.

    ``self.host`` stays the name, so urllib3 still sends it as SNI and checks the
    certificate against it."""

    harken_policy: Policy = DEFAULT_POLICY

    # Typed for mypy: these come from urllib3's HTTPConnection.
    host: str
    port: int
    timeout: Any
    source_address: tuple[str, int] | None
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        error: OSError | None = None
        last_timeout = False
        for address in self.harken_policy.addresses(self.host, self.port):
            try:
                return urllib3_connection.create_connection(
                    (str(address), self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                error = exc
                last_timeout = True
            except OSError as exc:
                error = exc
                last_timeout = False
        if last_timeout:
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
            ) from error
        raise NewConnectionError(
            typing.cast(Any, self), f"Failed to establish a new connection: {error}"
        ) from error


_guarded_classes: dict[tuple[type, Policy], type] = {}


def _guarded_connection_class(base: type, policy: Policy) -> type:
    """``base`` (urllib3's connection class, or whatever the pool was given) with the
    guard mixed in, one class per base and policy."""
    key = (base, policy)
    if key not in _guarded_classes:
        _guarded_classes[key] = type(
            f"Guarded{base.__name__}", (_GuardedConnection, base), {"harken_policy": policy}
        )
    return _guarded_classes[key]


class _GuardedPoolMixin:
    ConnectionCls: type

    def __init__(self, *args: Any, policy: Policy = DEFAULT_POLICY, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Wrap the class the pool would use now (urllib3's, or a test recorder's stub).
        self.ConnectionCls = _guarded_connection_class(self.ConnectionCls, policy)


class GuardedHTTPConnectionPool(_GuardedPoolMixin, urllib3.HTTPConnectionPool):
    pass


class GuardedHTTPSConnectionPool(_GuardedPoolMixin, urllib3.HTTPSConnectionPool):
    pass


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connection pools open sockets through the guard."""

    def __init__(self, policy: Policy = DEFAULT_POLICY, **kwargs: Any) -> None:
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        policy = self.policy

        def http_pool(*args: Any, **kwargs: Any) -> GuardedHTTPConnectionPool:
            return GuardedHTTPConnectionPool(*args, policy=policy, **kwargs)

        def https_pool(*args: Any, **kwargs: Any) -> GuardedHTTPSConnectionPool:
            return GuardedHTTPSConnectionPool(*args, policy=policy, **kwargs)

        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}  # type: ignore[dict-item]

    __attrs__ = [*HTTPAdapter.__attrs__, "policy"]


class GuardedSession(requests.Session):
    """A ``requests.Session`` for an SDK: every connection (first request, redirect hops,
    reconnects) goes through the guard; no proxy or ``.netrc`` from the environment."""

    def __init__(self, policy: Policy = DEFAULT_POLICY) -> None:
        super().__init__()
        self.trust_env = False
        self.max_redirects = MAX_REDIRECTS
        adapter = GuardedAdapter(policy)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        check_target(request.url or "")  # http(s) with a host; the address at connect time
        return super().send(request, **kwargs)
