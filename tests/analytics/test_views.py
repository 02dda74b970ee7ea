"""The pages: any member may look, only at their own workspace; the period and filters
come from the URL and bad ones say so; every chart downloads as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from harken.analytics.rollups import roll_all
from tests.analytics.conftest import add_mention
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
HOSTILE = "=cmd|' /C calc'!A0 <img src=x onerror=alert(1)>"


@pytest.fixture
def heard(workspace, brand, rival):
    now = timezone.now()
    for n in range(6):
        add_mention(workspace, now - dt.timedelta(days=n), topics=(brand,), phrases=(HOSTILE,))
    add_mention(workspace, now - dt.timedelta(hours=3), topics=(rival,), phrases=(HOSTILE,))
    add_mention(workspace, now - dt.timedelta(days=40), topics=(brand,))
    roll_all(workspace)
    return workspace


def test_a_viewer_sees_the_dashboard_with_its_figures(victor, heard):
    page = client_for(victor).get("/analytics/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="stat-mentions"' in html and '<span class="value">7</span>' in html
    # Share of voice: 6 of 7 mentions name the brand.
    assert "86 <small>%</small>" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_each_area_page_renders(alice_client, heard):
    for area in ("listening", "relationship", "audience"):
        assert alice_client.get(f"/analytics/{area}/").status_code == 200
    assert alice_client.get("/analytics/nowhere/").status_code == 404


def test_another_workspace_sees_none_of_it(charlie, heard):
    html = client_for(charlie).get("/analytics/").content.decode()
    assert "&lt;img src=x" not in html
    assert "No figures yet" in html


def test_signed_out_people_are_sent_to_log_in(client, heard):
    assert client.get("/analytics/").status_code == 302


def test_bad_dates_fall_back_and_say_why(alice_client, heard):
    page = alice_client.get("/analytics/?start=2026-13-01&end=yesterday", follow=True)
    assert page.status_code == 200
    assert "Dates are read as YYYY-MM-DD" in page.content.decode()


def test_a_chart_downloads_as_csv_with_formulas_neutralised(alice_client, heard):
    response = alice_client.get("/analytics/csv/drivers/?range=28")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Phrase", "Mentions", "Before"]
    assert rows[1][0] == "'" + HOSTILE and rows[1][1] == "7"
    reach = alice_client.get("/analytics/csv/share-of-voice-reach/")
    assert reach.status_code == 200 and "Rival Rings" in reach.content.decode()
    assert alice_client.get("/analytics/csv/nothing/").status_code == 404


def test_a_topic_filter_narrows_the_figures(alice_client, heard, rival):
    html = alice_client.get(f"/analytics/?topic={rival.pk}").content.decode()
    assert '<span class="value">1</span>' in html


def test_the_relationship_page_counts_advocates_from_the_contacts(alice_client, workspace):
    from harken.contacts.models import Contact, Identity

    now = timezone.now()
    praise = [add_mention(workspace, now - dt.timedelta(days=n), handle="fan") for n in (1, 2)]
    contact = Contact.objects.create(workspace=workspace, name="Fan")
    Identity.objects.create(
        workspace=workspace,
        contact=contact,
        network="mastodon",
        handle="fan",
        author=praise[0].author,
    )
    roll_all(workspace)
    response = alice_client.get("/analytics/csv/people/")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1:] == [["Advocates", "1"], ["Detractors", "0"], ["Recovered", "0"]]
    html = alice_client.get("/analytics/relationship/").content.decode()
    assert 'id="panel-people"' in html


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def _sub(html, key):
    start = html.index(f'id="panel-{key}"')
    return html[html.index('<p class="sub">', start) : html.index("</p>", start)]


def test_a_chosen_filter_a_panel_cannot_honour_is_named_on_it(alice_client, heard, rival):
    from harken.networks.models import Account

    account = Account.objects.create(workspace=heard, network="mastodon", handle="@us")
    html = alice_client.get(f"/analytics/listening/?topic={rival.pk}").content.decode()
    # Share of voice compares the topics: the page says it shows every one of them.
    assert "every topic" in _sub(html, "share-of-voice")
    assert "every topic" not in _sub(html, "mentions")
    assert "every topic" not in _sub(html, "drivers") + _sub(html, "influence")
    html = alice_client.get(f"/analytics/?account={account.pk}").content.decode()
    # Mentions follow an account (those its sources found), as the posts do.
    assert "every account" not in _sub(html, "mentions") + _sub(html, "engagement")
    start = html.index('id="stat-mentions"')
    assert "every account" not in html[start : html.index("</div>", start)]
    # Talk-to-listen weighs every account's posts against every mention, and says so.
    html = alice_client.get(f"/analytics/relationship/?account={account.pk}").content.decode()
    assert "every account" in _sub(html, "talk-to-listen")


def test_networks_and_languages_are_compared_with_the_period_before(alice_client, heard):
    # Seven mentions in the last 28 days, one in the 28 before.
    assert _csv(alice_client, "/analytics/csv/languages/?range=28")[1:] == [["English", "7", "1"]]
    assert _csv(alice_client, "/analytics/csv/networks/?range=28")[1:] == [["Mastodon", "7", "1"]]
    html = alice_client.get("/analytics/listening/?range=28").content.decode()
    assert "100 % positive (before: 100 % positive)" in _sub(html, "sentiment")


def test_a_network_nobody_was_answered_on_draws_no_response_bar(alice_client, workspace):
    from harken.analytics.rollups import roll_all
    from harken.inbox.models import Conversation

    began = timezone.now() - dt.timedelta(days=2)
    for network, answered in (("mastodon", dt.timedelta(minutes=30)), ("bluesky", None)):
        Conversation.objects.create(
            workspace=workspace,
            network=network,
            root_external_id=f"r-{network}",
            first_message_at=began,
            first_response_at=began + answered if answered else None,
        )
    roll_all(workspace)
    # Bluesky's conversation is in the tables (unanswered), but a bar at 0 would say
    # "answered at once". The median is the histogram's, within its precision.
    ((network, minutes),) = _csv(alice_client, "/analytics/csv/responses/?range=7")[1:]
    assert network == "Mastodon" and abs(float(minutes) - 30) < 1


def test_clicks_follow_the_account_filter_and_the_period_before(alice_client, workspace):
    from harken.networks.models import Account
    from harken.publishing.models import Click, Link, Post, Variant
    from harken.publishing.states import State

    ours, other = (
        Account.objects.create(workspace=workspace, network="mastodon", handle=h)
        for h in ("@us", "@them")
    )
    now = timezone.now()
    for account, ago in ((ours, 1), (ours, 2), (other, 1), (ours, 10)):
        post = Post.objects.create(workspace=workspace)
        variant = Variant.objects.create(
            workspace=workspace, post=post, account=account, text="x", state=State.PUBLISHED
        )
        link = Link.objects.create(
            workspace=workspace, destination="https://shop.example/", variant=variant
        )
        at = now - dt.timedelta(days=ago)
        Click.objects.create(workspace=workspace, link=link, at=at, day=at.date(), ip_hash="a")
    rows = _csv(alice_client, f"/analytics/csv/clicks/?range=7&account={ours.pk}")
    assert rows[0][1:] == ["Clicks", "Previous period"]
    assert sum(float(r[1]) for r in rows[1:]) == 2  # the other account's click is not ours
    assert sum(float(r[2]) for r in rows[1:]) == 1  # ten days ago: the week before


def test_talk_to_listen_counts_the_conversations_we_answered(alice_client, workspace):
    """An answer made in the network's own app is an answer: it counts as the response
    times count it, not only the replies sent from Harken."""
    from harken.analytics.rollups import roll_all
    from harken.inbox.models import Conversation

    began = timezone.now() - dt.timedelta(days=2)
    for n, answered in enumerate((True, True, False)):
        Conversation.objects.create(
            workspace=workspace,
            network="mastodon",
            root_external_id=f"r{n}",
            first_message_at=began,
            first_response_at=began + dt.timedelta(minutes=9) if answered else None,
        )
    roll_all(workspace)
    rows = _csv(alice_client, "/analytics/csv/talk-to-listen/?range=7")
    assert ["Answered", "2", "0"] in rows  # none the week before
