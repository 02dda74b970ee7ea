"""The connect-time guard's clients (``harken.lib.guarded``) against real local servers.

The socket goes to the vetted address while TLS keeps the host name: SNI and the
certificate check are for the name in the URL, never for the address it resolved to.
The certificates are made here by a throwaway certificate authority.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harken.lib import http
from harken.lib.guarded import GuardedSession, GuardedTransport, Policy
from harken.lib.urlguard import UnsafeURL
from tests.lib.localserver import Listener, Reply, fake_dns

LOCAL = Policy(allow_loopback=True)


def _certificate(subject: str, key, issuer: str, issuer_key, ca: bool, names=()):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


class TLSServer:
    """HTTPS on 127.0.0.1 with a certificate for ``secure.example`` only; records the SNI
    name and the Host header of every request."""

    def __init__(self, folder: Path) -> None:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = _certificate("Harken test CA", ca_key, "Harken test CA", ca_key, ca=True)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(
            "secure.example", key, "Harken test CA", ca_key, False, ["secure.example"]
        )
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        chain = folder / "server.pem"
        chain.write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self.sni: list[str | None] = []
        self.hosts: list[str] = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain)
        context.sni_callback = lambda sock, name, ctx: self.sni.append(name)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.hosts.append(self.headers["Host"])
                self.send_response(200)
                self.send_header("Content-Length", "6")
                self.end_headers()
                self.wfile.write(b"secure")

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]

    def __enter__(self) -> TLSServer:
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def tls(tmp_path, monkeypatch):
    with TLSServer(tmp_path) as server:
        server.asked = fake_dns(  # type: ignore[attr-defined]
            monkeypatch, {"secure.example": "127.0.0.1", "other.example": "127.0.0.1"}
        )
        yield server


def test_httpx_connects_to_the_vetted_address_with_the_host_name_for_tls(tls):
    context = ssl.create_default_context(cafile=str(tls.ca_file))
    with httpx.Client(transport=GuardedTransport(LOCAL, verify=context), trust_env=False) as c:
        response = c.get(f"https://secure.example:{tls.port}/")
    assert response.text == "secure"
    assert tls.sni == ["secure.example"]
    assert tls.hosts == [f"secure.example:{tls.port}"]
    assert tls.asked == ["secure.example"]


def test_httpx_checks_the_certificate_against_the_name_not_the_address(tls):
    context = ssl.create_default_context(cafile=str(tls.ca_file))
    client = httpx.Client(transport=GuardedTransport(LOCAL, verify=context), trust_env=False)
    with client, pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        client.get(f"https://other.example:{tls.port}/")
    assert tls.hosts == []


def test_requests_connects_to_the_vetted_address_with_the_host_name_for_tls(tls):
    with GuardedSession(LOCAL) as session:
        session.verify = str(tls.ca_file)
        response = session.get(f"https://secure.example:{tls.port}/", timeout=5)
    assert response.text == "secure"
    assert tls.sni == ["secure.example"]
    assert tls.hosts == [f"secure.example:{tls.port}"]
    assert tls.asked == ["secure.example"]


def test_requests_checks_the_certificate_against_the_name_not_the_address(tls):
    with GuardedSession(LOCAL) as session:
        session.verify = str(tls.ca_file)
        with pytest.raises(requests.exceptions.SSLError):
            session.get(f"https://other.example:{tls.port}/", timeout=5)
    assert tls.hosts == []


def test_requests_refuses_a_private_name_before_connecting(monkeypatch):
    with Listener() as internal:
        fake_dns(monkeypatch, {"wiki.example": "127.0.0.1"})
        with GuardedSession() as session, pytest.raises(UnsafeURL, match="private or reserved"):
            session.post(f"http://wiki.example:{internal.port}/", data={"token": "t"}, timeout=5)
        time.sleep(0.1)
    assert internal.connections == 0


def test_requests_vets_each_redirect_hop(server, monkeypatch):
    fake_dns(monkeypatch, {"metadata.example": "169.254.169.254"})
    server.route("/go", Reply(302, headers={"Location": "http://metadata.example/latest"}))
    with GuardedSession(LOCAL) as session, pytest.raises(UnsafeURL, match="169.254.169.254"):
        session.get(server.url("/go"), timeout=5)
    assert len(server.hits("/go")) == 1


def test_requests_refuses_other_schemes():
    with GuardedSession() as session, pytest.raises(UnsafeURL, match="Only http"):
        session.get("ftp://files.example/")


@pytest.mark.usefixtures("loopback")
@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_proxy_from_the_environment_is_not_used(server, monkeypatch, variable):
    """A proxy would reach addresses the guard never sees: neither client uses one."""
    server.route("/hello", Reply(200, "hi"))
    with Listener() as proxy:
        monkeypatch.setenv(variable, f"http://127.0.0.1:{proxy.port}")
        assert http.get(server.url("/hello"), attempts=1).text == "hi"
        with GuardedSession() as session:
            assert session.get(server.url("/hello"), timeout=5).text == "hi"
        time.sleep(0.1)
    assert proxy.connections == 0
    assert len(server.hits("/hello")) == 2


def test_an_ip_literal_is_vetted_like_a_name():
    with pytest.raises(UnsafeURL, match="private or reserved"):
        Policy().addresses("10.1.2.3", 80)
    assert Policy(allow_loopback=True).addresses("127.0.0.1", 80) == [
        ipaddress.ip_address("127.0.0.1")
    ]
