"""The stream page: filters, search, escaping, paging, arrivals, corrections, isolation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.listening.models import Mention, Source, Topic
from harken.listening.pipeline import ingest
from tests.listening.helpers import item

pytestmark = pytest.mark.django_db

URL = reverse("listening")


@pytest.fixture
def source(workspace):
    return Source.objects.create(
        workspace=workspace, name="Search", kind=Source.Kind.SEARCH, network="mastodon"
    )


def _ids(response) -> list[str]:
    return [m.external_id for m in response.context["mentions"]]


def test_it_shows_mentions_newest_first_with_author_reach_and_link(alice_client, source):
    ingest(source, [item("1", minutes=0), item("2", minutes=5, author_followers=1234)])
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert _ids(response) == ["2", "1"]
    html = response.content.decode()
    assert "1,234 followers" in html
    assert 'href="https://example.social/@user/2" rel="noopener noreferrer nofollow"' in html


def test_mention_text_is_escaped(alice_client, source):
    ingest(source, [item("1", text='<script>alert("x")</script> <img src=x onerror=1>')])
    html = alice_client.get(URL).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_a_non_http_link_is_never_rendered(alice_client, source):
    ingest(source, [item("1")])
    Mention.objects.update(url="javascript:alert(1)")
    assert "javascript:" not in alice_client.get(URL).content.decode()


def test_filters_narrow_the_stream(alice_client, source, workspace):
    ingest(
        source,
        [
            item("1", text="The ring was perfect, thank you so much"),
            item("2", text="Still waiting for my order, terrible", network="bluesky"),
            item("3", text="Opening hours on Sunday please?", language="fr"),
        ],
    )
    Mention.objects.filter(external_id="2").update(sentiment="negative", intents=["complaint"])
    assert _ids(alice_client.get(URL, {"network": "bluesky"})) == ["2"]
    assert _ids(alice_client.get(URL, {"sentiment": "negative"})) == ["2"]
    assert _ids(alice_client.get(URL, {"intent": "complaint"})) == ["2"]
    assert _ids(alice_client.get(URL, {"language": "fr"})) == ["3"]
    assert _ids(alice_client.get(URL, {"q": "RING WAS"})) == ["1"]
    author = Mention.objects.get(external_id="3").author_id
    by_author = alice_client.get(URL, {"author": author})
    assert _ids(by_author) == ["3"]
    assert "Mentions by <strong>@user3@example.social</strong>" in by_author.content.decode()
    topic = Topic.objects.create(workspace=workspace, name="Rings", query="ring")
    topic.mentions.add(Mention.objects.get(external_id="1"))
    assert _ids(alice_client.get(URL, {"topic": topic.pk})) == ["1"]
    assert _ids(alice_client.get(URL, {"since": "2026-11-21"})) == []
    assert len(_ids(alice_client.get(URL, {"since": "2026-11-20", "until": "2026-11-20"}))) == 3


def test_load_more_pages_by_time(alice_client, source):
    ingest(source, [item(str(n), minutes=n) for n in range(30)])
    first = alice_client.get(URL)
    assert len(_ids(first)) == 25
    rest = alice_client.get(URL, {"before": first.context["more"]}, HTTP_HX_REQUEST="true")
    assert _ids(rest) == ["4", "3", "2", "1", "0"]


def test_the_poll_returns_only_new_arrivals(alice_client, source):
    ingest(source, [item("1")])
    newest = alice_client.get(URL).context["newest"]
    ingest(source, [item("2", minutes=-60)])
    response = alice_client.get(URL, {"newer": newest}, HTTP_HX_REQUEST="true")
    assert _ids(response) == ["2"]
    assert f"newer={response.context['newest']}" in response.content.decode()


def test_near_duplicates_show_their_count(alice_client, source):
    text = "Harbor Street Jewelers fixed my ring in one day, amazing service"
    ingest(source, [item("1", text=text), item("2", text=f"RT {text}", minutes=1)])
    response = alice_client.get(URL)
    assert _ids(response) == ["1"]
    assert "+1 re-share" in response.content.decode()
    assert _ids(alice_client.get(URL, {"reshares": "on"})) == ["2", "1"]


def test_the_stream_query_count_does_not_grow_with_mentions(
    alice_client, source, django_assert_num_queries
):
    ingest(source, [item(str(n), minutes=n) for n in range(25)])
    # session, user, membership, source networks, mentions (with their re-share counts),
    # their authors, their topics, newest id, the menu's memberships, the topic filter's
    # choices
    with django_assert_num_queries(10):
        alice_client.get(URL)


def test_another_workspaces_mentions_are_invisible(charlie_client, source):
    ingest(source, [item("1")])
    assert _ids(charlie_client.get(URL)) == []


def test_a_responder_corrects_sentiment_in_one_click(bob_client, source):
    ingest(source, [item("1")])
    mention = Mention.objects.get()
    url = reverse("mention_correct", args=[mention.pk])
    response = bob_client.post(url, {"field": "sentiment", "label": "negative"})
    assert response.status_code == 200
    mention.refresh_from_db()
    assert mention.sentiment == "negative"
    assert f'id="mention-{mention.pk}"' in response.content.decode()
    assert AuditEntry.objects.filter(action="mention.corrected").exists()
    bob_client.post(url, {"field": "intent", "label": "complaint"})
    mention.refresh_from_db()
    assert mention.intents == ["complaint"]


def test_a_viewer_cannot_correct(victor, source):
    from tests.conftest import client_for

    ingest(source, [item("1")])
    mention = Mention.objects.get()
    url = reverse("mention_correct", args=[mention.pk])
    assert (
        client_for(victor).post(url, {"field": "sentiment", "label": "negative"}).status_code == 403
    )


def test_an_unknown_label_changes_nothing(bob_client, source):
    ingest(source, [item("1")])
    mention = Mention.objects.get()
    url = reverse("mention_correct", args=[mention.pk])
    assert bob_client.post(url, {"field": "sentiment", "label": "furious"}).status_code == 400


def test_another_workspaces_mention_cannot_be_corrected(charlie_client, source):
    ingest(source, [item("1")])
    url = reverse("mention_correct", args=[Mention.objects.get().pk])
    assert charlie_client.post(url, {"field": "sentiment", "label": "negative"}).status_code == 404


def test_a_correction_teaches_the_analysis_app_when_it_is_there(bob_client, source):
    correction = pytest.importorskip("harken.analysis.models.correction")
    ingest(source, [item("1", text="Is the shop open on Sunday?")])
    mention = Mention.objects.get()
    bob_client.post(
        reverse("mention_correct", args=[mention.pk]), {"field": "intent", "label": "question"}
    )
    stored = correction.Correction.objects.get()
    assert (stored.field, stored.label, stored.text) == ("intent", "question", mention.text)


def test_a_long_mention_shows_its_start_and_the_rest_on_request(alice_client, source):
    long_text = "<b>ring</b> " + "resized beautifully " * 100
    ingest(source, [item("1", text=long_text)])
    html = alice_client.get("/listening/").content.decode()
    assert "Show all" in html and "<b>ring" not in html
    assert html.count("&lt;b&gt;ring&lt;/b&gt;") == 2  # the start, and the whole in <details>
