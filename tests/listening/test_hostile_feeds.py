"""Hostile feeds through the real ingest path: a local HTTP server serves each document,
the feeds connector fetches it, the pipeline stores it (SQLite, and PostgreSQL when CI runs
the suite with DATABASE_URL).

Every case is a feed of two good entries and one hostile one, of a kind found by feeding
feedparser's test corpus and hand-made payloads to Harken. For each: the poll succeeds,
the good entries are stored, the hostile one is either stored cleaned (what a reader can
use of it) or skipped with its true reason on the Sources page, and polling again neither
fails nor reports it again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.listening.models import Mention, Source
from harken.listening.polling import poll_source
from tests.lib.localserver import Reply

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback")]

RSS_TYPE = "application/rss+xml; charset=utf-8"
JSON_TYPE = "application/feed+json"

GOOD_RSS = """<item><title>Good story {n}</title><link>https://news.example/{n}</link>
<guid>https://news.example/{n}</guid><description>Harbor Street story {n}</description>
<pubDate>Fri, 20 Nov 2026 09:0{n}:00 GMT</pubDate></item>"""


def rss(hostile: str, *, head: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    good = "".join(GOOD_RSS.format(n=n) for n in (1, 2))
    return (
        f'{head}<rss version="2.0"><channel><title>Local news</title>'
        f"<link>https://news.example/</link>{good}{hostile}</channel></rss>"
    )


def good_json(n: int) -> dict:
    return {
        "id": f"https://news.example/{n}",
        "url": f"https://news.example/{n}",
        "title": f"Good story {n}",
        "content_text": f"Harbor Street story {n}",
        "date_published": f"2026-11-20T09:0{n}:00Z",
    }


def json_feed(hostile: str) -> str:
    """A JSON Feed whose third item is ``hostile``, raw JSON text (it may not be JSON that
    Python's own encoder writes: lone surrogates, 100,000 brackets)."""
    good = ", ".join(json.dumps(good_json(n)) for n in (1, 2))
    return (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "Local news", '
        f'"items": [{good}, {hostile}]}}'
    )


def json_item(**fields: object) -> str:
    base = {"id": "https://news.example/3", "content_text": "The hostile one", **fields}
    return json.dumps(base)


@dataclass(frozen=True)
class Case:
    kind: str  # what the case stands for (the corpus's or the audit's finding)
    body: str | bytes
    content_type: str = RSS_TYPE
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count, on the Sources page
    # Checks on the hostile entry's stored mention (None: it is skipped, nothing stored).
    check: Callable[[Mention], None] | None = None
    seconds: float = 10.0  # the poll must end within this, on a loaded CI machine


def _kept_without_link(mention: Mention) -> None:
    assert mention.url == ""
    assert mention.author.handle == "127.0.0.1"  # no author: the feed's site speaks


def _no_author_stays_readable(mention: Mention) -> None:
    assert mention.text == "The hostile one"
    assert mention.author.handle == "127.0.0.1"


def _surrogate_replaced(mention: Mention) -> None:
    assert mention.text.startswith("Half a pair \ufffd here")


def _references_replaced(mention: Mention) -> None:
    assert mention.text == "Half \ufffd a pair \ufffd \ufffd \ufffd"


def _dated_when_received(mention: Mention) -> None:
    assert abs(mention.posted - timezone.now()) < timedelta(minutes=5)


def _nul_stripped(mention: Mention) -> None:
    assert mention.external_id == "https://news.example/3x"
    assert (mention.author.name, mention.url) == ("Nul Name", "https://news.example/3x")
    assert "\x00" not in mention.text


def _redos_author_kept(mention: Mention) -> None:
    assert mention.text.startswith("Slow author")
    assert len(mention.author.name) <= 255


def _bidi_neutralised(mention: Mention) -> None:
    assert mention.author.name == "evilgnp.exe"
    assert mention.author.handle == "evilgnp.exe"


def _read_as_windows_1251(mention: Mention) -> None:
    assert mention.text.startswith("Привет, мир")


CASES = [
    Case(
        "link that urljoin refuses (ValueError)",
        rss("<item><title>Bad link</title><link>http://[::1</link><guid>b1</guid></item>"),
        check=_kept_without_link,
    ),
    Case(
        "JSON Feed authors that is not a list (TypeError)",
        json_feed(json_item(authors=5)),
        JSON_TYPE,
        check=_no_author_stays_readable,
    ),
    Case(
        "lone surrogate in a JSON title (UnicodeEncodeError)",
        json_feed(json_item(title="Half a pair ").replace('pair "', 'pair \\ud800 here"')),
        JSON_TYPE,
        check=_surrogate_replaced,
    ),
    Case(
        "100,000 nested brackets in one item (RecursionError)",
        json_feed(
            '{"id": "deep", "title": "Deep", "content_text": ' + "[" * 100_000 + "]" * 100_000 + "}"
        ),
        JSON_TYPE,
        skipped={"an entry nested more than 64 levels deep": 1},
    ),
    Case(
        "character reference to half a UTF-16 pair in XML (UnicodeEncodeError in feedparser)",
        rss(
            "<item><title>Half &#xD800; a pair &#55296; &#0; &#x110000;</title>"
            "<link>https://news.example/3</link></item>"
            "<broken>"  # not well-formed: feedparser's lenient parser reads it
        ),
        check=_references_replaced,
    ),
    Case(
        "year-0001 date in RSS (OverflowError)",
        rss(
            "<item><title>Year one</title><link>https://news.example/3</link>"
            "<pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item>"
        ),
        check=_dated_when_received,
    ),
    Case(
        "year-0001 date with an offset in JSON (OverflowError)",
        json_feed(json_item(date_published="0001-01-01T00:00:00+05:00")),
        JSON_TYPE,
        check=_dated_when_received,
    ),
    Case(
        "NUL in id, author name and URL (PostgreSQL DataError)",
        json_feed(
            json_item(
                id="https://news.example/3\u0000x",
                url="https://news.example/3\u0000x",
                authors=[{"name": "Nul\u0000 Name"}],
                content_text="Text with a \u0000 NUL",
            )
        ),
        JSON_TYPE,
        check=_nul_stripped,
    ),
    Case(
        "1 MB author that feedparser's e-mail pattern backtracks on (feedparser#562)",
        rss(
            "<item><title>Slow author</title><link>https://news.example/3</link>"
            "<author>a@" + "a." * 500_000 + "!</author></item>"
        ),
        check=_redos_author_kept,
        seconds=8.0,  # feedparser's own pattern: 36 s at 64 KB, hours at 1 MB
    ),
    Case(
        "bidirectional override in an author's name",
        json_feed(json_item(authors=[{"name": "evil\u202egnp.exe\u202c"}])),
        JSON_TYPE,
        check=_bidi_neutralised,
    ),
    Case(
        "tag: permalink and no author",
        rss(
            "<item><title>Tagged</title>"
            '<guid isPermaLink="true">tag:news.example,2026:3</guid></item>'
        ),
        check=_kept_without_link,
    ),
    Case(
        "mailto: link and no author",
        rss("<item><title>Write to us</title><link>mailto:desk@news.example</link></item>"),
        check=_kept_without_link,
    ),
    Case(
        "charset declared only in the HTTP header",
        rss(
            "<item><title>Привет, мир</title><link>https://news.example/3</link></item>",
            head='<?xml version="1.0"?>',
        ).encode("windows-1251"),
        "application/rss+xml; charset=windows-1251",
        check=_read_as_windows_1251,
    ),
    Case(
        "JSON Feed item that is not an object",
        json_feed("5"),
        JSON_TYPE,
        skipped={"an item that is not a JSON object": 1},
    ),
    Case(
        "entry with nothing to show",
        rss("<item><title> </title><description><![CDATA[<p></p>]]></description></item>"),
        skipped={"an empty entry: no title, text or link": 1},
    ),
]


def feed_source(workspace, server, path: str) -> Source:
    return Source.objects.create(
        workspace=workspace,
        name=path,
        kind=Source.Kind.FEED,
        network="feed",
        url=server.url(path),
    )


@pytest.mark.parametrize("case", CASES, ids=[case.kind for case in CASES])
def test_a_hostile_entry_never_blocks_its_feed(workspace, server, case):
    server.route("/feed", Reply(200, case.body, {"Content-Type": case.content_type}))
    source = feed_source(workspace, server, "/feed")

    started = time.monotonic()
    outcome = poll_source(source.pk)
    elapsed = time.monotonic() - started

    assert outcome.state == "stored", outcome.error
    assert elapsed < case.seconds
    source.refresh_from_db()
    assert source.last_error == ""
    assert source.last_skipped == case.skipped
    mentions = Mention.objects.filter(source=source).select_related("author")
    texts = {m.text for m in mentions}
    assert {
        "Good story 1\n\nHarbor Street story 1",
        "Good story 2\n\nHarbor Street story 2",
    } <= texts
    hostile = [m for m in mentions if not m.text.startswith("Good story")]
    if case.check is None:
        assert hostile == []
    else:
        (mention,) = hostile
        case.check(mention)

    # Polling again neither fails nor reports the skipped entry a second time.
    again = poll_source(source.pk, force=True)
    assert (again.state, again.stored) == ("stored", 0), again.error
    source.refresh_from_db()
    assert source.last_skipped == {} and source.failures == 0
    assert source.skipped_last_day == sum(case.skipped.values())


def test_the_skip_reason_shows_on_the_sources_page(workspace, server, alice_client):
    case = next(c for c in CASES if c.kind.startswith("100,000 nested"))
    server.route("/feed", Reply(200, case.body, {"Content-Type": case.content_type}))
    poll_source(feed_source(workspace, server, "/feed").pk)
    page = alice_client.get(reverse("source_list")).content.decode()
    assert "1 item skipped in the last poll: an entry nested more than 64 levels deep (1)" in page


def test_two_feeds_that_number_their_entries_alike_both_store_them(workspace, server):
    numbered = rss("").replace("https://news.example/1</guid>", "1</guid>")
    numbered = numbered.replace("https://news.example/2</guid>", "2</guid>")
    server.route("/a.xml", Reply(200, numbered, {"Content-Type": RSS_TYPE}))
    server.route(
        "/b.xml", Reply(200, numbered.replace("Good", "Other"), {"Content-Type": RSS_TYPE})
    )
    first, second = (feed_source(workspace, server, path) for path in ("/a.xml", "/b.xml"))

    assert poll_source(first.pk).stored == 2
    assert poll_source(second.pk).stored == 2  # before: 0, "known", and no reason given

    ids = set(Mention.objects.filter(source=second).values_list("external_id", flat=True))
    assert ids == {server.url("/b.xml#1"), server.url("/b.xml#2")}


def test_an_article_with_a_url_id_found_by_two_feeds_is_one_mention(workspace, server):
    server.route("/a.xml", Reply(200, rss(""), {"Content-Type": RSS_TYPE}))
    server.route("/b.xml", Reply(200, rss(""), {"Content-Type": RSS_TYPE}))
    first, second = (feed_source(workspace, server, path) for path in ("/a.xml", "/b.xml"))
    assert poll_source(first.pk).stored == 2
    assert poll_source(second.pk).stored == 0
    assert Mention.objects.filter(external_id="https://news.example/1").count() == 1


def test_a_feed_too_slow_to_parse_is_a_source_error_and_backed_off(workspace, server, monkeypatch):
    from harken.networks.feeds import worker

    monkeypatch.setattr(worker, "PARSE_CPU_SECONDS", 1)
    nested = "<b>" * 300_000 + "x" + "</b>" * 300_000
    slow = rss(f"<item><title>Slow</title><description><![CDATA[{nested}]]></description></item>")
    server.route("/feed", Reply(200, slow, {"Content-Type": RSS_TYPE}))
    source = feed_source(workspace, server, "/feed")

    outcome = poll_source(source.pk)

    assert outcome.state == "failed"
    source.refresh_from_db()
    assert "took more than 1 seconds to read" in source.last_error
    assert source.failures == 1
    assert source.next_poll - timezone.now() > timedelta(seconds=25)  # backed off
    assert not Mention.objects.filter(source=source).exists()
