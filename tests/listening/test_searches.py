"""Listening › Sources: adding a search source, through a connected account (Mastodon,
Bluesky) or app-only on the installation's keys (Reddit, X)."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.listening.models import Source
from harken.listening.polling import connector_for_source
from harken.listening.searches import search_name
from harken.networks.models import Account
from tests.networks.test_bluesky import HANDLE, XrpcServer

pytestmark = pytest.mark.usefixtures("loopback")


@pytest.fixture
def no_app_keys(monkeypatch):
    for name in ("HARKEN_X_BEARER_TOKEN", "HARKEN_REDDIT_CLIENT_ID", "HARKEN_REDDIT_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)


@pytest.fixture
def bluesky_account(workspace):
    return Account.objects.create(workspace=workspace, network="bluesky", handle=HANDLE)


def add(client, **fields):
    data = {"network": "bluesky", "query": "engagement ring", "interval": "900", **fields}
    return client.post(reverse("source_search_add"), data)


def refused(client, response, shown=True):
    """A refused add is redirected to its own address (a reload does not post again),
    which shows the Sources page with the form as it was sent: that page's text.
    Where no network can be searched the form is not shown (``shown=False``), only why."""
    assert response.status_code == 302
    assert response["Location"] == reverse("source_search_add")
    html = client.get(response["Location"]).content.decode()
    assert ('class="form-errors"' in html) is shown
    assert ('id="no-search"' in html) is not shown
    return html


def test_a_bluesky_search_runs_through_the_workspaces_account_and_is_audited(
    alice_client, workspace, bluesky_account
):
    response = add(alice_client, account=bluesky_account.pk, query="  engagement   ring ")
    assert response.status_code == 302 and response["Location"] == reverse("source_list")
    source = Source.objects.get(workspace=workspace)
    assert (source.kind, source.network, source.account, source.query) == (
        "search",
        "bluesky",
        bluesky_account,
        "engagement ring",
    )
    assert source.poll_interval == 900
    entry = AuditEntry.objects.get(workspace=workspace, action="source.add_search")
    assert entry.changes["query"] == "engagement ring"


def test_the_poller_sends_the_query_to_blueskys_search(alice_client, workspace, bluesky_account):
    pds = XrpcServer()
    threading.Thread(target=pds.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        bluesky_account.config = {"handle": HANDLE, "app_password": "a-b-c-d", "service": pds.url}
        bluesky_account.save()
        add(alice_client, account=bluesky_account.pk, query="ring")
        page = connector_for_source(Source.objects.get(workspace=workspace)).fetch(None)
    finally:
        pds.shutdown()
        pds.server_close()
    assert pds.calls("app.bsky.feed.searchPosts")[0]["q"] == ["ring"]
    assert page.items


def test_another_workspaces_account_is_refused(
    alice_client, other_workspace, bluesky_account, no_app_keys
):
    theirs = Account.objects.create(workspace=other_workspace, network="bluesky", handle="rival")
    response = add(alice_client, account=theirs.pk)
    assert "rival" not in refused(alice_client, response)
    assert not Source.objects.exists()


def test_an_account_of_another_network_is_refused(alice_client, workspace, bluesky_account):
    toot = Account.objects.create(workspace=workspace, network="mastodon", handle="@shop@m.social")
    response = add(alice_client, account=toot.pk)
    assert "connected Bluesky accounts" in refused(alice_client, response)
    assert not Source.objects.exists()


def test_a_network_without_a_connected_account_is_not_offered(
    alice_client, bluesky_account, no_app_keys
):
    html = alice_client.get(reverse("source_list")).content.decode()
    assert '<option value="bluesky"' in html and '<option value="mastodon"' not in html
    response = add(alice_client, network="mastodon", account=bluesky_account.pk)
    assert 'href="#id_network"' in refused(alice_client, response)
    assert not Source.objects.exists()


def test_the_form_is_hidden_when_nothing_can_be_searched(alice_client, no_app_keys):
    html = alice_client.get(reverse("source_list")).content.decode()
    assert 'id="add-search"' not in html and 'id="no-search"' in html


def test_a_viewer_sees_the_sources_without_the_add_forms(client, victor, bluesky_account):
    client.force_login(victor)
    html = client.get(reverse("source_list")).content.decode()
    assert 'id="add-search"' not in html and 'id="add-feed"' not in html


def test_x_is_offered_app_only_with_its_key_and_warns_of_the_cost(
    alice_client, workspace, monkeypatch, no_app_keys
):
    refused(alice_client, add(alice_client, network="x"), shown=False)
    monkeypatch.setenv("HARKEN_X_BEARER_TOKEN", "app-token")
    html = alice_client.get(reverse("source_list")).content.decode()
    assert '<option value="x"' in html and 'id="x-search-cost"' in html
    assert add(alice_client, network="x", query="#harbor").status_code == 302
    source = Source.objects.get(workspace=workspace)
    assert (source.network, source.account, source.query) == ("x", None, "#harbor")


def test_reddit_is_offered_only_with_both_keys(alice_client, workspace, monkeypatch, no_app_keys):
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_ID", "id")
    refused(alice_client, add(alice_client, network="reddit"), shown=False)
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_SECRET", "secret")
    assert add(alice_client, network="reddit").status_code == 302
    assert Source.objects.get(workspace=workspace).account is None


@pytest.mark.parametrize(
    ("query", "reason"),
    [("   ", "This field is required"), ("ring " * 110, "at most 512 characters")],
)
def test_a_blank_or_overlong_query_is_refused(alice_client, bluesky_account, query, reason):
    response = add(alice_client, account=bluesky_account.pk, query=query)
    assert reason in refused(alice_client, response)
    assert not Source.objects.exists()


def test_the_same_search_is_not_added_twice(alice_client, workspace, bluesky_account):
    add(alice_client, account=bluesky_account.pk)
    response = add(alice_client, account=bluesky_account.pk)
    assert "already runs that search" in refused(alice_client, response)
    assert Source.objects.filter(workspace=workspace).count() == 1


def test_the_page_lists_the_workspaces_searches_escaped(alice_client, workspace, bluesky_account):
    Source.objects.create(
        workspace=workspace,
        name=search_name("bluesky", "<script>x</script>"),
        kind="search",
        network="bluesky",
        account=bluesky_account,
        query="<script>x</script>",
    )
    html = alice_client.get(reverse("source_list")).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html


def test_a_responder_may_not_add_searches(bob_client, bluesky_account):
    response = add(bob_client, account=bluesky_account.pk)
    assert response.status_code == 403 and not Source.objects.exists()
