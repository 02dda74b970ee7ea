"""Campaigns and link clicks through the API: pledge totals and cap, links with their
counts, clicks by campaign, network and day in keyset pages, and a campaign created by
the campaign form's rules."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from harken.core.models import AuditEntry
from harken.publishing.models import Campaign, Click, Link
from tests.api.conftest import make_campaign


def test_a_campaign_with_its_pledge_total_and_cap(tokens, workspace):
    campaign = make_campaign(workspace)
    make_campaign(workspace, "Ruby days")
    full = make_campaign(workspace, "Gold rush")
    Campaign.objects.filter(pk=full.pk).update(pledged_cents=1000)
    api = tokens["viewer"]
    page = api.get("/campaigns", limit=2).json()
    assert [c["name"] for c in page["items"]] == ["Gold rush", "Ruby days"]
    last = api.get("/campaigns", limit=2, before=page["next_before"]).json()
    assert [c["name"] for c in last["items"]] == ["Opal week"] and last["next_before"] is None
    body = api.get(f"/campaigns/{campaign.pk}").json()
    assert body["pledge_cents"] == 100 and body["cap_cents"] == 1000
    assert body["pledged_cents"] == 100 and body["currency"] == "USD"
    assert body["unique_clicks"] == 1 and body["link_count"] == 1
    assert body["cap_reached"] is False
    assert api.get(f"/campaigns/{full.pk}").json()["cap_reached"] is True


def test_links_and_clicks_by_campaign_network_and_day(tokens, workspace):
    opal = make_campaign(workspace)
    ruby = make_campaign(workspace, "Ruby days")
    old = Click.objects.filter(link__campaign=ruby).first()
    Click.objects.filter(pk=old.pk).update(
        day=timezone.now().date() - timedelta(days=10), network="bluesky"
    )
    api = tokens["viewer"]
    [link] = api.get("/links", campaign=opal.pk).json()["items"]
    assert link["campaign"] == opal.pk and link["short_url"].endswith(f"/l/{link['code']}")
    assert link["target"].startswith("https://shop.example.com/opal?utm_source=mastodon")
    assert (link["unique_clicks"], link["people_clicks"], link["bot_clicks"]) == (1, 2, 1)
    assert api.get("/links", network="bluesky").json()["items"] == []
    clicks = api.get("/clicks", campaign=opal.pk).json()["items"]
    assert {c["campaign"] for c in clicks} == {opal.pk} and len(clicks) == 3
    assert "ip_hash" not in clicks[0]
    people = api.get("/clicks", campaign=opal.pk, bots="false").json()["items"]
    assert [c["unique_of_day"] for c in people] == [False, True]
    assert [c["id"] for c in api.get("/clicks", network="bluesky").json()["items"]] == [old.pk]
    today = timezone.now().date().isoformat()
    recent = api.get("/clicks", campaign=ruby.pk, since=today).json()["items"]
    assert old.pk not in [c["id"] for c in recent] and len(recent) == 2
    # Keyset pages: every click once, newest first.
    seen, before = [], None
    while True:
        page = api.get("/clicks", limit=2, **({"before": before} if before else {})).json()
        seen += [c["id"] for c in page["items"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen == sorted(Click.objects.values_list("pk", flat=True), reverse=True)
    refused = api.get("/clicks", since=today, until="2020-01-01")
    assert refused.status_code == 400 and refused.json()["field"] == "until"


def test_a_campaign_is_created_by_the_forms_rules(tokens, workspace):
    api = tokens["manager"]
    made = api.post(
        "/campaigns",
        {"name": "Opal week", "pledge_cents": 100, "cap_cents": 50_000, "starts": "2026-12-01"},
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["slug"] == "opal-week" and body["pledged_cents"] == 0
    assert body["cap_cents"] == 50_000 and body["starts"] == "2026-12-01"
    assert AuditEntry.objects.filter(action="campaign.create").count() == 1
    again = api.post("/campaigns", {"name": "Opal week"}).json()
    assert again["slug"] == "opal-week-2"
    low = api.post("/campaigns", {"name": "Ruby", "pledge_cents": 500, "cap_cents": 100})
    assert low.status_code == 400 and low.json()["field"] == "cap_cents"
    backwards = api.post(
        "/campaigns", {"name": "Ruby", "starts": "2026-12-02", "ends": "2026-12-01"}
    )
    assert backwards.status_code == 400 and backwards.json()["field"] == "ends"
    money = api.post("/campaigns", {"name": "Ruby", "currency": "XXX"})
    assert money.status_code == 400 and money.json()["field"] == "currency"
    assert Campaign.objects.filter(name="Ruby").count() == 0
    assert Link.objects.count() == 0
