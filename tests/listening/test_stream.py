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


def test_load_more_neither_repeats_nor_skips_mentions_of_the_same_minute(alice_client, source):
    ingest(source, [item(str(n), minutes=n // 10) for n in range(60)])  # ten a minute
    seen = _ids(alice_client.get(URL))
    while len(seen) < 60:
        last = Mention.objects.get(external_id=seen[-1]).pk
        page = _ids(alice_client.get(URL, {"before": last}, HTTP_HX_REQUEST="true"))
        assert page, f"stopped after {len(seen)}"
        seen += page
    assert sorted(seen, key=int) == [str(n) for n in range(60)]


def test_the_poll_returns_only_new_arrivals(alice_client, source):
    ingest(source, [item("1")])
    newest = alice_client.get(URL).context["newest"]
    ingest(source, [item("2", minutes=-60)])
    response = alice_client.get(URL, {"newer": newest}, HTTP_HX_REQUEST="true")
    assert _ids(response) == ["2"]
    assert f"newer={response.context['newest']}" in response.content.decode()


def test_a_poll_with_nothing_new_reads_no_mention(alice_client, source, django_assert_num_queries):
    ingest(source, [item(str(n), minutes=n) for n in range(30)])
    newest = alice_client.get(URL).context["newest"]
    # session, user, membership, the ids stored since: none
    with django_assert_num_queries(4) as captured:
        response = alice_client.get(URL, {"newer": newest}, HTTP_HX_REQUEST="true")
    assert _ids(response) == []
    # Not the stream's query (by posting time), which walked the workspace's whole index.
    assert not any('"listening_mention"."posted"' in q["sql"] for q in captured.captured_queries)
    assert f"newer={newest}" in response.content.decode()


def test_another_workspaces_arrivals_move_the_poll_on(
    alice_client, source, other_workspace, django_assert_num_queries
):
    ingest(source, [item("1")])
    newest = alice_client.get(URL).context["newest"]
    theirs = Source.objects.create(
        workspace=other_workspace, name="Theirs", kind=Source.Kind.SEARCH, network="mastodon"
    )
    ingest(theirs, [item("t1"), item("t2")])
    with django_assert_num_queries(4):  # theirs are not read
        response = alice_client.get(URL, {"newer": newest}, HTTP_HX_REQUEST="true")
    assert _ids(response) == []
    assert response.context["newest"] == Mention.objects.latest("pk").pk


def test_many_arrivals_are_looked_at_a_batch_per_poll(alice_client, source, monkeypatch):
    from harken.listening.views import stream

    monkeypatch.setattr(stream, "ARRIVALS_SCAN", 2)
    ingest(source, [item("1")])
    newest = alice_client.get(URL).context["newest"]
    ingest(source, [item(str(n), minutes=n) for n in range(2, 7)])
    seen = []
    for _ in range(3):
        response = alice_client.get(URL, {"newer": newest}, HTTP_HX_REQUEST="true")
        seen += _ids(response)
        newest = response.context["newest"]
    assert sorted(seen, key=int) == ["2", "3", "4", "5", "6"]


def test_near_duplicates_show_their_count(alice_client, source):
    text = "Harbor Street Jewelers fixed my ring in one day, amazing service"
    ingest(source, [item("1", text=text), item("2", text=f"RT {text}", minutes=1)])
    response = alice_client.get(URL)
    assert _ids(response) == ["1"]
    assert "+1 re-share" in response.content.decode()
    assert _ids(alice_client.get(URL, {"reshares": "on"})) == ["2", "1"]


@pytest.mark.parametrize("count", [3, 25, 50])
def test_the_stream_query_count_does_not_grow_with_mentions(
    alice_client, source, workspace, django_assert_num_queries, count, monkeypatch
):
    from harken.listening.views import stream

    monkeypatch.setattr(stream, "PAGE", 50)
    topic = Topic.objects.create(workspace=workspace, name="Rings", query="rings")
    Topic.objects.create(workspace=workspace, name="Service", query="service")
    ingest(source, [item(str(n), minutes=n) for n in range(count)])
    assert Mention.topics.through.objects.count() == 2 * count  # every card shows two
    # session, user, membership, source networks, mentions (with their re-share counts),
    # their authors, their topics' names, newest id, the menu's memberships, the topic
    # filter's choices
    with django_assert_num_queries(10):
        response = alice_client.get(URL)
    assert len(response.context["mentions"]) == count
    assert response.content.decode().count('class="badge topic"') == 2 * count
    # Searched and filtered: the same, and the chosen topic read to check it is theirs.
    with django_assert_num_queries(11):
        alice_client.get(URL, {"q": "harbor", "sentiment": "neutral", "topic": topic.pk})
    middle = response.context["mentions"][count // 2].pk
    # Load more, a fragment: no menu, no filter choices, no poller (its newest id); the
    # anchor's time, then as above. And the poll for arrivals.
    with django_assert_num_queries(7):
        more = alice_client.get(URL, {"before": middle}, HTTP_HX_REQUEST="true")
    assert len(more.context["mentions"]) == count - count // 2 - 1
    with django_assert_num_queries(7):  # the ids stored since, then as above
        alice_client.get(URL, {"newer": 0}, HTTP_HX_REQUEST="true")


def test_another_workspaces_mentions_are_invisible(charlie_client, source):
    ingest(source, [item("1")])
    assert _ids(charlie_client.get(URL)) == []


def test_a_responder_corrects_sentiment_in_one_click(bob_client, source):
    ingest(source, [item("1")])
    mention = Mention.objects.get()
    url = reverse("mention_correct", args=[mention.pk])
    response = bob_client.post(url, {"sentiment": "negative"})
    assert response.status_code == 200
    mention.refresh_from_db()
    assert mention.sentiment == "negative"
    assert f'id="mention-{mention.pk}"' in response.content.decode()
    assert AuditEntry.objects.filter(action="mention.corrected").exists()
    bob_client.post(url, {"intent": "complaint"})
    mention.refresh_from_db()
    assert mention.intents == ["complaint"]


def test_a_viewer_cannot_correct(victor, source):
    from tests.conftest import client_for

    ingest(source, [item("1")])
    mention = Mention.objects.get()
    url = reverse("mention_correct", args=[mention.pk])
    assert client_for(victor).post(url, {"sentiment": "negative"}).status_code == 403


def test_an_unknown_label_changes_nothing(bob_client, source):
    ingest(source, [item("1")])
    mention = Mention.objects.get()
    url = reverse("mention_correct", args=[mention.pk])
    assert bob_client.post(url, {"sentiment": "furious"}).status_code == 400
    assert bob_client.post(url, {"sentiment": "negative", "intent": "spam"}).status_code == 400
    assert bob_client.post(url, {"field": "sentiment"}).status_code == 400
    assert Mention.objects.get().sentiment == mention.sentiment


def test_another_workspaces_mention_cannot_be_corrected(charlie_client, source):
    ingest(source, [item("1")])
    url = reverse("mention_correct", args=[Mention.objects.get().pk])
    assert charlie_client.post(url, {"sentiment": "negative"}).status_code == 404


def test_a_correction_teaches_the_analysis_app_when_it_is_there(bob_client, source):
    correction = pytest.importorskip("harken.analysis.models.correction")
    ingest(source, [item("1", text="Is the shop open on Sunday?")])
    mention = Mention.objects.get()
    bob_client.post(reverse("mention_correct", args=[mention.pk]), {"intent": "question"})
    stored = correction.Correction.objects.get()
    assert (stored.field, stored.label, stored.text) == ("intent", "question", mention.text)


def test_a_long_mention_shows_its_start_and_the_rest_on_request(alice_client, source):
    long_text = "<b>ring</b> " + "resized beautifully " * 100
    ingest(source, [item("1", text=long_text)])
    html = alice_client.get("/listening/").content.decode()
    assert "Show all" in html and "<b>ring" not in html
    assert html.count("&lt;b&gt;ring&lt;/b&gt;") == 2  # the start, and the whole in <details>


def test_a_search_without_hits_says_no_mentions_match_and_how_to_clear_it(alice_client, source):
    ingest(source, [item("1", text="The ring was perfect")])
    html = alice_client.get(URL, {"q": "bracelet"}).content.decode()
    assert "No mentions match" in html
    assert "Nothing heard yet" not in html
    assert "“bracelet”" in html
    assert f'<a href="{URL}">clear the search and filters</a>' in html


def test_filters_without_hits_say_no_mentions_match(alice_client, source):
    ingest(source, [item("1", text="The ring was perfect")])
    html = alice_client.get(URL, {"sentiment": "negative", "language": "fr"}).content.decode()
    assert "No mentions match" in html and "Nothing heard yet" not in html
    assert "Filters (2)" in html


def test_an_empty_workspace_has_heard_nothing_yet(alice_client, source):
    html = alice_client.get(URL).content.decode()
    assert "Nothing heard yet" in html and "No mentions match" not in html


def test_active_filters_are_chips_that_remove_one_filter_each(alice_client, source):
    ingest(source, [item("1", text="The ring was perfect")])
    Mention.objects.update(sentiment="positive")
    html = alice_client.get(
        URL, {"q": "ring", "sentiment": "positive", "language": "en"}
    ).content.decode()
    assert "Filters (2)" in html
    # Each chip links to the same stream without its own filter.
    assert (
        f'href="{URL}?q=ring&amp;language=en" title="Remove this filter">Sentiment: Positive'
        in html
    )
    assert (
        f'href="{URL}?q=ring&amp;sentiment=positive" title="Remove this filter">Language: en'
        in html
    )
    # The panel stays closed: its filters are summed up by the chips.
    assert '<details class="filters">' in html


def test_a_bad_filter_opens_the_panel(alice_client, source):
    html = alice_client.get(URL, {"since": "garbage"}).content.decode()
    assert '<details class="filters" open>' in html
