"""A list's SMTP and IMAP servers go through the URL guard: a manager's form cannot reach
the machine's own network unless the administrator named the host."""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse

from harken.networks.base import ConnectorError
from harken.networks.models import Account
from harken.networks.newsletter import inbox, smtp
from tests.networks.newsletter.test_connect_newsletter import form

pytestmark = pytest.mark.django_db


@pytest.fixture
def nothing_private(settings):
    settings.PRIVATE_MAIL_SERVERS = []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.0.0.5", "169.254.169.254"])
def test_a_private_smtp_server_is_refused(host, nothing_private):
    with pytest.raises(ConnectorError) as refused:
        smtp.connect({"smtp_host": host, "smtp_port": 25, "smtp_security": "none"})
    assert refused.value.permanent
    assert "private or reserved address" in str(refused.value)
    assert "HARKEN_PRIVATE_MAIL_SERVERS" in str(refused.value)


def test_no_connection_is_even_opened(nothing_private):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        port = listener.getsockname()[1]
        with pytest.raises(ConnectorError):
            smtp.connect({"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"})
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody knocked: a port scan learns nothing


def test_a_private_imap_server_is_refused_too(nothing_private):
    config = {"imap_host": "192.168.1.20", "imap_user": "u", "imap_security": "none"}
    with pytest.raises(ConnectorError) as refused:
        inbox.check(config)
    assert refused.value.permanent
    assert "private or reserved address" in str(refused.value)


def test_the_form_says_why_and_saves_nothing(alice_client, smtp_server, nothing_private):
    url = reverse("networks:connect_form", args=["newsletter", "smtp"])
    response = alice_client.post(url, form(smtp_server))
    assert response.status_code == 400  # the form again, with the refusal under the host
    assert b"HARKEN_PRIVATE_MAIL_SERVERS" in response.content
    assert not Account.objects.filter(network="newsletter").exists()


def test_a_host_the_administrator_named_connects(smtp_server, settings):
    settings.PRIVATE_MAIL_SERVERS = ["localhost"]
    session = smtp.connect(smtp_server.config(smtp_host="localhost"))
    smtp.close(session)
    # The list is by name: the same server by its address is still refused.
    with pytest.raises(ConnectorError, match="private or reserved"):
        smtp.connect(smtp_server.config(smtp_host="127.0.0.1"))


def test_a_host_that_does_not_resolve_says_so(nothing_private):
    with pytest.raises(ConnectorError, match="cannot be found|temporary DNS failure"):
        smtp.connect({"smtp_host": "no-such-host.invalid", "smtp_security": "none"})
