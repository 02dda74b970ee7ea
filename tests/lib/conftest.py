from __future__ import annotations

import pytest

from harken.lib import http
from tests.lib.localserver import LocalServer


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


@pytest.fixture
def loopback(settings):
    """Let the URL guard through to 127.0.0.1, as only tests may."""
    settings.HTTP_ALLOW_LOOPBACK = True
    http.reset_rate_limits()
    yield
    http.reset_rate_limits()
