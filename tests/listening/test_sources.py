"""The sources page: health per source, enable/disable and poll now for managers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.core.models import Member, Role
from harken.listening.models import Mention, Source
from harken.listening.pipeline import ingest
from tests.listening.helpers import item

pytestmark = pytest.mark.django_db

URL = reverse("source_list")


@pytest.fixture
def source(workspace):
    return Source.objects.create(
        workspace=workspace,
        name="Local news",
        kind=Source.Kind.FEED,
        network="feed",
        url="https://news.example/feed",
        last_error="The feed at https://news.example/feed is gone (HTTP 410); check its address.",
        last_error_at=timezone.now(),
        failures=2,
    )


def test_it_shows_each_sources_health_in_the_networks_words(alice_client, source):
    ingest(source, [item("1"), item("2")])
    Mention.objects.filter(external_id="1").update(ingested=timezone.now() - timedelta(days=2))
    response = alice_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is gone (HTTP 410); check its address." in html
    assert "2 failures in a row" in html
    assert [s.items_24h for s in response.context["sources"]] == [1]


def test_another_workspaces_sources_are_invisible(charlie_client, source):
    assert list(charlie_client.get(URL).context["sources"]) == []


def test_a_manager_disables_and_enables_a_source(alice_client, source):
    url = reverse("source_toggle", args=[source.pk])
    assert alice_client.post(url).status_code == 200
    source.refresh_from_db()
    assert not source.enabled
    alice_client.post(url)
    source.refresh_from_db()
    assert source.enabled and source.failures == 0 and source.next_poll is None


def test_a_responder_cannot_disable_a_source(bob_client, source):
    assert bob_client.post(reverse("source_toggle", args=[source.pk])).status_code == 403


def test_poll_now_reads_the_source_and_shows_the_outcome(alice_client, workspace, settings):
    settings.HTTP_ALLOW_LOOPBACK = False  # the guard refuses it: a clear error, no crash
    source = Source.objects.create(
        workspace=workspace, name="Intranet", kind="feed", network="feed", url="http://127.0.0.1:9/"
    )
    response = alice_client.post(reverse("source_poll", args=[source.pk]))
    assert response.status_code == 200
    source.refresh_from_db()
    assert source.failures == 1
    assert source.last_error in response.content.decode()


def test_another_workspaces_source_cannot_be_polled(charlie_client, source):
    assert charlie_client.post(reverse("source_poll", args=[source.pk])).status_code == 404


def test_a_manager_role_is_enough(client, workspace, source, django_user_model):
    user = django_user_model.objects.create_user("mona", "mona@example.com", "pw")
    Member.objects.create(workspace=workspace, user=user, role=Role.MANAGER)
    client.force_login(user)
    assert client.post(reverse("source_toggle", args=[source.pk])).status_code == 200


# --- editing and deleting feeds and searches ---------------------------------------------

from harken.core.models import AuditEntry, Authority  # noqa: E402
from harken.networks.models import Account  # noqa: E402
from tests.conftest import client_for  # noqa: E402

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def search(workspace):
    return Source.objects.create(
        workspace=workspace,
        name="X search: harbor street",
        kind=Source.Kind.SEARCH,
        network="x",
        query="harbor street",
        cursor='{"since": "1859000000000000000"}',
        poll_interval=900,
        failures=3,
        last_error="X answered HTTP 503.",
        last_error_at=timezone.now(),
        next_poll=timezone.now() + timedelta(hours=2),
    )


def edit(client, source, **data):
    return client.post(reverse("source_edit", args=[source.pk]), data, **data.pop("extra", {}))


def refused_page(client, response, source):
    """A refused plain post is sent back to the edit page's GET (a reload posts nothing),
    which shows the form as it was sent with its errors: that page's text."""
    url = reverse("source_edit", args=[source.pk])
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and 'class="form-errors"' in page.content.decode()
    return page.content.decode()


