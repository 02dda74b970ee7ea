"""Cleaning items before storage: links, times, control characters, fingerprints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harken.listening.normalize import Rejected, fingerprint, prepare, safe_url
from tests.listening.helpers import item

TEXT = "Harbor Street Jewelers fixed my ring in one day, amazing service"


def test_a_reshare_has_the_fingerprint_of_the_original():
    variants = [
        f"RT @someone: {TEXT}",
        f"{TEXT.upper()}!!! https://t.co/abc",
        f"@harbor @bob.example.social  {TEXT}\n",
        f"MT {TEXT} www.example.com/x",
    ]
    assert {fingerprint(v) for v in variants} == {fingerprint(TEXT)}
    assert fingerprint(TEXT) != fingerprint(TEXT.replace("one day", "two days"))


def test_short_texts_have_no_fingerprint():
    assert fingerprint("@Delta thanks!! https://t.co/x") == ""


@pytest.mark.parametrize(
    "url,kept",
    [
        ("https://example.com/a", True),
        ("HTTP://EXAMPLE.COM/", True),
        ("javascript:alert(1)", False),
        (" data:text/html,x", False),
        ("//example.com", False),
        ("https://example.com/" + "a" * 2000, False),
    ],
)
def test_only_http_links_of_a_sane_length_are_kept(url, kept):
    assert (safe_url(url) != "") is kept


def test_a_naive_time_is_utc_and_control_characters_go():
    row = prepare(item("1", text="hello\x00 world\x07", created=datetime(2026, 1, 1, 9)))
    assert row.posted.utcoffset().total_seconds() == 0
    assert row.text == "hello world"


@pytest.mark.parametrize(
    "fields,why",
    [
        ({"external_id": " "}, "no id"),
        ({"external_id": "x" * 256}, "id longer than 255 characters"),
        ({"author_id": "", "author_handle": ""}, "no author"),
        ({"network": ""}, "no network"),
    ],
)
def test_an_unusable_item_is_rejected_with_a_reason(fields, why):
    values = {"external_id": "1", **fields}
    with pytest.raises(Rejected, match=why):
        prepare(item(values.pop("external_id"), **values))


def test_our_own_posts_are_never_near_duplicates():
    assert prepare(item("1", text=TEXT, is_own=True)).fingerprint == ""


def test_a_post_from_the_future_is_dated_when_it_arrived():
    from datetime import UTC, timedelta

    before = datetime.now(UTC)
    row = prepare(item("1", created=datetime(2099, 1, 1, tzinfo=UTC)))
    assert before <= row.posted <= datetime.now(UTC)
    slightly_ahead = before + timedelta(minutes=2)  # clock skew is not the future
    assert prepare(item("2", created=slightly_ahead)).posted == slightly_ahead


def test_an_enormous_text_is_cut_on_a_word_with_an_ellipsis():
    from harken.listening.normalize import MAX_TEXT_CHARS

    row = prepare(item("1", text="ring " * 50_000))
    assert len(row.text) <= MAX_TEXT_CHARS
    assert row.text.endswith("ring…")
    assert prepare(item("2", text=TEXT)).text == TEXT


def test_nul_and_control_characters_leave_every_field_of_every_network():
    row = prepare(
        item(
            "1\x00",
            network="bluesky",
            author_id="did:plc:a\x00b",
            author_handle="al\x00ice.example",
            author_name="Al\x00ice",
            url="https://example.social/\x00p",
            in_reply_to="0\x00",
            language="e\x00n",
        )
    )
    assert (row.external_id, row.author_id, row.author_handle) == (
        "1",
        "did:plc:ab",
        "alice.example",
    )
    assert (row.url, row.in_reply_to) == ("https://example.social/p", "0")
    assert (row.item.author_name, row.item.language) == ("Alice", "en")


def test_a_lone_surrogate_becomes_a_replacement_character_everywhere():
    row = prepare(item("1\ud800", text="half \udc00 a pair", author_name="N\ud83d"))
    assert row.external_id == "1\ufffd"
    assert row.text == "half \ufffd a pair" and row.item.text == "half \ufffd a pair"
    assert row.item.author_name == "N\ufffd"
    row.text.encode()  # storable in any encoding


def test_direction_overrides_leave_author_names_and_handles():
    row = prepare(
        item(
            "1",
            author_id="evil\u202egnp.exe",
            author_handle="@evil\u2066\u202egnp.exe\u2069",
            author_name="\u200fevil\u202dgnp\u202c.exe\u200e",
        )
    )
    assert row.author_id == row.author_handle == "evilgnp.exe"
    assert row.item.author_name == "evilgnp.exe"
    # A right-to-left name shows right without them, and keeps every letter.
    assert prepare(item("2", author_name="\u202bשלום\u202c")).item.author_name == "שלום"


def test_an_item_with_nothing_to_clean_is_kept_as_it_is():
    original = item("1")
    assert prepare(original).item is original


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59),
    ],
)
def test_a_time_before_any_network_existed_is_dated_when_it_arrived(moment):

    before = datetime.now(UTC)
    assert before <= prepare(item("1", created=moment)).posted <= datetime.now(UTC)
