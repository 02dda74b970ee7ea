"""Bluesky rich-text facets: links, hashtags and mentions at their UTF-8 byte offsets."""

from __future__ import annotations

from harken.networks.bluesky.connector import facets_for


def spans(text: str, resolve=None) -> list[tuple[str, str]]:
    data = text.encode()
    return [
        (data[f.index.byte_start : f.index.byte_end].decode(), f.features[0].py_type)
        for f in facets_for(text, resolve)
    ]


def test_mentions_are_facets_when_their_handle_resolves_at_their_bytes():
    dids = {"bob.test": "did:plc:bob", "ann.example.com": "did:plc:ann"}
    text = "Grüße 💍 @bob.test und (@Ann.example.com), nicht @nobody.test, mail a@b.test."
    assert spans(text, dids.get) == [
        ("@bob.test", "app.bsky.richtext.facet#mention"),
        ("@Ann.example.com", "app.bsky.richtext.facet#mention"),
    ]
    (first, second) = facets_for(text, dids.get)
    assert (first.features[0].did, second.features[0].did) == ("did:plc:bob", "did:plc:ann")


def test_without_a_resolver_mentions_stay_text():
    assert spans("hi @bob.test #rings") == [("#rings", "app.bsky.richtext.facet#tag")]


def test_a_hashtag_or_handle_inside_a_link_is_part_of_the_link():
    text = "See https://harbor.example/@bob.test/#ringe now #ringe"
    assert spans(text, {"bob.test": "did:plc:bob"}.get) == [
        ("https://harbor.example/@bob.test/#ringe", "app.bsky.richtext.facet#link"),
        ("#ringe", "app.bsky.richtext.facet#tag"),
    ]
