from __future__ import annotations

import socket

import pytest

from harken.lib.urlguard import UnsafeURL, check_url


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


def test_it_refuses_an_unknown_host(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(UnsafeURL, match="cannot be found"):
        check_url("https://no-such-host.example/")


def test_it_refuses_an_address_without_a_host():
    with pytest.raises(UnsafeURL, match="no host"):
        check_url("http:///path")
