"""One real Bluesky network per test session (see network.py), and its people:
Alice, the business Harken listens for, and Bob and Charlie, her customers.

Skips where ../shared/tools/atproto-localnet is absent; fails instead where
``HARKEN_REQUIRE_REALNET`` is set (CI installs the network first and wants it used).
The pytest workers of one run share one network (``SharedNetwork``): the first to need
it starts it, the last to finish stops it. Its database, run folder and ports are its
own, so two runs side by side (SQLite and PostgreSQL) never meet.
"""

from __future__ import annotations

import atexit
import os

import pytest

from harken.lib import http
from tests.browser.conftest import browser  # noqa: F401 (the Chromium fixture)
from tests.realnet.network import HOME, TOOLS, SharedNetwork, install, installed


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/realnet/" in item.nodeid.replace("\\", "/"):
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
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    shared = SharedNetwork(run, ("alice", "bob", "charlie"))
    atexit.register(shared.close, wait=0)  # an interrupted session stops it too
    try:
        yield shared.open(HOME)
    finally:
        shared.close()


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
