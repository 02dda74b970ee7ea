"""The YouTube connector against a local YouTube answering with the bodies recorded from
the real Data API (../shared/data/recorded-api/youtube-data/). Where an answer was never
recorded (an empty list, the resumable upload's session and its 308, a quota or
expired-token error) the reply is the shape Google documents, and the test says so."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from harken.networks.base import ConnectorError, MediaFile
from harken.networks.models import Account
from harken.networks.registry import connector_for
from harken.networks.youtube import quota
from tests.lib.localserver import Reply
from tests.networks.youtube.youtube_local import (
    API,
    CHANNEL,
    TOKEN,
    UPLOAD,
    body,
    channel_account,
    error,
    query,
)

THREADS = f"{API}/commentThreads"
REPLIES = f"{API}/comments"
EMPTY = Reply(200, '{"items": []}')  # a list with nothing on it (documented shape)


@pytest.fixture
def channel(youtube, workspace):
    return channel_account(workspace)


def connector(account: Account):
    return connector_for(Account.objects.get(pk=account.pk))


def test_fetch_threads_comments_and_replies_into_conversations(youtube, channel):
    youtube.route(THREADS, body("commentThreads_list_allThreadsRelatedToChannelId.json"))
    youtube.route(
        REPLIES,
        body("comments_list_by_parentId_p1.json"),
        body("comments_list_by_parentId_p2.json"),
    )
    page = connector(channel).fetch(None)

    (threads,) = youtube.hits(THREADS)
    assert query(threads)["allThreadsRelatedToChannelId"] == CHANNEL
    assert query(threads)["part"] == "snippet,replies" and query(threads)["order"] == "time"
    # One thread has a reply YouTube did not embed: its replies are read, page after page.
    first, second = youtube.hits(REPLIES)
    assert query(first)["parentId"] == "UgwSRpgkjCe6OHHe3IJ4AaABAg" and "pageToken" not in query(
        first
    )
    assert query(second)["pageToken"].startswith("R0FJeVZn")

    assert len(page.items) == 7
    assert [i.created for i in page.items] == sorted(i.created for i in page.items)
    top = next(i for i in page.items if i.external_id == "UgyWeTdgc4sc1xgmbld4AaABAg")
    assert (top.kind, top.text, top.author_handle) == (
        "comment",
        "Hope to go next time. yah!",
        "kun liu",
    )
    assert (top.in_reply_to, top.conversation_id) == ("JE8xdDp5B8Q", "UgyWeTdgc4sc1xgmbld4AaABAg")
    assert top.url == "https://www.youtube.com/watch?v=JE8xdDp5B8Q&lc=UgyWeTdgc4sc1xgmbld4AaABAg"
    replies = [i for i in page.items if i.kind == "reply"]
    assert len(replies) == 3 and {i.conversation_id for i in replies} == {
        "UgwSRpgkjCe6OHHe3IJ4AaABAg"
    }
    assert page.cursor == datetime(2019, 12, 1, 4, 46, 31, tzinfo=UTC).isoformat()


def test_fetch_from_a_cursor_keeps_only_newer_items_and_walks_pages(youtube, channel):
    recorded = body("commentThreads_list_by_video_p1.json")
    youtube.route(THREADS, recorded, body("commentThreads_list_by_video_p2.json"))
    youtube.route(REPLIES, EMPTY)
    since = datetime(2019, 1, 1, tzinfo=UTC)
    page = connector(channel).fetch(since.isoformat())
    hits = youtube.hits(THREADS)
    assert len(hits) == 2 and query(hits[1])["pageToken"]
    assert page.items and all(i.created >= since for i in page.items)


def test_every_call_is_counted_against_the_days_quota(youtube, channel):
    youtube.route(THREADS, body("commentThreads_list_allThreadsRelatedToChannelId.json"))
    youtube.route(REPLIES, body("comments_list_by_parentId_p2.json"))
    connector(channel).fetch(None)
    used = quota.usage()
    assert (used.units, used.limit) == (2, 10_000)  # a thread page and one replies page
    channel.refresh_from_db()
    assert channel.config["quota"]["units"] == 2


def test_reads_stop_before_the_quota_and_leave_room_for_answers(youtube, channel, monkeypatch):
    monkeypatch.setenv("HARKEN_YOUTUBE_DAILY_QUOTA", "600")
    channel.config = {**channel.config, "quota": {"day": quota.today().isoformat(), "units": 100}}
    channel.save()
    youtube.route(THREADS, body("commentThreads_list_allThreadsRelatedToChannelId.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(channel).fetch(None)
    assert "daily quota is used up (100 of 600 units today)" in caught.value.message
    assert not caught.value.permanent and caught.value.retry_after
    assert youtube.requests == []
    # An answer (50 units) still goes out.
    youtube.route(REPLIES, body("comments_insert_reply_response.json"))
    assert connector(channel).reply("Ugy_CAftKrIUCyPr9GR4AaABAg", "Thank you!").external_id


def test_reply_answers_under_the_thread(youtube, channel):
    youtube.route(REPLIES, body("comments_insert_reply_response.json"))
    made = connector(channel).reply("Ugy_CAftKrIUCyPr9GR4AaABAg.9iPXEClD9lW", "wow")
    (sent,) = youtube.hits(REPLIES)
    assert sent.method == "POST"
    assert json.loads(sent.body) == {
        "snippet": {"parentId": "Ugy_CAftKrIUCyPr9GR4AaABAg", "textOriginal": "wow"}
    }
    assert "part=snippet" in sent.path
    assert made.external_id == "Ugy_CAftKrIUCyPr9GR4AaABAg.9iPXEClD9lW9iPXLqKy_Pt"
    assert quota.usage().units == 50


def test_a_comment_on_a_video_starts_a_thread(youtube, channel):
    youtube.route(THREADS, body("commentThreads_insert_response.json"))
    made = connector(channel).reply("D-lhorsDlUQ", "Thanks for watching")
    (sent,) = youtube.hits(THREADS)
    sent_body = json.loads(sent.body)["snippet"]
    assert sent_body["videoId"] == "D-lhorsDlUQ"
    assert sent_body["topLevelComment"]["snippet"]["textOriginal"] == "Thanks for watching"
    assert made.external_id


def test_a_too_long_reply_is_refused_before_youtube_is_asked(youtube, channel):
    with pytest.raises(ConnectorError) as caught:
        connector(channel).reply("Ugy_CAftKrIUCyPr9GR4AaABAg", "x" * 10_001)
    assert caught.value.rejected and youtube.requests == []


def test_an_expired_token_is_renewed_once_and_kept_on_the_account(youtube, channel):
    """401 then success: Google's documented ``UNAUTHENTICATED`` error shape."""
    youtube.route(
        REPLIES,
        error(401, "Request had invalid authentication credentials.", "authError"),
        body("comments_insert_reply_response.json"),
    )
    youtube.route(
        TOKEN,
        Reply(200, '{"access_token": "access-2", "expires_in": 3599, "token_type": "Bearer"}'),
    )
    connector(channel).reply("Ugy_CAftKrIUCyPr9GR4AaABAg", "wow")
    (renewal,) = youtube.hits(TOKEN)
    assert (
        query(renewal)["grant_type"] == "refresh_token"
        and query(renewal)["refresh_token"] == "refresh-1"
    )
    assert [s.headers["authorization"] for s in youtube.hits(REPLIES)] == [
        "Bearer access-1",
        "Bearer access-2",
    ]
    channel.refresh_from_db()
    assert (
        channel.config["access_token"] == "access-2"
        and channel.config["refresh_token"] == "refresh-1"
    )
    assert channel.config["quota"]["units"] == 50  # the renewal kept the count


