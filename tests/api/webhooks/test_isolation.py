"""Another workspace's webhook and its deliveries are a 404 on every route that takes a
primary key, to an owner of this workspace, and nothing of theirs changes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.api.webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_workspace) -> Endpoint:
    return Endpoint.objects.create(
        workspace=other_workspace,
        url="https://rival.example/hook",
        events=["reply.sent"],
        secret="whsec_theirs",
    )


def test_another_workspaces_webhook_cannot_be_toggled_rolled_or_tested(alice_client, theirs):
    for route in ("webhook_toggle", "webhook_secret", "webhook_test"):
        assert alice_client.post(reverse(route, args=[theirs.pk])).status_code == 404, route
    theirs.refresh_from_db()
    assert theirs.enabled and theirs.secret == "whsec_theirs"
    assert not Delivery.objects.exists()


def test_another_workspaces_delivery_cannot_be_redelivered(alice_client, theirs):
    row = Delivery.objects.create(
        endpoint=theirs,
        event_id="evt_theirs",
        event_type="reply.sent",
        payload={},
        created=timezone.now(),
        status=Delivery.Status.FAILED,
    )
    url = reverse("webhook_redeliver", args=[theirs.pk, row.pk])
    assert alice_client.post(url).status_code == 404
    row.refresh_from_db()
    assert row.status == Delivery.Status.FAILED
