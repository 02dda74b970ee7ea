"""What a search query must be before it is saved, added or edited: the same rules for
both, including each network's own (X's standalone terms, Reddit's subreddit names)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from harken.listening.models import Source
from harken.listening.searches import check_search_query


@pytest.mark.parametrize(
    ("network", "query"),
    [
        ("x", '"harbor street" -jobs'),
        ("x", "#engagementring has:media"),
        ("x", "from:harborstreet is:reply"),
        ("x", "(rings OR bands) lang:en"),
        ("reddit", "subreddit:jewelry engagement ring"),
        ("reddit", "subreddit:jewelry"),
        ("reddit", "harbor street rings"),
        ("bluesky", "-jobs"),  # Bluesky's and Mastodon's searches take what X refuses
    ],
)
def test_a_query_its_network_accepts_passes(network, query):
    assert check_search_query(network, query) == query


@pytest.mark.parametrize(
    ("network", "query", "said"),
    [
        ("x", "-jobs -hiring", "exclusions (-word) and is:, has: or lang: cannot stand alone"),
        ("x", "has:media OR is:retweet", "cannot stand alone"),
        ("x", "(lang:en)", "cannot stand alone"),
        ("reddit", "subreddit:a", "Write subreddit:NAME (2 to 21 letters"),
        ("reddit", "subreddit:jewelry-shops rings", "Write subreddit:NAME"),
        ("mastodon", "ring " * 103, "at most 512 characters; this one has 514"),
        ("mastodon", " \t ", "Enter what to search for."),
    ],
)
def test_a_query_its_network_would_refuse_is_refused_before_it_is_saved(network, query, said):
    with pytest.raises(ValidationError) as caught:
        check_search_query(network, query)
    assert said in caught.value.messages[0]


@pytest.mark.django_db
def test_adding_a_search_applies_the_networks_rules(alice_client, workspace, monkeypatch):
    monkeypatch.setenv("HARKEN_X_BEARER_TOKEN", "app-token")
    data = {"network": "x", "query": "-jobs", "interval": "900"}
    response = alice_client.post(reverse("source_search_add"), data, follow=True)
    assert response.redirect_chain == [(reverse("source_search_add"), 302)]
    assert "cannot stand alone" in response.content.decode()
    assert not Source.objects.exists()
