"""The owner's ``may_connect_accounts`` authority gates running sources, not the role alone:
switching a source on and off, polling now, the Bluesky live stream and the X spend cap."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from harken.core.models import Authority, Member, Role
from harken.listening.models import Source
from harken.networks.models import NetworkBudget


@pytest.fixture
def source(workspace):
    return Source.objects.create(
        workspace=workspace,
        name="Local news",
        kind=Source.Kind.FEED,
        network="feed",
        url="https://news.example/feed",
    )


@pytest.fixture
def manager_client(workspace, django_user_model):
    user = django_user_model.objects.create_user("mona", "mona@example.com", "pw")
    Member.objects.create(workspace=workspace, user=user, role=Role.MANAGER)
    client = Client()
    client.force_login(user)
    return client


def _requests(source):
    return [
        (reverse("source_toggle", args=[source.pk]), {}),
        (reverse("source_poll", args=[source.pk]), {}),
        (reverse("source_firehose"), {}),
        (reverse("source_x_cap"), {"monthly_cap": "999"}),
    ]


def test_a_manager_without_the_authority_cannot_run_sources(manager_client, workspace, source):
    Authority.objects.create(
        workspace=workspace, role=Role.MANAGER, key="may_connect_accounts", value=False
    )
    for url, data in _requests(source):
        assert manager_client.post(url, data).status_code == 403, url
    source.refresh_from_db()
    assert source.enabled
    assert not Source.objects.filter(kind=Source.Kind.STREAM).exists()
    assert not NetworkBudget.objects.exists()
    page = manager_client.get(reverse("source_list")).content.decode()
    assert reverse("source_toggle", args=[source.pk]) not in page
    assert reverse("source_firehose") not in page


def test_a_responder_given_the_authority_runs_sources(bob_client, workspace, source, loopback):
    Authority.objects.create(
        workspace=workspace, role=Role.RESPONDER, key="may_connect_accounts", value=True
    )
    assert bob_client.post(reverse("source_toggle", args=[source.pk])).status_code == 200
    source.refresh_from_db()
    assert not source.enabled
    assert bob_client.post(reverse("source_firehose")).status_code == 302
    assert bob_client.post(reverse("source_x_cap"), {"monthly_cap": "12"}).status_code == 302
    assert NetworkBudget.objects.get(workspace=workspace).monthly_cap == 12


def test_by_default_a_responder_cannot_run_sources(bob_client, source):
    for url, data in _requests(source):
        assert bob_client.post(url, data).status_code == 403, url
