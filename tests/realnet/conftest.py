"""One real Bluesky network per test session (see network.py), and its people:
Alice, the business Harken listens for, and Bob and Charlie, her customers.

Skips where ../shared/tools/atproto-localnet is absent; fails instead where
``HARKEN_REQUIRE_REALNET`` is set (CI installs the network first and wants it used).
Every test here joins the xdist group "realnet", so under ``--dist loadgroup`` one worker
runs them all against one network; a second network on another worker would still work
(its own database and ports), only slower.
"""

from __future__ import annotations

import atexit
import os

import pytest

from harken.lib import http
from tests.browser.conftest import browser  # noqa: F401 (the Chromium fixture)
from tests.realnet.network import HOME, TOOLS, Network, install, installed


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/realnet/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("realnet"))
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def network():
    if not TOOLS.is_dir():
        message = f"the local atproto network is not available: {TOOLS} is absent"
        if os.environ.get("HARKEN_REQUIRE_REALNET"):
            pytest.fail(message)
        pytest.skip(message)
    if not installed(HOME):
        install(HOME)
    running = Network(HOME)
    atexit.register(running.stop)  # also when the session is interrupted
    try:
        running.start()
        for name in ("alice", "bob", "charlie"):
            running.create_person(name)
        yield running
    finally:
        running.stop()


@pytest.fixture
def realnet(network, settings):
    """The network, with Harken's URL guard opened for loopback (only here) and its
    identity lookups pointed at the network's PLC directory and PDS."""
    settings.HTTP_ALLOW_LOOPBACK = True
    settings.BLUESKY_PLC_DIRECTORY = network.plc
    settings.BLUESKY_HANDLE_RESOLVER = network.pds
    http.reset_rate_limits()
    yield network
    http.reset_rate_limits()


@pytest.fixture
def alice_on(network):
    return network.people["alice"]


@pytest.fixture
def bob_on(network):
    return network.people["bob"]


@pytest.fixture
def charlie_on(network):
    return network.people["charlie"]
