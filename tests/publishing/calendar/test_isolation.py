"""Another workspace's events, series, queue slots and variants are a 404 on every
calendar route that takes a primary key, and nothing of theirs changes."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.networks.models import Account
from harken.publishing.models import Event, QueueSlot, Series, Variant
from harken.publishing.states import State
from tests.publishing.calendar.conftest import plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def rival(other_workspace) -> Account:
    return Account.objects.create(workspace=other_workspace, network="x", handle="@rival")


def test_another_workspaces_event_cannot_be_read_changed_or_removed(alice_client, rival):
    event = Event.objects.create(
        workspace=rival.workspace, title="Rival's sale", starts=date(2026, 3, 2)
    )
    url = reverse("calendar_event", args=[event.pk])
    assert alice_client.get(url).status_code == 404
    changed = {"title": "Mine now", "starts": "2026-03-02"}
    assert alice_client.post(url, changed).status_code == 404
    assert alice_client.post(url, {"delete": "1"}).status_code == 404
    assert Event.objects.get(pk=event.pk).title == "Rival's sale"


def test_another_workspaces_series_cannot_be_read_or_deleted(alice_client, rival):
    series = Series.objects.create(
        workspace=rival.workspace,
        title="Their weekly special",
        rrule="FREQ=WEEKLY",
        starts=timezone.now(),
        text="Online only, this week.",
    )
    url = reverse("calendar_series_detail", args=[series.pk])
    assert alice_client.get(url).status_code == 404
    assert alice_client.post(url, {"delete": "1"}).status_code == 404
    assert Series.objects.filter(pk=series.pk).exists()


def test_another_workspaces_queue_slot_cannot_be_removed(alice_client, rival):
    slot = QueueSlot.objects.create(
        workspace=rival.workspace, account=rival, weekday=1, time=time(10, 0)
    )
    response = alice_client.post(reverse("calendar_slot_delete", args=[slot.pk]))
    assert response.status_code == 404
    assert QueueSlot.objects.filter(pk=slot.pk).exists()


def test_another_workspaces_draft_cannot_be_queued(alice_client, rival):
    QueueSlot.objects.create(workspace=rival.workspace, account=rival, weekday=1, time=time(10))
    variant = plan(rival, None, state=State.DRAFT)
    response = alice_client.post(reverse("calendar_add_to_queue", args=[variant.pk]))
    assert response.status_code == 404
    variant = Variant.objects.get(pk=variant.pk)
    assert variant.state == State.DRAFT and variant.scheduled_at is None


def test_another_workspaces_post_cannot_be_moved(alice_client, rival):
    variant = plan(rival, timezone.now() + timezone.timedelta(days=3))
    before = variant.scheduled_at
    url = reverse("calendar_move_post", args=[variant.post_id])
    response = alice_client.post(url, {"date": "2030-05-08", "variants": str(variant.pk)})
    assert response.status_code == 404
    variant.refresh_from_db()
    assert variant.scheduled_at == before
