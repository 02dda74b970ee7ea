"""CSV import (all or nothing, every bad row listed), CSV export (no formulas) and the
private iCalendar feed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from harken.core.models import Member
from harken.publishing.calendar.bulk import ImportRefused, do_import, neutralise
from harken.publishing.calendar.ical import fold
from harken.publishing.models import Event, FeedToken, Post, Variant
from harken.publishing.states import State
from tests.lib.localserver import Reply
from tests.publishing.calendar.conftest import plan

NEW_YORK = ZoneInfo("America/New_York")
HEADER = "text,accounts,time,media_url,alt_text,category\n"


def member(user):
    return Member.objects.get(user=user)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "gold").save(out, "PNG")
    return out.getvalue()


def test_a_good_file_imports_every_post_in_the_workspaces_time(workspace, alice, shop, sky):
    data = (
        HEADER
        + '"Gift guide, part 1",@harbor@jewelers.example harbor.bsky.social,2030-02-01 11:00,,,curated\n'
        + '"Meet Dana, our bench jeweler",mastodon:@harbor@jewelers.example,2030-02-02 12:30,,,Behind the scenes\n'
    ).encode()
    posts = do_import(data, workspace, member(alice))
    assert len(posts) == 2
    first = Variant.objects.filter(post=posts[0]).order_by("account__network")
    assert [v.account for v in first] == [sky, shop]
    assert {v.state for v in first} == {State.SCHEDULED}
    assert first[0].scheduled_at == datetime(2030, 2, 1, 11, 0, tzinfo=NEW_YORK)
    assert posts[1].category == "behind_the_scenes"


def test_every_bad_row_is_listed_with_its_line_and_nothing_is_imported(workspace, alice, shop):
    data = (
        HEADER
        + "Fine post,@harbor@jewelers.example,2030-02-01 11:00,,,\n"
        + ",@harbor@jewelers.example,2030-02-01 12:00,,,\n"
        + "Who?,@nobody,2030-02-01 13:00,,,\n"
        + "When?,@harbor@jewelers.example,next tuesday,,,\n"
        + "Old news,@harbor@jewelers.example,2020-01-01 09:00,,,\n"
        + f"{'x' * 501},@harbor@jewelers.example,2030-02-03 09:00,,,\n"
        + "What kind?,@harbor@jewelers.example,2030-02-04 09:00,,,gossip\n"
    ).encode()
    with pytest.raises(ImportRefused) as refused:
        do_import(data, workspace, member(alice))
    lines = dict(refused.value.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8]
    assert "the text is empty" in lines[3]
    assert "no account '@nobody'" in lines[4]
    assert "is not YYYY-MM-DD HH:MM" in lines[5]
    assert "the time has passed" in lines[6]
    assert "500 characters" in lines[7]
    assert "no category 'gossip'" in lines[8]
    assert not Post.objects.exists()


def test_a_row_the_guidelines_refuse_rolls_the_whole_import_back(workspace, alice, shop):
    data = (
        HEADER
        + "Pearls for spring,@harbor@jewelers.example,2030-02-01 11:00,,,\n"
        + "Engraving all week,@harbor@jewelers.example,2030-02-01 11:10,,,\n"
    ).encode()
    with pytest.raises(ImportRefused) as refused:
        do_import(data, workspace, member(alice))
    assert [line for line, _ in refused.value.errors] == [3]
    assert not Post.objects.exists() and not Variant.objects.exists()


def test_a_file_without_the_columns_says_which_are_missing(workspace, alice):
    with pytest.raises(ImportRefused, match="bad rows") as refused:
        do_import(b"words,when\nhello,now\n", workspace, member(alice))
    assert "missing: text, accounts, time" in refused.value.errors[0][1]


def test_media_is_fetched_through_the_url_guard_and_attached(
    workspace, alice, shop, server, loopback
):
    server.route("/ring.png", Reply(200, body=png(), headers={"Content-Type": "image/png"}))
    data = (
        HEADER
        + f"New ring,@harbor@jewelers.example,2030-02-01 11:00,{server.url('/ring.png')},A gold ring,\n"
    ).encode()
    posts = do_import(data, workspace, member(alice))
    media = Variant.objects.get(post=posts[0]).media.get()
    assert (media.width, media.height, media.alt_text) == (40, 30, "A gold ring")


def test_media_at_a_private_address_is_refused_by_the_guard(workspace, alice, shop):
    data = (
        HEADER + "New ring,@harbor@jewelers.example,2030-02-01 11:00,http://127.0.0.1:9/x.png,,\n"
    ).encode()
    with pytest.raises(ImportRefused) as refused:
        do_import(data, workspace, member(alice))
    assert "could not be fetched" in refused.value.errors[0][1]
    assert not Post.objects.exists()


def test_the_import_page_lists_the_bad_rows(alice_client, shop):
    upload = SimpleUploadedFile(
        "posts.csv", (HEADER + "Who?,@nobody,2030-02-01 13:00,,,\n").encode()
    )
    alice_client.post(reverse("calendar_bulk"), {"file": upload})
    page = alice_client.get(reverse("calendar_bulk")).content.decode()
    assert "nothing was imported" in page and "Line 2" in page and "@nobody" in page


def test_a_viewer_cannot_import(client, victor, shop):
    from tests.conftest import client_for

    upload = SimpleUploadedFile("posts.csv", HEADER.encode())
    assert client_for(victor).post(reverse("calendar_bulk"), {"file": upload}).status_code == 403


def test_cells_that_a_spreadsheet_would_run_get_a_quote():
    assert neutralise('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert [neutralise(c) for c in ("+1", "-1", "@SUM(A1)", "\tx", "plain")] == [
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "plain",
    ]


def test_the_export_holds_the_months_posts_in_local_time_without_formulas(alice_client, shop):
    plan(shop, datetime(2030, 2, 10, 9, 0, tzinfo=NEW_YORK), text="=cmd|' /C calc'!A0")
    response = alice_client.get(reverse("calendar_export"), {"date": "2030-02-14"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["time", "account", "network", "state", "category", "text", "url"]
    assert rows[1][0] == "2030-02-10 09:00"
    assert rows[1][5] == "'=cmd|' /C calc'!A0"
    assert 'filename="calendar-2030-02.csv"' in response["Content-Disposition"]


def test_a_member_gets_a_private_feed_that_stops_when_revoked(
    alice_client, client, alice, shop, workspace
):
    soon = (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    plan(shop, soon, text="Valentine's, gifts; and more")
    Event.objects.create(workspace=workspace, title="Trunk show", starts=soon.date())
    alice_client.post(reverse("calendar_feed_token"), {"issue": "1"})
    page = alice_client.get(reverse("calendar_settings")).content.decode()
    start = page.index("/calendar/feed/")
    path = page[start : page.index('"', start)]
    feed = client.get(path)  # no login: the token is the key
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert f"DTSTART:{soon.astimezone(UTC):%Y%m%dT%H%M%SZ}" in body
    assert "Valentine's\\, gifts\\; and more" in body.replace("\r\n ", "")
    assert f"DTSTART;VALUE=DATE:{soon:%Y%m%d}" in body
    assert FeedToken.objects.get().token_hash not in path  # only the hash is stored
    alice_client.post(reverse("calendar_feed_token"), {"revoke": "1"})
    assert client.get(path).status_code == 404


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "é" * 80
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_reddit_rows_take_their_title_and_subreddit_from_their_own_columns(workspace, alice, shop):
    from harken.networks.models import Account

    Account.objects.create(workspace=workspace, network="reddit", handle="u/harbor")
    header = "text,accounts,time,title,subreddit\n"
    bad = header + "Open late tonight,u/harbor,2030-02-01 11:00,,r/x\n"
    with pytest.raises(ImportRefused) as refused:
        do_import(bad.encode(), workspace, member(alice))
    [(line, reason)] = refused.value.errors
    assert line == 2 and "The Reddit title is empty" in reason and "is not a subreddit" in reason
    good = (
        header
        + "Open late tonight,u/harbor @harbor@jewelers.example,2030-02-01 11:00,"
        + "Open until 8 tonight,r/jewelry\n"
    )
    [post] = do_import(good.encode(), workspace, member(alice))
    options = dict(post.variants.values_list("account__network", "post_options"))
    assert options == {
        "reddit": {"title": "Open until 8 tonight", "subreddit": "r/jewelry"},
        "mastodon": {},
    }
