"""Text is counted the way each network counts it, for the reply box and the composer."""

from __future__ import annotations

import pytest

from harken.networks.bluesky.connector import grapheme_count
from harken.networks.counting import count, graphemes, x_weight
from harken.networks.mastodon.connector import post_length

FAMILY = "👩‍👩‍👧‍👦"  # one grapheme of seven code points


def test_bluesky_counts_graphemes_as_its_connector_does():
    text = f"Thanks {FAMILY}! Ça marche 👍🏽"
    assert graphemes(text) == grapheme_count(text) == 21
    assert count("bluesky", text).words == "21 / 300 graphemes"
    assert count("bluesky", "é" * 301).over


def test_x_weighs_links_cjk_and_emoji():
    assert x_weight("hello") == 5
    assert count("x", "see https://example.com/a/very/long/path").used == 4 + 23
    assert x_weight("日本語") == 6
    assert x_weight(FAMILY) == 2
    assert not count("x", "日" * 140).over and count("x", "日" * 141).over


def test_mastodon_uses_the_servers_own_limit_and_url_weight():
    text = "see https://example.com/a/very/long/path/indeed"
    assert count("mastodon", text).used == post_length(text, 23)
    cached = {"limits": {"max_chars": 11000, "url_chars": 23}}
    assert count("mastodon", "x" * 5000, cached).limit == 11000
    assert count("mastodon", "x" * 501).over


def test_a_network_without_a_connector_has_no_limit():
    assert count("feed", "anything").limit is None


@pytest.mark.parametrize("network", ["reddit"])
def test_reddit_counts_characters_up_to_a_comments_limit(network):
    assert count(network, "x" * 10000).limit == 10000
