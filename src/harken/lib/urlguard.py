"""The guard in front of every URL that a user or a mention supplies.

Harken fetches feeds, webhooks and instance URLs that people type in. Without a guard a
URL such as ``http://169.254.169.254/`` or ``http://localhost:5432/`` would let anyone
with a form reach the machine's own network (SSRF). ``check_url`` refuses anything but
http(s) to a public address, and checks *every* address the host resolves to: one
public record next to a private one must not sneak the private one through.

``harken.lib.guarded`` runs the same address check where every outbound connection is
opened (``harken.lib.http`` and the SDKs' clients), on every redirect hop: after the name
has been resolved, so that DNS cannot answer differently between check and connect.

A name that does not resolve is ``HostNotFound``, a kind of ``UnsafeURL`` (so a form that
checks a typed address refuses it with its message), and says whether it may pass: a
resolver that failed or timed out (EAI_AGAIN) is ``temporary``; a name that does not
exist (NXDOMAIN, EAI_NONAME) is not, though a lapsed domain can come back, so a saved
source retries it with backoff rather than giving up (see ``harken.lib.http``).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})


class UnsafeURL(ValueError):
    """The URL may not be fetched; the message says why, in words a user can act on."""


class HostNotFound(UnsafeURL):
    """The host name did not resolve; ``temporary`` when the resolver, not the name, failed."""

    def __init__(self, message: str, host: str, temporary: bool) -> None:
        super().__init__(message)
        self.host = host
        self.temporary = temporary


#: Seconds a name lookup may take. ``getaddrinfo`` has no timeout of its own, and a
#: resolver that hangs must not hold a worker longer than the request's own timeouts.
DNS_TIMEOUT = 5.0

#: getaddrinfo's answers for "no such name" (NXDOMAIN), and for a name with no address.
_NO_SUCH_NAME = frozenset(
    getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, name)
)


def check_url(url: str, allow_loopback: bool = False) -> str:
    """Return ``url`` when it is http(s) to a host whose every address is public.

    ``allow_loopback`` lets 127.0.0.0/8 and ::1 through (tests with a local server); it
    never lets private, link-local or other special ranges through.
    """
    host, port = check_target(url)
    for address in resolve(host, port):
        check_address(address, host, allow_loopback)
    return url.strip()


def check_target(url: str) -> tuple[str, int]:
    """The host and port of an http(s) URL, without a DNS lookup; ``UnsafeURL`` for any
    other scheme or a URL with no host. The address is checked where the connection is
    opened (``harken.lib.guarded``)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURL(
            f"Only http:// and https:// addresses can be fetched, not {parts.scheme or 'this'}."
        )
    host = parts.hostname
    if not host:
        raise UnsafeURL("The address has no host name.")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise UnsafeURL("The address has an invalid port.") from None
    return host, port


def resolve(host: str, port: int, timeout: float | None = None) -> list[IPAddress]:
    """All addresses ``host`` resolves to (an IP literal resolves to itself).

    Raises ``HostNotFound`` when the name does not resolve (see the module docstring)."""
    try:
        return [ipaddress.ip_address(host.split("%", 1)[0])]  # a literal: no lookup, no thread
    except ValueError:
        pass
    try:
        infos = _lookup(host, port, DNS_TIMEOUT if timeout is None else timeout)
    except UnicodeError:
        raise UnsafeURL(f"{host} is not a valid host name.") from None
    except socket.gaierror as exc:
        raise _not_found(host, exc) from None
    addresses = []
    for info in infos:
        # Drop an IPv6 zone ("fe80::1%eth0"): the address itself decides.
        text = str(info[4][0]).split("%", 1)[0]
        addresses.append(ipaddress.ip_address(text))
    if not addresses:
        raise HostNotFound(f"The host {host} has no address.", host, temporary=False)
    return addresses


def _lookup(host: str, port: int, timeout: float) -> list[tuple]:
    """``getaddrinfo`` with a time limit: it runs in a thread that is left to finish on
    its own when the resolver hangs (the system resolver gives up eventually)."""
    outcome: dict[str, object] = {}

    def lookup() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=lookup, name=f"dns-{host}"[:60], daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise HostNotFound(
            f"Looking up {host} took longer than {timeout:g} s: a temporary DNS failure.",
            host,
            temporary=True,
        )
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["infos"]  # type: ignore[return-value]


def _not_found(host: str, exc: socket.gaierror) -> HostNotFound:
    if exc.errno in _NO_SUCH_NAME:
        return HostNotFound(
            f"The host {host} cannot be found: no DNS record has that name. Check the address.",
            host,
            temporary=False,
        )
    # EAI_AGAIN (the name server did not answer), EAI_FAIL (it failed), EAI_SYSTEM …:
    # the resolver's trouble, not the name's.
    reason = exc.strerror or str(exc)
    return HostNotFound(
        f"Looking up {host} failed for now ({reason}): a temporary DNS failure.",
        host,
        temporary=True,
    )


def check_address(address: IPAddress, host: str = "", allow_loopback: bool = False) -> None:
    """Raise ``UnsafeURL`` unless ``address`` is a public unicast address."""
    inner = unwrap(address)
    if allow_loopback and inner.is_loopback:
        return
    if is_special(inner):
        shown = f"{host} ({address})" if host and host != str(address) else str(address)
        raise UnsafeURL(
            f"{shown} is a private or reserved address; Harken only fetches public addresses."
        )


def unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address hidden in an IPv4-mapped, NAT64 or 6to4 IPv6 address, else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_special(address: IPAddress) -> bool:
    # ``is_global`` alone covers most ranges (incl. 100.64/10 shared space), but the
    # explicit checks keep the intent readable and cover multicast, which is "global".
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )
