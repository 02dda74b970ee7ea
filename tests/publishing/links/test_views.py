"""Campaign pages: members see them, managers create and edit them, a refused form
changes nothing, another workspace's campaign is not found; the public progress page
needs no login and shows nothing of the workspace but the campaign."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.publishing.links.clicks import Visit, find_target, record_click
from harken.publishing.models import Campaign, Link
from tests.conftest import client_for
from tests.publishing.links.conftest import BROWSER

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Rings for a Reason",
    "goal": "A dollar for the food bank for every click.",
    "starts": "2026-12-01",
    "ends": "2026-12-31",
    "pledge": "1.00",
    "currency": "USD",
    "cap": "10000",
}


def clicked(link: Link, n: int, *, agent: str = BROWSER, day: int = 6) -> None:
    loaded = find_target(link.code)
    assert loaded is not None
    for i in range(n):
        at = datetime(2026, 12, day, 12, tzinfo=UTC) + timedelta(minutes=i)
        record_click(loaded, Visit(at=at, address=f"192.0.2.{i}", user_agent=agent))


def test_a_manager_creates_a_pledging_campaign(alice_client, workspace):
    response = alice_client.post("/calendar/campaigns/new/", FORM)

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/calendar/campaigns/{campaign.pk}/"
    assert (campaign.workspace, campaign.slug) == (workspace, "rings-for-a-reason")
    assert (campaign.pledge_cents, campaign.cap_cents, campaign.pledged_cents) == (100, 1000000, 0)
    assert AuditEntry.objects.filter(action="campaign.create").exists()


def test_a_second_campaign_of_the_same_name_gets_its_own_slug(alice_client):
    alice_client.post("/calendar/campaigns/new/", FORM)
    alice_client.post("/calendar/campaigns/new/", FORM)

    assert sorted(Campaign.objects.values_list("slug", flat=True)) == [
        "rings-for-a-reason",
        "rings-for-a-reason-2",
    ]


def test_a_pledge_without_a_cap_is_refused_and_shown_again(alice_client):
    response = alice_client.post("/calendar/campaigns/new/", {**FORM, "cap": ""})

    assert response.status_code == 302
    assert response["Location"] == "/calendar/campaigns/new/"
    assert Campaign.objects.count() == 0
    page = alice_client.get("/calendar/campaigns/new/").content.decode()
    assert "A pledge needs a cap of at least one pledge." in page
    assert "Rings for a Reason" in page  # what was typed is kept


def test_the_cap_cannot_go_below_what_is_pledged(alice_client, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(pledged_cents=500)

    alice_client.post(f"/calendar/campaigns/{campaign.pk}/edit/", {**FORM, "cap": "4"})

    campaign.refresh_from_db()
    assert campaign.cap_cents == 1000
    page = alice_client.get(f"/calendar/campaigns/{campaign.pk}/edit/").content.decode()
    assert "is pledged already: the cap cannot be lower" in page


def test_editing_keeps_the_running_total(alice_client, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(pledged_cents=700)

    alice_client.post(f"/calendar/campaigns/{campaign.pk}/edit/", {**FORM, "cap": "20"})

    campaign.refresh_from_db()
    assert (campaign.cap_cents, campaign.pledged_cents) == (2000, 700)
    assert campaign.slug == "rings-for-a-reason"  # the links' utm_campaign does not move
    assert AuditEntry.objects.get(action="campaign.update").changes["cap_cents"] == [
        "1000",
        "2000",
    ]


def test_a_responder_sees_campaigns_but_cannot_create_or_edit(bob_client, campaign):
    assert bob_client.get("/calendar/campaigns/").status_code == 200
    assert bob_client.get(f"/calendar/campaigns/{campaign.pk}/").status_code == 200
    assert bob_client.post("/calendar/campaigns/new/", FORM).status_code == 403
    assert bob_client.post(f"/calendar/campaigns/{campaign.pk}/edit/", FORM).status_code == 403
    response = bob_client.post(
        f"/calendar/campaigns/{campaign.pk}/", {"destination": "https://harbor.example/"}
    )
    assert response.status_code == 403
    assert Campaign.objects.count() == 1 and Link.objects.count() == 0


def test_another_workspaces_campaign_is_not_found(charlie_client, campaign):
    detail = reverse("campaign_detail", args=[campaign.pk])
    edit = reverse("campaign_edit", args=[campaign.pk])
    assert charlie_client.get(detail).status_code == 404
    assert charlie_client.get(edit).status_code == 404
    link = {"destination": "https://rival.example/"}
    assert charlie_client.post(detail, link).status_code == 404
    assert charlie_client.post(edit, {**FORM, "name": "Mine now"}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.name == "Rings for a Reason" and not Link.objects.exists()
    assert "Rings for a Reason" not in charlie_client.get("/calendar/campaigns/").content.decode()


def test_the_list_shows_unique_clicks_and_the_pledge(alice_client, link):
    clicked(link, 3)
    clicked(link, 2, agent="Twitterbot/1.0")

    page = alice_client.get("/calendar/campaigns/").content.decode()

    assert "Rings for a Reason" in page
    assert 'aria-current="page">Campaigns</a>' in page  # the publishing tabs
    assert "3 clicks" in page
    assert "$3.00 of $10.00" in page


def test_the_detail_shows_clicks_per_day_bots_apart_and_the_pledge(alice_client, link):
    clicked(link, 4, day=5)
    clicked(link, 3, day=7)
    clicked(link, 2, agent="facebookexternalhit/1.1", day=7)

    page = alice_client.get(f"/calendar/campaigns/{link.campaign_id}/").content.decode()

    assert page.count('fill="#2f6fde"') == 3  # a unique-clicks bar per day, 5 to 7 Dec
    assert "<td>Sat 5 Dec</td><td>4</td><td>0</td><td>0</td>" in page
    assert "<td>Sun 6 Dec</td><td>0</td><td>0</td><td>0</td>" in page
    assert "<td>Mon 7 Dec</td><td>3</td><td>0</td><td>2</td>" in page
    assert '<progress value="700" max="1000"' in page
    assert f"/l/{link.code}" in page
    assert "/pledge/" in page


def test_the_detail_says_when_the_cap_is_reached(alice_client, link):
    clicked(link, 12)

    page = alice_client.get(f"/calendar/campaigns/{link.campaign_id}/").content.decode()

    assert "The cap is reached: clicks are still counted, but pledging has stopped." in page


def test_a_manager_adds_a_tracked_link_to_the_campaign(alice_client, campaign):
    response = alice_client.post(
        f"/calendar/campaigns/{campaign.pk}/",
        {"destination": "https://harbor.example/pledge", "network": "mastodon"},
    )

    assert response.status_code == 302
    link = Link.objects.get()
    assert (link.campaign, link.network) == (campaign, "mastodon")
    assert link.utm["utm_campaign"] == "rings-for-a-reason"


def test_a_bad_destination_is_refused_and_adds_nothing(alice_client, campaign):
    response = alice_client.post(
        f"/calendar/campaigns/{campaign.pk}/", {"destination": "javascript:alert(1)"}
    )

    assert response["Location"] == f"/calendar/campaigns/{campaign.pk}/"
    assert Link.objects.count() == 0
    page = alice_client.get(f"/calendar/campaigns/{campaign.pk}/").content.decode()
    assert "Enter a valid URL." in page


def test_the_public_page_needs_no_login_and_shows_only_the_campaign(link, campaign):
    clicked(link, 3)

    page = Client().get(f"/pledge/{campaign.public_token}/").content.decode()

    assert "Rings for a Reason" in page
    assert "A dollar for the food bank for every click." in page
    assert "$3.00" in page and "$10.00" in page
    assert "Harbor Street Jewelers" not in page
    assert link.code not in page and "harbor.example" not in page


def test_the_public_page_says_plainly_when_pledging_stopped(link, campaign):
    clicked(link, 11)

    page = Client().get(f"/pledge/{campaign.public_token}/").content.decode()

    assert "The cap of $10.00 is reached" in page
    assert "Pledging has stopped" in page


def test_the_public_page_escapes_the_campaign_name(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(name="<script>alert(1)</script>")

    page = Client().get(f"/pledge/{campaign.public_token}/").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_an_unknown_public_token_is_not_found(db):
    assert Client().get("/pledge/nosuchtoken/").status_code == 404


def test_a_signed_in_viewer_opens_the_public_page_too(victor, campaign):
    assert client_for(victor).get(f"/pledge/{campaign.public_token}/").status_code == 200
