from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, clear_url_caches, include, path, reverse

from harken.lib import http
from tests.lib.localserver import LocalServer


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 serving scripted replies."""
    with LocalServer() as running:
        yield running


@pytest.fixture
def loopback(settings):
    """Let the URL guard through to 127.0.0.1, as only tests may."""
    settings.HTTP_ALLOW_LOOPBACK = True
    http.reset_rate_limits()
    yield
    http.reset_rate_limits()


# The networks pages, mounted as the lead mounts them (under networks/), for the views'
# tests; when harken.urls already includes them this urlconf is not used.
urlpatterns = [
    path("", include("harken.urls")),
    path("networks/", include("harken.networks.urls")),
]


@pytest.fixture
def network_urls(settings):
    try:
        reverse("networks:accounts")
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__
        clear_url_caches()
    yield
    clear_url_caches()