def test_the_edit_page_says_a_new_query_keeps_the_history(alice_client, search):
    page = alice_client.get(reverse("source_edit", args=[search.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="harbor street"' in html
    assert "history is kept" in html


def test_an_owner_changes_a_searchs_query_and_it_starts_afresh(alice_client, alice, search):
    response = edit(alice_client, search, query="  harbor   street rings ", interval="3600")
    assert response.status_code == 302
    search.refresh_from_db()
    assert search.query == "harbor street rings"
    assert search.name == "X search: harbor street rings"
    assert search.poll_interval == 3600
    # A new query must not inherit the old one's "newer than" point, nor its backoff.
    assert (search.cursor, search.failures, search.last_error, search.next_poll) == (
        "",
        0,
        "",
        None,
    )
    entry = AuditEntry.objects.get(action="source.edit")
    assert entry.actor == alice
    assert entry.changes["query"] == ["harbor street", "harbor street rings"]
    assert entry.changes["cursor"] == ["reset", "blank"]


def test_a_new_interval_alone_keeps_the_cursor_and_pulls_the_next_poll_in(alice_client, source):
    Source.objects.filter(pk=source.pk).update(
        failures=0, next_poll=timezone.now() + timedelta(hours=5), cursor='{"etag": "v1"}'
    )
    edit(alice_client, source, name="Local news", interval="900")
    source.refresh_from_db()
    assert source.poll_interval == 900 and source.cursor == '{"etag": "v1"}'
    assert source.next_poll <= timezone.now() + timedelta(seconds=900)


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("   ", "Enter what to search for"),
        ("rings " * 100, "at most 512 characters; this one has 599"),
        ("-jobs is:retweet", "cannot stand alone"),
    ],
)
def test_an_edited_query_is_checked_as_a_new_search_is(alice_client, search, query, said):
    before = Source.objects.values().get(pk=search.pk)
    response = edit(alice_client, search, query=query, interval="900")
    assert said in refused_page(alice_client, response, search)
    assert Source.objects.values().get(pk=search.pk) == before
    assert not AuditEntry.objects.filter(action="source.edit").exists()


def test_an_edited_query_may_not_repeat_another_search(alice_client, workspace, search):
    Source.objects.create(
        workspace=workspace, name="X search: rings", kind="search", network="x", query="rings"
    )
    response = edit(alice_client, search, query="rings", interval="900")
    html = refused_page(alice_client, response, search)
    assert "already runs that search as “X search: rings”" in html
    search.refresh_from_db()
    assert search.query == "harbor street"


def test_a_feed_gets_a_new_name_and_keeps_its_address(alice_client, source):
    edit(
        alice_client, source, name="Harbor <b>news</b>", url="https://evil.example/", interval="300"
    )
    source.refresh_from_db()
    assert source.name == "Harbor <b>news</b>"
    assert source.url == "https://news.example/feed"
    html = alice_client.get(URL).content.decode()
    assert "Harbor &lt;b&gt;news&lt;/b&gt;" in html


def test_an_interval_it_already_had_outside_the_offered_ones_is_kept(alice_client, source):
    Source.objects.filter(pk=source.pk).update(poll_interval=600)
    assert edit(alice_client, source, name="Local news", interval="600").status_code == 302
    refused_page(
        alice_client, edit(alice_client, source, name="Local news", interval="601"), source
    )
    source.refresh_from_db()
    assert source.poll_interval == 600


def test_under_htmx_errors_swap_in_place_and_success_goes_back_to_the_list(alice_client, search):
    url = reverse("source_edit", args=[search.pk])
    bad = alice_client.post(url, {"query": "", "interval": "900"}, **HX)
    assert bad.status_code == 200  # htmx swaps only a 2xx answer in
    assert "Enter what to search for." in bad.content.decode()
    assert bad.content.decode().lstrip().startswith('<form method="post" id="source-form"')
    good = alice_client.post(url, {"query": "harbor rings", "interval": "900"}, **HX)
    assert good.status_code == 200 and good["HX-Redirect"] == URL


def test_a_refused_edit_keeps_what_was_typed_and_links_to_the_field(alice_client, search):
    url = reverse("source_edit", args=[search.pk])
    response = alice_client.post(url, {"query": "<i>rings</i> " * 50, "interval": "3600"})
    html = refused_page(alice_client, response, search)
    summary = html[html.index('class="form-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert 'href="#id_query"' in summary and "at most 512 characters" in summary
    assert 'id="id_query"' in html and 'aria-invalid="true"' in html
    assert "&lt;i&gt;rings&lt;/i&gt; &lt;i&gt;rings" in html and "<i>rings" not in html
    assert '<option value="3600" selected>' in html
    # A reload is a plain GET: the stored query, no errors.
    again = alice_client.get(url).content.decode()
    assert "form-errors" not in again and 'value="harbor street"' in again
    search.refresh_from_db()
    assert search.query == "harbor street"


def test_under_htmx_a_refusal_is_answered_in_place_with_the_summary(alice_client, search):
    url = reverse("source_edit", args=[search.pk])
    bad = alice_client.post(url, {"query": "", "interval": "900"}, **HX)
    html = bad.content.decode()
    assert 'class="form-errors"' in html and 'href="#id_query"' in html
    # Nothing was kept for a later GET: the swap happened in place.
    assert "form-errors" not in alice_client.get(url).content.decode()


def test_delete_asks_first_then_keeps_the_mentions(alice_client, alice, source):
    ingest(source, [item("1"), item("2")])
    url = reverse("source_delete", args=[source.pk])
    question = alice_client.get(url)
    assert question.status_code == 200
    assert "The 2 mentions it found stay in the stream" in question.content.decode()
    assert Source.objects.filter(pk=source.pk).exists()
    done = alice_client.post(url, follow=True)
    assert "Deleted “Local news”; the 2 mentions it found stay." in done.content.decode()
    assert not Source.objects.filter(pk=source.pk).exists()
    assert list(Mention.objects.values_list("external_id", "source")) == [("2", None), ("1", None)]
    entry = AuditEntry.objects.get(action="source.delete")
    assert entry.actor == alice and entry.changes["mentions_kept"] == 2


def test_under_htmx_delete_turns_the_row_into_the_question_then_removes_it(alice_client, search):
    url = reverse("source_delete", args=[search.pk])
    row = alice_client.get(url, **HX).content.decode()
    assert row.startswith(f'<tr id="source-{search.pk}" class="confirm">')
    assert f'hx-post="{url}"' in row
    gone = alice_client.post(url, **HX)
    assert gone.status_code == 200 and gone.content == b""
    assert not Source.objects.filter(pk=search.pk).exists()


def test_an_accounts_own_source_is_removed_by_disconnecting_the_account(alice_client, workspace):
    account = Account.objects.create(
        workspace=workspace, network="mastodon", handle="@hs@m.example"
    )
    source = Source.objects.create(
        workspace=workspace, name="Mentions", kind="account", network="mastodon", account=account
    )
    html = alice_client.get(URL).content.decode()
    assert "to remove it, disconnect the account" in html
    assert reverse("source_delete", args=[source.pk]) not in html
    response = alice_client.post(reverse("source_delete", args=[source.pk]), follow=True)
    assert "disconnect the account instead" in response.content.decode()
    assert Source.objects.filter(pk=source.pk).exists()


def test_the_live_stream_is_switched_off_not_deleted(alice_client, workspace):
    stream = Source.objects.create(
        workspace=workspace, name="Bluesky", kind="stream", network="bluesky"
    )
    alice_client.post(reverse("source_delete", args=[stream.pk]))
    assert Source.objects.filter(pk=stream.pk).exists()


def test_the_list_offers_edit_and_delete_to_those_who_may_add_sources(
    alice_client, bob_client, source
):
    edit_url = reverse("source_edit", args=[source.pk])
    assert edit_url in alice_client.get(URL).content.decode()
    assert edit_url not in bob_client.get(URL).content.decode()


@pytest.mark.parametrize("route", ["source_edit", "source_delete"])
def test_responders_and_viewers_may_not_edit_or_delete(bob_client, victor, source, route):
    url = reverse(route, args=[source.pk])
    for client in (bob_client, client_for(victor)):
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "Mine", "interval": "300"}).status_code == 403
    source.refresh_from_db()
    assert source.name == "Local news"


def test_a_responder_given_the_authority_to_add_sources_may_edit_them(
    bob_client, workspace, source
):
    Authority.objects.create(
        workspace=workspace, role=Role.RESPONDER, key="may_connect_accounts", value=True
    )
    assert edit(bob_client, source, name="Renamed", interval="300").status_code == 302
    source.refresh_from_db()
    assert source.name == "Renamed"


@pytest.mark.parametrize("route", ["source_edit", "source_delete"])
def test_another_workspaces_source_cannot_be_edited_or_deleted(charlie_client, source, route):
    url = reverse(route, args=[source.pk])
    assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(url, {"name": "Mine", "interval": "300"}).status_code == 404
    source.refresh_from_db()
    assert source.name == "Local news"
