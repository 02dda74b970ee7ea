"""The sources page: health per source, enable/disable and poll now for managers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.core.models import Member, Role
from harken.listening.models import Mention, Source
from harken.listening.pipeline import ingest
from tests.listening.helpers import item

pytestmark = pytest.mark.django_db

URL = reverse("source_list")


@pytest.fixture
def source(workspace):
    return Source.objects.create(
        workspace=workspace,
        name="Local news",
        kind=Source.Kind.FEED,
        network="feed",
        url="https://news.example/feed",
        last_error="The feed at https://news.example/feed is gone (HTTP 410); check its address.",
        last_error_at=timezone.now(),
        failures=2,
    )


def test_it_shows_each_sources_health_in_the_networks_words(alice_client, source):
    ingest(source, [item("1"), item("2")])
    Mention.objects.filter(external_id="1").update(ingested=timezone.now() - timedelta(days=2))
    response = alice_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is gone (HTTP 410); check its address." in html
    assert "2 failures in a row" in html
    assert [s.items_24h for s in response.context["sources"]] == [1]


def test_another_workspaces_sources_are_invisible(charlie_client, source):
    assert list(charlie_client.get(URL).context["sources"]) == []


def test_a_manager_disables_and_enables_a_source(alice_client, source):
    url = reverse("source_toggle", args=[source.pk])
    assert alice_client.post(url).status_code == 200
    source.refresh_from_db()
    assert not source.enabled
    alice_client.post(url)
    source.refresh_from_db()
    assert source.enabled and source.failures == 0 and source.next_poll is None


def test_a_responder_cannot_disable_a_source(bob_client, source):
    assert bob_client.post(reverse("source_toggle", args=[source.pk])).status_code == 403


def test_poll_now_reads_the_source_and_shows_the_outcome(alice_client, workspace, settings):
    settings.HTTP_ALLOW_LOOPBACK = False  # the guard refuses it: a clear error, no crash
    source = Source.objects.create(
        workspace=workspace, name="Intranet", kind="feed", network="feed", url="http://127.0.0.1:9/"
    )
    response = alice_client.post(reverse("source_poll", args=[source.pk]))
    assert response.status_code == 200
    source.refresh_from_db()
    assert source.failures == 1
    assert source.last_error in response.content.decode()


def test_another_workspaces_source_cannot_be_polled(charlie_client, source):
    assert charlie_client.post(reverse("source_poll", args=[source.pk])).status_code == 404


def test_a_manager_role_is_enough(client, workspace, source, django_user_model):
    user = django_user_model.objects.create_user("mona", "mona@example.com", "pw")
    Member.objects.create(workspace=workspace, user=user, role=Role.MANAGER)
    client.force_login(user)
    assert client.post(reverse("source_toggle", args=[source.pk])).status_code == 200
