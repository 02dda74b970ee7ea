from __future__ import annotations

import socket
import threading
import time

import pytest

from harken.lib.urlguard import HostNotFound, UnsafeURL, check_url, resolve


def fake_dns(monkeypatch, *addresses: str) -> None:
    """Make every host resolve to ``addresses`` (only the DNS answer is faked)."""

    def getaddrinfo(host, port, *args, **kwargs):
        family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
        return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_it_accepts_a_public_address(monkeypatch):
    fake_dns(monkeypatch, "93.184.215.14")
    assert check_url("https://example.com/feed.xml") == "https://example.com/feed.xml"


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "file:///etc/passwd", "gopher://x/", "javascript:alert(1)"]
)
def test_it_refuses_schemes_other_than_http(url):
    with pytest.raises(UnsafeURL, match="Only http"):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1.2.3:8000/",
        "http://[::1]/",
        "http://10.0.0.5/",
        "http://172.16.1.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "http://240.0.0.1/",
        "http://100.64.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.1.2.3]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:c0a8:0101::1]/",
        "http://2130706433/",
    ],
)
def test_it_refuses_private_and_special_addresses(url):
    with pytest.raises(UnsafeURL, match="private or reserved"):
        check_url(url)


def test_it_refuses_a_host_when_any_of_its_addresses_is_private(monkeypatch):
    fake_dns(monkeypatch, "93.184.215.14", "10.0.0.7")
    with pytest.raises(UnsafeURL, match="10.0.0.7"):
        check_url("https://rebind.example/")


def test_it_refuses_a_name_that_resolves_to_loopback(monkeypatch):
    fake_dns(monkeypatch, "127.0.0.1")
    with pytest.raises(UnsafeURL, match="localtest.example"):
        check_url("http://localtest.example/")


def test_allowing_loopback_lets_only_loopback_through():
    assert check_url("http://127.0.0.1:8000/x", allow_loopback=True)
    assert check_url("http://[::1]:8000/x", allow_loopback=True)
    assert check_url("http://[::ffff:127.0.0.1]/", allow_loopback=True)
    with pytest.raises(UnsafeURL):
        check_url("http://192.168.0.1/", allow_loopback=True)


def real_lookup_of(host: str) -> HostNotFound:
    """What the machine's own resolver says about ``host``; skips where none answers."""
    with pytest.raises(HostNotFound) as caught:
        resolve(host, 443)
    if caught.value.temporary:
        pytest.skip(f"no resolver answers here: {caught.value}")
    return caught.value


def test_a_name_that_does_not_exist_cannot_be_found_and_is_not_temporary():
    # RFC 6761: no name under .invalid ever exists, on any resolver.
    found = real_lookup_of("feeds.harbor-street.invalid")
    assert isinstance(found, UnsafeURL)  # forms that check a typed address refuse it
    assert str(found) == (
        "The host feeds.harbor-street.invalid cannot be found: no DNS record has that name. "
        "Check the address."
    )


def test_it_refuses_an_unknown_host(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(HostNotFound, match="cannot be found") as caught:
        check_url("https://no-such-host.example/")
    assert not caught.value.temporary


@pytest.mark.parametrize(
    ("errno", "strerror"),
    [
        (socket.EAI_AGAIN, "Temporary failure in name resolution"),
        (socket.EAI_FAIL, "Non-recoverable failure in name resolution"),
    ],
)
def test_a_resolver_that_fails_is_a_temporary_failure(monkeypatch, errno, strerror):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(errno, strerror)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(HostNotFound) as caught:
        check_url("https://news.example/feed")
    assert caught.value.temporary
    assert str(caught.value) == (
        f"Looking up news.example failed for now ({strerror}): a temporary DNS failure."
    )


def test_a_lookup_that_hangs_is_cut_short_as_a_temporary_failure(monkeypatch):
    release = threading.Event()

    def getaddrinfo(*args, **kwargs):
        release.wait(5)  # a resolver that does not answer
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    started = time.monotonic()
    try:
        with pytest.raises(HostNotFound, match="took longer than 0.2 s") as caught:
            resolve("slow.example", 443, timeout=0.2)
    finally:
        release.set()
    assert caught.value.temporary
    assert time.monotonic() - started < 2


def test_an_address_literal_needs_no_lookup(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise AssertionError("looked up an address literal")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    assert check_url("http://93.184.215.14/feed") == "http://93.184.215.14/feed"
    with pytest.raises(UnsafeURL, match="private or reserved"):
        check_url("http://[fe80::1%25eth0]/")


def test_a_name_that_cannot_be_a_host_name_is_refused():
    with pytest.raises(UnsafeURL, match="not a valid host name"):
        check_url("https://" + "a" * 64 + ".example/")


def test_it_refuses_an_address_without_a_host():
    with pytest.raises(UnsafeURL, match="no host"):
        check_url("http:///path")
