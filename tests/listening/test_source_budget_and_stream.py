"""The sources page: adding the Bluesky live stream, and X's spend against its monthly cap."""

from __future__ import annotations

from harken.listening.models import Source


def test_a_manager_adds_the_bluesky_live_stream_once(alice_client, workspace):
    from django.urls import reverse

    assert b"Add the Bluesky live stream" in alice_client.get(reverse("source_list")).content
    alice_client.post(reverse("source_firehose"))
    alice_client.post(reverse("source_firehose"))
    assert Source.objects.filter(workspace=workspace, kind=Source.Kind.STREAM).count() == 1
    assert b"Add the Bluesky live stream" not in alice_client.get(reverse("source_list")).content


def test_a_responder_cannot_add_the_live_stream(bob_client, workspace):
    from django.urls import reverse

    assert bob_client.post(reverse("source_firehose")).status_code == 403
    assert not Source.objects.filter(workspace=workspace).exists()


def test_the_sources_page_shows_x_spend_and_a_manager_sets_the_cap(alice_client, workspace):
    from decimal import Decimal

    from django.urls import reverse

    from harken.networks.models import NetworkBudget

    Source.objects.create(
        workspace=workspace, name="X search", kind=Source.Kind.SEARCH, network="x", query="rings"
    )
    page = alice_client.get(reverse("source_list")).content.decode()
    assert "X spend this month" in page
    alice_client.post(reverse("source_x_cap"), {"monthly_cap": "25.50"})
    assert NetworkBudget.objects.get(workspace=workspace, network="x").monthly_cap == Decimal(
        "25.50"
    )
    alice_client.post(reverse("source_x_cap"), {"monthly_cap": "-3"})
    alice_client.post(reverse("source_x_cap"), {"monthly_cap": "NaN"})
    assert NetworkBudget.objects.get(workspace=workspace, network="x").monthly_cap == Decimal(
        "25.50"
    )


def test_a_responder_cannot_raise_the_x_cap(bob_client, workspace):
    from django.urls import reverse

    from harken.networks.models import NetworkBudget

    assert bob_client.post(reverse("source_x_cap"), {"monthly_cap": "999"}).status_code == 403
    assert not NetworkBudget.objects.exists()