def test_a_withdrawn_refresh_token_means_reconnect(youtube, workspace):
    account = channel_account(workspace, expires_at=1)
    youtube.route(
        TOKEN,
        Reply(
            400,
            '{"error": "invalid_grant", "error_description": "Token has been expired or revoked."}',
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        connector(account).metrics()
    assert caught.value.permanent and "Token has been expired or revoked." in caught.value.message


def test_a_permission_error_is_permanent_in_youtubes_words(youtube, channel):
    youtube.route(f"{API}/channels", Reply(403, (body("error_403_permission_denied.json").body)))
    with pytest.raises(ConnectorError) as caught:
        connector(channel).metrics()
    assert caught.value.permanent
    assert "The caller does not have permission (SERVICE_UNAVAILABLE)" in caught.value.message


def test_googles_quota_error_waits_for_midnight_pacific(youtube, channel):
    youtube.route(
        THREADS,
        error(
            403,
            "The request cannot be completed because you have exceeded your quota.",
            "quotaExceeded",
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        connector(channel).fetch(None)
    assert not caught.value.permanent and 0 < caught.value.retry_after <= 25 * 3600


def test_metrics_read_subscribers_views_and_quota(youtube, channel):
    youtube.route(f"{API}/channels", body("channels_list_single_statistics.json"))
    found = connector(channel).metrics()
    assert (found.followers, found.posts) == (1927873, 5026)
    assert found.extra["views"] == 160361638 and found.extra["quota_units_used"] == 1


def test_post_metrics_read_a_videos_views_likes_and_comments(youtube, channel):
    youtube.route(f"{API}/videos", body("videos_list_with_statistics.json"))
    assert connector(channel).post_metrics("D-lhorsDlUQ") == {
        "views": 7920,
        "likes": 190,
        "comments": 32,
    }


VIDEO = MediaFile(b"\x00\x00\x00\x18ftypmp42" + b"v" * 1000, "video/mp4")


def upload_routes(youtube, *puts: Reply) -> str:
    """The session answer is the documented one (200 with ``Location``); the finished
    upload answers with the recorded ``videos.insert`` response."""
    session = youtube.url(f"{UPLOAD}/videos?uploadType=resumable&upload_id=xa298sd_f")
    youtube.route(f"{UPLOAD}/videos", Reply(200, "", {"Location": session}), *puts)
    return session


def test_publish_uploads_a_video_by_the_resumable_protocol(youtube, channel):
    upload_routes(youtube, body("videos_insert_response.json"))
    made = connector(channel).publish(
        "A new ring for spring\n\nHand-made in Harbor Street.", video=VIDEO, tags=["rings"]
    )
    start, put = youtube.hits(f"{UPLOAD}/videos")
    assert start.method == "POST" and "uploadType=resumable" in start.path
    assert start.headers["x-upload-content-length"] == str(len(VIDEO.data))
    assert start.headers["x-upload-content-type"] == "video/mp4"
    meta = json.loads(start.body)
    assert meta["snippet"]["title"] == "A new ring for spring" and meta["snippet"]["tags"] == [
        "rings"
    ]
    assert meta["status"]["privacyStatus"] == "public"
    assert put.method == "PUT" and "upload_id=xa298sd_f" in put.path and put.body == VIDEO.data
    assert made.external_id == "D-lhorsDlUQ"
    assert quota.usage().uploads == 1


def test_an_interrupted_upload_resumes_where_youtube_stopped(youtube, channel):
    """A 503 on the PUT, then the documented status query: 308 with ``Range: bytes=0-499``."""
    upload_routes(
        youtube,
        Reply(503, ""),
        Reply(308, "", {"Range": "bytes=0-499"}),
        body("videos_insert_response.json"),
    )
    connector(channel).publish("A ring", video=VIDEO)
    _, failed, asked, rest = youtube.hits(f"{UPLOAD}/videos")
    assert asked.headers["content-range"] == f"bytes */{len(VIDEO.data)}"
    assert rest.headers["content-range"] == f"bytes 500-{len(VIDEO.data) - 1}/{len(VIDEO.data)}"
    assert rest.body == VIDEO.data[500:]


def test_a_session_on_another_host_is_refused(youtube, channel):
    youtube.route(f"{UPLOAD}/videos", Reply(200, "", {"Location": "https://elsewhere.test/upload"}))
    with pytest.raises(ConnectorError, match="did not open an upload session"):
        connector(channel).publish("A ring", video=VIDEO)


def test_a_post_without_a_video_or_with_a_long_title_is_refused(youtube, channel):
    with pytest.raises(ConnectorError, match="needs a video") as caught:
        connector(channel).publish("Just words")
    assert caught.value.rejected
    with pytest.raises(ConnectorError, match="at most 100 characters"):
        connector(channel).publish("x", video=VIDEO, title="t" * 101)
    assert youtube.requests == []


def test_find_published_finds_the_upload_in_the_uploads_playlist(youtube, channel):
    """The recorded channel resource, served in a list answer as ``channels.list`` gives it."""
    youtube.route(
        f"{API}/channels",
        Reply(200, json.dumps({"items": [json.loads(body("channel_resource_full.json").body)]})),
    )
    youtube.route(f"{API}/playlistItems", body("playlistItems_list_p1.json"))
    since = datetime(2019, 11, 1, tzinfo=UTC)
    found = connector(channel).find_published(
        "k", "Welcome from Google Developers - Pittsburgh ML Summit ‘19", since
    )
    assert found is not None and found.url.startswith("https://www.youtube.com/watch?v=")
    (items,) = youtube.hits(f"{API}/playlistItems")
    assert query(items)["playlistId"] == "UU_x5XG1OV2P6uZZ5FSM9Ttw"
    assert connector(channel).find_published("k", "Never posted", since) is None
