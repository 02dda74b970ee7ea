"""Meta's webhooks for Pages and Instagram: the subscription check (``hub.challenge``)
and signed notifications (``X-Hub-Signature-256``). The notification bodies are Meta's
documented shapes (Webhooks reference, Page ``feed`` and Instagram ``comments``): no
delivery was recorded."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from harken.listening.models import Source
from harken.networks.connecting import save_connected
from tests.networks.facebook.graph_local import APP_SECRET

VERIFY = "the-verify-token"  # noqa: S105
PAGE = "1234"
IG = "17841406338772941"


@pytest.fixture
def hooks(meta, monkeypatch):
    monkeypatch.setenv("HARKEN_FACEBOOK_WEBHOOK_TOKEN", VERIFY)
    return meta


def page_notice(page: str = PAGE) -> bytes:
    change = {"field": "feed", "value": {"item": "comment", "verb": "add", "post_id": f"{page}_1"}}
    entry = {"id": page, "time": 1765000000, "changes": [change]}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def signed(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(body: bytes, signature: str, network: str = "facebook"):
    return Client().post(
        f"/networks/{network}/webhook/",
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )


@pytest.fixture
def later(workspace, alice):
    """A connected Page and Instagram account whose sources are not due for a while."""
    page = save_connected(workspace, alice, "facebook", PAGE, "BBBBBBBB", {"page_id": PAGE})
    ig = save_connected(workspace, alice, "instagram", IG, "@ikroskun", {"ig_user_id": IG})
    later = timezone.now() + timedelta(hours=1)
    Source.objects.filter(account__in=[page, ig]).update(next_poll=later)
    return later


def due(network: str) -> bool:
    source = Source.objects.get(account__network=network)
    return source.next_poll <= timezone.now()


def test_meta_verifies_the_address_with_the_right_token_only(hooks, db):
    url = "/networks/facebook/webhook/"
    ok = Client().get(
        url, {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    )
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    wrong = Client().get(
        url, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "x"}
    )
    assert wrong.status_code == 403


def test_a_signed_notification_makes_the_page_due_now(hooks, later):
    body = page_notice()
    assert deliver(body, signed(body)).status_code == 200
    assert due("facebook") and not due("instagram")


def test_an_instagram_notification_makes_the_instagram_account_due(hooks, later):
    entry = {
        "id": IG,
        "time": 1765000000,
        "changes": [{"field": "comments", "value": {"id": "1", "text": "hi"}}],
    }
    body = json.dumps({"object": "instagram", "entry": [entry]}).encode()
    assert deliver(body, signed(body), "instagram").status_code == 200
    assert due("instagram") and not due("facebook")


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=", "sha1=abc", signed(b"another body"), signed(b"x", secret="not-the-secret")],
)
def test_an_unsigned_or_forged_notification_changes_nothing(hooks, later, signature):
    assert deliver(page_notice(), signature).status_code == 403
    assert not due("facebook")


def test_a_notification_for_another_object_or_page_changes_nothing(hooks, later):
    other = page_notice("999")
    assert deliver(other, signed(other)).status_code == 200
    body = page_notice()
    assert (
        deliver(body, signed(body), "instagram").status_code == 200
    )  # a Page notice sent to Instagram's address
    assert not due("facebook") and not due("instagram")


def test_without_webhooks_set_up_the_address_does_not_answer(meta, later):
    body = page_notice()
    assert deliver(body, signed(body)).status_code == 404
    assert not due("facebook")
