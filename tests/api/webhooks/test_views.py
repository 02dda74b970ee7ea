"""Settings › Webhooks: managers add, edit, test, disable and redeliver; others cannot;
the receiver's answer is shown escaped."""

from __future__ import annotations

import pytest

from harken.api.webhooks import delivery
from harken.api.webhooks.models import Delivery, Endpoint
from harken.core.models import AuditEntry
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_manager_adds_a_webhook_sees_its_secret_once_and_sends_a_test(workspace, mia, receiver):
    client = client_for(mia)
    page = client.post(
        "/api/webhooks/",
        {"url": receiver.url, "description": "CRM", "events": ["reply.sent", "post.failed"]},
        follow=True,
    )
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["reply.sent", "post.failed"]
    assert endpoint.secret in page.content.decode()
    assert endpoint.secret not in client.get(f"/api/webhooks/{endpoint.pk}/").content.decode()
    receiver.secret = endpoint.secret
    receiver.answer = 500
    client.post(f"/api/webhooks/{endpoint.pk}/test/")
    delivery.do_deliver_due()
    row = Delivery.objects.get()
    assert row.event_type == "webhook.test" and row.response_status == 500
    html = client.get(f"/api/webhooks/{endpoint.pk}/").content.decode()
    assert "down for maintenance" in html and "Redeliver" not in html  # still retrying
    # The receiver's own words are plain text: markup it sends is never markup here.
    Delivery.objects.filter(pk=row.pk).update(
        status="failed", response_excerpt="<img src=x onerror=alert(1)>"
    )
    html = client.get(f"/api/webhooks/{endpoint.pk}/").content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    receiver.answer = 200
    client.post(f"/api/webhooks/{endpoint.pk}/deliveries/{row.pk}/redeliver/")
    delivery.do_deliver_due()
    row.refresh_from_db()
    assert row.status == "sent" and list(receiver.events) == [row.event_id]
    assert AuditEntry.objects.filter(action="webhook.redeliver").exists()


def test_bad_input_is_refused_with_nothing_changed(workspace, mia):
    client = client_for(mia)
    for url in ("ftp://example.com/x", "not a url"):
        page = client.post("/api/webhooks/", {"url": url, "events": ["reply.sent"]}, follow=True)
        assert page.status_code == 200
    page = client.post("/api/webhooks/", {"url": "https://example.com/h"}, follow=True)
    assert "This field is required" in page.content.decode()
    assert Endpoint.objects.count() == 0


def test_only_managers_and_owners_reach_webhooks(workspace, bob, victor, charlie, mia):
    endpoint = Endpoint.objects.create(
        workspace=workspace, url="https://example.com/h", events=["reply.sent"], secret="whsec_x"
    )
    for user in (bob, victor):
        client = client_for(user)
        assert client.get("/api/webhooks/").status_code == 403
        assert client.post(f"/api/webhooks/{endpoint.pk}/toggle/").status_code == 403
    # Another workspace's manager: not found.
    assert client_for(charlie).get(f"/api/webhooks/{endpoint.pk}/").status_code in (403, 404)
    assert client_for(mia).post(f"/api/webhooks/{endpoint.pk}/toggle/").status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.enabled
