import pytest

from tests.networks.newsletter.smtp_local import SmtpServer


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def imap_server():
    from tests.networks.newsletter.imap_local import ImapServer

    server = ImapServer()
    yield server
    server.stop()
