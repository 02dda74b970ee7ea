"""Shared fixtures: two workspaces and the personas of every test.

Alice owns Harbor Street Jewelers, Bob is a responder there, Victor a viewer.
Charlie owns Rival Rings, another workspace: he is the outsider in isolation tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from harken.core.models import Member, Role, Workspace
from harken.lib import http

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, skipping the test cleanly where it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture
def workspace(db) -> Workspace:
    return Workspace.objects.create(name="Harbor Street Jewelers", slug="harbor-street")


@pytest.fixture
def other_workspace(db) -> Workspace:
    return Workspace.objects.create(name="Rival Rings", slug="rival-rings")


def _person(username: str, workspace: Workspace, role: Role):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password="correct horse battery"
    )
    Member.objects.create(workspace=workspace, user=user, role=role)
    return user


@pytest.fixture
def alice(workspace):
    return _person("alice", workspace, Role.OWNER)


@pytest.fixture
def bob(workspace):
    return _person("bob", workspace, Role.RESPONDER)


@pytest.fixture
def victor(workspace):
    return _person("victor", workspace, Role.VIEWER)


@pytest.fixture
def charlie(other_workspace):
    return _person("charlie", other_workspace, Role.OWNER)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice) -> Client:
    return client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return client_for(bob)


@pytest.fixture
def charlie_client(charlie) -> Client:
    return client_for(charlie)


@pytest.fixture
def loopback(settings):
    """Let the URL guard through to 127.0.0.1, as only tests may."""
    settings.HTTP_ALLOW_LOOPBACK = True
    http.reset_rate_limits()
    yield
    http.reset_rate_limits()
    http.close_clients()  # kept connections to this test's local servers


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 serving scripted replies."""
    from tests.lib.localserver import LocalServer

    with LocalServer() as running:
        yield running
