"""STARTTLS and TLS from the start against a real SMTP server (aiosmtpd) with a
certificate made for the test and trusted through ``SSL_CERT_FILE``: the list's
connection checks the server's certificate as with a real provider."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harken.networks.base import ConnectorError
from harken.networks.newsletter import smtp
from tests.networks.newsletter.smtp_local import PASSWORD, USER, Handler, authenticator, free_port


def _certificate(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file = tmp_path / "cert.pem"
    key_file = tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def starttls_server(tmp_path, monkeypatch):
    cert_file, key_file = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    handler = Handler()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
    )
    controller.start()
    yield port, handler, cert_file
    controller.stop()


def config(port: int, security: str) -> dict:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": security,
        "smtp_user": USER,
        "smtp_password": PASSWORD,
    }


def test_starttls_checks_the_certificate_then_logs_in(starttls_server, monkeypatch):
    port, handler, cert_file = starttls_server
    with pytest.raises(ConnectorError, match="CERTIFICATE_VERIFY_FAILED|certificate"):
        smtp.connect(config(port, "starttls"))  # not trusted yet: refused
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    session = smtp.connect(config(port, "starttls"))
    try:
        session.sendmail(
            "news@harbor.example", ["ann@example.com"], b"Subject: hi\r\n\r\nhello\r\n"
        )
    finally:
        smtp.close(session)
    assert [r for r, _ in handler.received] == [["ann@example.com"]]


def test_a_server_that_wants_starttls_refuses_a_plain_login(starttls_server):
    port, handler, _ = starttls_server
    with pytest.raises(ConnectorError) as refused:
        smtp.connect(config(port, "none"))
    assert refused.value.permanent and "security setting" in refused.value.message
