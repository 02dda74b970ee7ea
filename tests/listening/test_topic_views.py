"""Topic pages: who may see and change topics, isolation between workspaces, the audit
log, the query checked as it is typed, and the preview of matches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.listening.models import Author, Mention, Topic
from harken.listening.query import QueryError
from harken.listening.topics import do_create_topic
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def topic(workspace, alice):
    return do_create_topic(workspace, alice, name="Our brand", kind="brand", query="harbor")


@pytest.fixture
def outsiders_topic(other_workspace, charlie):
    return do_create_topic(other_workspace, charlie, name="Rivals", kind="brand", query="rival")


@pytest.fixture
def victor_client(victor):
    return client_for(victor)


def mention(workspace, number: int, text: str, handle: str = "someone") -> Mention:
    author, _ = Author.objects.get_or_create(
        workspace=workspace, network="mastodon", external_id=handle, defaults={"handle": handle}
    )
    return Mention.objects.create(
        workspace=workspace,
        network="mastodon",
        external_id=str(number),
        author=author,
        text=text,
        posted=START + timedelta(minutes=number),
    )


def post_form(client, url, **data):
    values = {"name": "Competitors", "kind": "competitor", "query": "globex", "enabled": "on"}
    values.update(data)
    return client.post(url, values)


# --- The list ----------------------------------------------------------------------------


def test_every_member_sees_the_topics_by_kind(victor_client, topic, workspace, alice):
    do_create_topic(workspace, alice, name="Rings talk", kind="industry", query='"gold rings"')
    page = victor_client.get(reverse("topic_list")).content.decode()
    assert "Our brand" in page and "Rings talk" in page
    assert page.index("Brand") < page.index("Our brand") < page.index("Industry")
    assert reverse("topic_create") not in page  # a viewer gets no edit controls


def test_the_list_flags_a_stored_query_that_does_not_parse(alice_client, workspace):
    Topic.objects.create(workspace=workspace, name="Old", query="acme (rings")
    page = alice_client.get(reverse("topic_list")).content.decode()
    assert "Not matching: Expected a closing ) for the ( at position 6" in page


def test_a_responder_sees_the_list_too(bob_client, topic):
    assert "Our brand" in bob_client.get(reverse("topic_list")).content.decode()


def test_the_list_does_not_show_another_workspaces_topics(alice_client, topic, outsiders_topic):
    page = alice_client.get(reverse("topic_list")).content.decode()
    assert "Our brand" in page and "Rivals" not in page


def test_the_list_costs_the_same_queries_with_many_topics(
    alice_client, workspace, alice, django_assert_num_queries
):
    for n in range(12):
        topic = do_create_topic(workspace, alice, name=f"T{n}", kind="brand", query=f"w{n}")
        topic.mentions.add(mention(workspace, n, f"w{n}"))
    # session, user, member (middleware), memberships (context processor), topics
    with django_assert_num_queries(5):
        response = alice_client.get(reverse("topic_list"))
    assert response.status_code == 200
    assert response.context["groups"][0][2][0].mention_count == 1


# --- Create, edit, delete ----------------------------------------------------------------


def test_a_manager_creates_a_topic_and_it_is_audited(alice_client, alice, workspace):
    response = post_form(alice_client, reverse("topic_create"), query='globex OR "globe x"')
    assert response.status_code == 302
    topic = Topic.objects.get(workspace=workspace, name="Competitors")
    assert topic.query == 'globex OR "globe x"'
    entry = AuditEntry.objects.get(action="topic.create")
    assert (entry.actor, entry.workspace, entry.target) == (alice, workspace, "Competitors")
    assert entry.changes["query"] == 'globex OR "globe x"'


@pytest.mark.parametrize("who", ["bob_client", "victor_client"])
def test_a_responder_or_viewer_cannot_create_edit_or_delete(request, who, topic):
    client = request.getfixturevalue(who)
    assert post_form(client, reverse("topic_create")).status_code == 403
    assert post_form(client, reverse("topic_edit", args=[topic.pk])).status_code == 403
    assert client.post(reverse("topic_delete", args=[topic.pk])).status_code == 403
    assert client.post(reverse("topic_validate"), {"query": "a"}).status_code == 403
    assert client.post(reverse("topic_preview"), {"query": "a"}).status_code == 403
    assert Topic.objects.get(pk=topic.pk).query == "harbor"
    assert not Topic.objects.filter(name="Competitors").exists()


def test_a_malformed_query_is_never_saved_and_the_form_says_where(alice_client):
    url = reverse("topic_create")
    response = post_form(alice_client, url, query="globex (rings")
    assert response.status_code == 302 and response["Location"] == url
    page = alice_client.get(url).content.decode()
    assert "Expected a closing ) for the ( at position 8" in page
    assert "<mark" in page
    assert not Topic.objects.exists()
    assert not AuditEntry.objects.filter(action="topic.create").exists()


def test_a_refused_topic_form_comes_back_by_get_with_a_summary_and_what_was_typed(alice_client):
    url = reverse("topic_create")
    response = post_form(alice_client, url, name="<b>Rivals</b>", kind="", query="globex (rings")
    # Post/redirect/get: the refused form is this page's GET, so a reload posts nothing.
    assert response.status_code == 302 and response["Location"] == url
    page = alice_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    summary = html[html.index('class="form-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert 'href="#id_kind"' in summary and 'href="#id_query"' in summary
    assert "Expected a closing )" in summary
    assert html.index('class="form-errors"') < html.index('name="name"')
    # What was typed is back, escaped; the caret marks where the query fails.
    assert 'value="&lt;b&gt;Rivals&lt;/b&gt;"' in html and "<b>Rivals" not in html
    assert ">globex (rings</textarea>" in html
    assert "<mark" in html
    # A reload is a plain GET: the empty form, and still nothing saved.
    again = alice_client.get(url).content.decode()
    assert "form-errors" not in again and "Rivals" not in again
    assert not Topic.objects.exists()


def test_a_refused_edit_comes_back_to_the_edit_page(alice_client, topic):
    url = reverse("topic_edit", args=[topic.pk])
    response = post_form(alice_client, url, name="Renamed", query="a OR")
    assert response.status_code == 302 and response["Location"] == url
    html = alice_client.get(url).content.decode()
    assert 'value="Renamed"' in html and 'href="#id_query"' in html
    assert "a OR</textarea>" in html
    again = alice_client.get(url).content.decode()
    assert "form-errors" not in again and 'value="Our brand"' in again
    topic.refresh_from_db()
    assert (topic.name, topic.query) == ("Our brand", "harbor")


def test_editing_a_topic_audits_old_and_new_values(alice_client, topic):
    response = post_form(
        alice_client,
        reverse("topic_edit", args=[topic.pk]),
        name="Our brand",
        kind="brand",
        query="harbor OR #harbor",
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.query == "harbor OR #harbor" and topic.kind == "brand"
    entry = AuditEntry.objects.get(action="topic.update")
    assert entry.changes == {"query": ["harbor", "harbor OR #harbor"]}


def test_an_edit_with_a_malformed_query_keeps_the_stored_one(alice_client, topic):
    response = post_form(alice_client, reverse("topic_edit", args=[topic.pk]), query="a OR")
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.query == "harbor"


def test_deleting_a_topic_with_htmx_removes_its_row_and_audits(alice_client, topic):
    response = alice_client.post(reverse("topic_delete", args=[topic.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert not Topic.objects.filter(pk=topic.pk).exists()
    entry = AuditEntry.objects.get(action="topic.delete")
    assert entry.target == "Our brand" and entry.changes["query"] == "harbor"


def test_delete_asks_first_and_a_get_changes_nothing(alice_client, topic):
    response = alice_client.get(reverse("topic_delete", args=[topic.pk]))
    assert response.status_code == 200
    assert "Delete the topic “Our brand”?" in response.content.decode()
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_another_workspaces_topic_cannot_be_opened_or_edited(charlie_client, topic):
    url = reverse("topic_edit", args=[topic.pk])
    assert charlie_client.get(url).status_code == 404
    assert post_form(charlie_client, url, name="Taken").status_code == 404
    topic.refresh_from_db()
    assert topic.name == "Our brand"


def test_a_topic_is_created_in_the_creators_own_workspace(charlie_client, other_workspace):
    post_form(charlie_client, reverse("topic_create"), name="Watch Harbor", query="harbor")
    assert Topic.objects.get(name="Watch Harbor").workspace == other_workspace


def test_another_workspaces_topic_cannot_be_deleted(charlie_client, topic):
    assert charlie_client.get(reverse("topic_delete", args=[topic.pk])).status_code == 404
    response = charlie_client.post(reverse("topic_delete", args=[topic.pk]))
    assert response.status_code == 404
    assert Topic.objects.filter(pk=topic.pk).exists()


# --- Checked as typed, and previewed -----------------------------------------------------


def test_the_query_is_checked_as_it_is_typed(alice_client):
    ok = alice_client.post(reverse("topic_validate"), {"query": "acme b OR c"})
    assert "Understood as" in ok.content.decode()
    assert "(acme b) OR c" in ok.content.decode()
    bad = alice_client.post(reverse("topic_validate"), {"query": 'acme "<b>x'})
    page = bad.content.decode()
    assert "Unclosed quote at position 6" in page
    assert "<b>x" not in page and "&lt;b&gt;x" in page  # the query is escaped


def test_the_form_posts_the_query_to_the_checker_as_it_is_typed(alice_client):
    page = alice_client.get(reverse("topic_create")).content.decode()
    assert f'hx-post="{reverse("topic_validate")}"' in page
    # "input", not "keyup": a query pasted with the mouse or dropped in is checked too.
    assert 'hx-trigger="input changed delay:300ms"' in page


def test_the_preview_counts_matches_among_recent_mentions_and_escapes_them(
    alice_client, workspace, other_workspace
):
    mention(workspace, 1, "Harbor rings <script>alert(1)</script>")
    mention(workspace, 2, "Nothing to see")
    mention(workspace, 3, "harbor again", handle="fan")
    mention(other_workspace, 4, "harbor in the other workspace")
    response = alice_client.post(reverse("topic_preview"), {"query": "harbor"})
    page = response.content.decode()
    assert response.context["preview"].count == 2
    assert response.context["preview"].pool == 3
    assert [m.external_id for m in response.context["preview"].shown] == ["3", "1"]
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "other workspace" not in page


def test_the_preview_of_a_malformed_query_shows_the_error(alice_client):
    response = alice_client.post(reverse("topic_preview"), {"query": "-harbor"})
    assert "cannot be only exclusions" in response.content.decode()


def test_the_edit_page_shows_the_stored_query(alice_client, topic):
    page = alice_client.get(reverse("topic_edit", args=[topic.pk])).content.decode()
    assert ">harbor</textarea>" in page


def test_do_create_topic_refuses_a_malformed_query_from_any_caller(workspace, alice):
    with pytest.raises(QueryError) as caught:
        do_create_topic(workspace, alice, name="Bad", kind="brand", query="a OR")
    assert caught.value.position == 3
    assert not Topic.objects.exists()
