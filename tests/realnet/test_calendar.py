"""The calendar's composer, against Bluesky's own PDS: a post written and scheduled on the
composer page, as a person does from the calendar, goes out at its time through the
publishing tick, once, with its link made a tracked short link and its mention and hashtag
as facets at the right UTF-8 bytes."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from atproto import models
from django.utils import timezone

from harken.networks.bluesky.connector import tid_for
from harken.publishing.engine import do_publish_due
from harken.publishing.models import Link, Variant
from harken.publishing.states import State
from tests.realnet.harken import connect_with_app_password
from tests.realnet.test_publish import posts_under

pytestmark = pytest.mark.django_db(transaction=True)

COMPOSER = "/calendar/compose/"


def test_a_post_scheduled_in_the_composer_goes_out_at_its_time_once(
    realnet, settings, live_server, workspace, alice, alice_client, alice_on, bob_on
):
    port = urlsplit(live_server.url).port
    settings.BASE_URL = f"http://127.0.0.1:{port}"  # the public address short links start with
    account = connect_with_app_password(alice_client, realnet, alice_on)
    # An address that answers, so the guidelines gate's "is the link online?" passes on its
    # own merits; a different host from BASE_URL, so it is a link to track.
    destination = f"http://localhost:{port}/health?größe=54"
    text = f"Größe 54 für Jürgen 💍 — {destination} frag @{bob_on.handle} #Goldschmiede"
    local = timezone.now().astimezone(ZoneInfo(workspace.time_zone)) + timedelta(days=2)
    response = alice_client.post(
        COMPOSER,
        {
            "accounts": [str(account.pk)],
            "text": text,
            "stage": "awareness",
            "category": "educational",
            "action": "schedule",
            "at": f"{local:%Y-%m-%d}T10:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    variant = Variant.objects.get(account=account)
    assert variant.state == State.SCHEDULED
    link = Link.objects.get(workspace=workspace)
    short = f"{settings.BASE_URL}/l/{link.code}"
    assert link.destination == destination
    assert variant.text == text.replace(destination, short)
    before = len(alice_on.records())

    at = variant.scheduled_at
    assert do_publish_due(at - timedelta(seconds=1)).published == []
    assert do_publish_due(at).published == [variant.pk]
    assert do_publish_due(at + timedelta(minutes=1)).published == []  # once

    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED, variant.error
    assert len(alice_on.records()) == before + 1
    (record,) = posts_under(alice_on, tid_for(str(variant.idempotency_key)))
    assert record.value.text == variant.text
    data = variant.text.encode()
    found = {
        data[f.index.byte_start : f.index.byte_end].decode(): f.features[0]
        for f in record.value.facets
    }
    assert set(found) == {short, f"@{bob_on.handle}", "#Goldschmiede"}
    assert isinstance(found[short], models.AppBskyRichtextFacet.Link)
    assert found[short].uri == short
    assert found[f"@{bob_on.handle}"].did == bob_on.did
    assert found["#Goldschmiede"].tag == "Goldschmiede"
