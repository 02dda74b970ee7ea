import pytest

from tests.networks.newsletter.smtp_local import SmtpServer


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()
