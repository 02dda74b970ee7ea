import pytest

from tests.networks.newsletter.smtp_local import SmtpServer


@pytest.fixture(autouse=True)
def local_mail_servers(settings):
    """The administrator's list of mail servers that may be private: the tests' servers
    listen on 127.0.0.1, like a relay on the Harken machine."""
    settings.PRIVATE_MAIL_SERVERS = ["127.0.0.1"]


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
