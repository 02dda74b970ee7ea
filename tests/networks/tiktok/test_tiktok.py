"""The TikTok connector and its connect flow against a local TikTok. Nothing of TikTok
was recorded (../shared/data/recorded-api/SOURCES.md): every answer here follows the
shapes of TikTok for Developers' reference (developers.tiktok.com/doc: ``/v2/oauth/token/``,
``/v2/user/info/``, ``/v2/video/list/`` and ``/v2/video/query/``, the Content Posting
API's ``creator_info/query``, ``video/init``, ``inbox/video/init``, the chunked
``upload_url`` PUTs with ``Content-Range`` and ``status/fetch``), with every answer's
``{"data", "error": {"code", "message", "log_id"}}``."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from harken.networks.base import ConnectorError, MediaFile
from harken.networks.models import Account
from harken.networks.registry import connector_for
from harken.networks.tiktok import api
from harken.networks.tiktok.connector import TikTok
from tests.lib.localserver import Reply

CALLBACK = "http://testserver/networks/connect/tiktok/callback/"
TOKEN = "/v2/oauth/token/"
OK = {"code": "ok", "message": "", "log_id": "20261206000000"}
VIDEO = MediaFile(b"0123456789", "video/mp4")
CREATOR = "/v2/post/publish/creator_info/query/"
INIT = "/v2/post/publish/video/init/"
DRAFT = "/v2/post/publish/inbox/video/init/"
STATUS = "/v2/post/publish/status/fetch/"


def documented(data, status: int = 200, error=None) -> Reply:
    return Reply(
        status,
        json.dumps({"data": data, "error": error or OK}),
        {"Content-Type": "application/json"},
    )


def refused(code: str, message: str, status: int) -> Reply:
    return documented({}, status, {"code": code, "message": message, "log_id": "x"})


def form(seen) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(seen.body.decode()).items()}


@pytest.fixture
def tiktok(settings, loopback, server, monkeypatch):
    monkeypatch.setenv(api.CLIENT_KEY, "awtiktokkey")
    monkeypatch.setenv(api.CLIENT_SECRET, "tiktok-secret")
    monkeypatch.setattr(TikTok, "poll_interval", 0.0)
    settings.TIKTOK_AUTHORIZE_URL = "https://www.tiktok.test/v2/auth/authorize/"
    settings.TIKTOK_API_URL = server.base
    return server


@pytest.fixture
def creator(tiktok, workspace):
    return Account.objects.create(
        workspace=workspace,
        network="tiktok",
        handle="@harborstreet",
        external_id="-000OGBl8Fa1",
        config={
            "open_id": "-000OGBl8Fa1",
            "username": "harborstreet",
            "access_token": "act.1",
            "refresh_token": "rft.1",
            "expires_at": int(time.time()) + 20 * 3600,
        },
    )


def connector(account):
    return connector_for(Account.objects.get(pk=account.pk))


def upload_answers(tiktok, *replies: Reply) -> None:
    tiktok.route("/upload/", *replies)


def test_a_direct_post_asks_privacy_uploads_in_chunks_and_polls_until_published(
    tiktok, creator, monkeypatch
):
    monkeypatch.setattr(TikTok, "chunk_bytes", 4)
    tiktok.route(
        CREATOR,
        documented(
            {
                "creator_username": "harborstreet",
                "privacy_level_options": ["FOLLOWER_OF_CREATOR", "PUBLIC_TO_EVERYONE", "SELF_ONLY"],
                "max_video_post_duration_sec": 600,
            }
        ),
    )
    tiktok.route(
        INIT,
        documented(
            {
                "publish_id": "v_pub_file~v2-1.7301",
                "upload_url": tiktok.url("/upload/?upload_id=7301&upload_token=t"),
            }
        ),
    )
    upload_answers(tiktok, Reply(206), Reply(201))
    tiktok.route(
        STATUS,
        documented({"status": "PROCESSING_UPLOAD", "uploaded_bytes": 4}),
        documented({"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [7301234567890]}),
    )
    made = connector(creator).publish("Ring polishing, start to finish", media=[VIDEO])
    sent = json.loads(tiktok.hits(INIT)[0].body)
    assert sent["post_info"] == {
        "title": "Ring polishing, start to finish",
        "privacy_level": "PUBLIC_TO_EVERYONE",
    }
    assert sent["source_info"] == {
        "source": "FILE_UPLOAD",
        "video_size": 10,
        "chunk_size": 4,
        "total_chunk_count": 2,
    }
    first, last = tiktok.hits("/upload/")
    assert (first.method, first.body, first.headers["content-range"]) == (
        "PUT",
        b"0123",
        "bytes 0-3/10",
    )
    assert (last.body, last.headers["content-range"]) == (b"456789", "bytes 4-9/10")
    assert first.headers["content-type"] == "video/mp4"
    assert [json.loads(s.body) for s in tiktok.hits(STATUS)] == [
        {"publish_id": "v_pub_file~v2-1.7301"}
    ] * 2
    assert (made.external_id, made.url) == (
        "7301234567890",
        "https://www.tiktok.com/@harborstreet/video/7301234567890",
    )
    assert tiktok.hits(INIT)[0].headers["authorization"] == "Bearer act.1"


def test_a_draft_goes_to_the_inbox_without_post_info(tiktok, creator):
    tiktok.route(
        DRAFT,
        documented({"publish_id": "v_inbox_file~v2.1", "upload_url": tiktok.url("/upload/")}),
    )
    upload_answers(tiktok, Reply(201))
    tiktok.route(STATUS, documented({"status": "SEND_TO_USER_INBOX"}))
    made = connector(creator).publish("Draft", video=VIDEO, mode="draft")
    assert json.loads(tiktok.hits(DRAFT)[0].body) == {
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": 10,
            "chunk_size": 10,
            "total_chunk_count": 1,
        }
    }
    assert made.external_id == "v_inbox_file~v2.1" and tiktok.hits(CREATOR) == []


def test_an_unaudited_app_may_only_post_privately_and_a_public_ask_is_refused(tiktok, creator):
    tiktok.route(CREATOR, documented({"privacy_level_options": ["SELF_ONLY"]}))
    with pytest.raises(ConnectorError) as caught:
        connector(creator).publish("Public please", video=VIDEO, privacy="PUBLIC_TO_EVERYONE")
    assert caught.value.rejected and "SELF_ONLY" in caught.value.message
    assert tiktok.hits(INIT) == []


def test_a_failed_post_is_rejected_in_tiktoks_words(tiktok, creator):
    tiktok.route(CREATOR, documented({"privacy_level_options": ["SELF_ONLY"]}))
    tiktok.route(INIT, documented({"publish_id": "p.1", "upload_url": tiktok.url("/upload/")}))
    upload_answers(tiktok, Reply(201))
    tiktok.route(STATUS, documented({"status": "FAILED", "fail_reason": "duration_check_failed"}))
    with pytest.raises(ConnectorError) as caught:
        connector(creator).publish("Too long", video=VIDEO)
    assert caught.value.rejected and "duration_check_failed" in caught.value.message
    assert json.loads(tiktok.hits(INIT)[0].body)["post_info"]["privacy_level"] == "SELF_ONLY"


def test_tiktoks_spam_guard_rejects_the_post_and_an_invalid_token_means_reconnect(tiktok, creator):
    tiktok.route(CREATOR, documented({"privacy_level_options": ["PUBLIC_TO_EVERYONE"]}))
    tiktok.route(
        INIT,
        refused("spam_risk_too_many_posts", "The user has reached the daily post cap.", 400),
    )
    with pytest.raises(ConnectorError) as caught:
        connector(creator).publish("Again", video=VIDEO)
    assert caught.value.rejected and "(spam_risk_too_many_posts)" in caught.value.message
    assert len(tiktok.hits(INIT)) == 1  # a write is sent once
    tiktok.route(
        "/v2/user/info/",
        refused("access_token_invalid", "The access token is invalid or not found.", 401),
    )
    with pytest.raises(ConnectorError) as caught:
        connector(creator).metrics()
    assert caught.value.permanent and "reconnect" in caught.value.message


def test_a_post_without_a_video_is_refused_before_tiktok_is_asked(tiktok, creator):
    with pytest.raises(ConnectorError) as caught:
        connector(creator).publish("Words only")
    assert caught.value.rejected and tiktok.requests == []


def test_metrics_give_followers_and_the_recent_videos_figures(tiktok, creator):
    tiktok.route(
        "/v2/user/info/",
        documented(
            {
                "user": {
                    "open_id": "-000OGBl8Fa1",
                    "username": "harborstreet",
                    "follower_count": 5300,
                    "following_count": 12,
                    "likes_count": 88000,
                    "video_count": 61,
                }
            }
        ),
    )
    tiktok.route(
        "/v2/video/list/",
        documented(
            {
                "videos": [
                    {
                        "id": "1",
                        "view_count": 1000,
                        "like_count": 90,
                        "comment_count": 7,
                        "share_count": 3,
                    },
                    {
                        "id": "2",
                        "view_count": 500,
                        "like_count": 10,
                        "comment_count": 1,
                        "share_count": 0,
                    },
                ],
                "cursor": 0,
                "has_more": False,
            }
        ),
    )
    tiktok.route(
        "/v2/video/query/",
        documented(
            {
                "videos": [
                    {
                        "id": "7301",
                        "view_count": 42,
                        "like_count": 5,
                        "comment_count": 2,
                        "share_count": 1,
                    }
                ]
            }
        ),
    )
    found = connector(creator).metrics()
    assert (found.followers, found.following, found.posts) == (5300, 12, 61)
    assert found.extra == {
        "likes": 88000,
        "recent_views": 1500,
        "recent_likes": 100,
        "recent_comments": 8,
        "recent_shares": 3,
    }
    assert json.loads(tiktok.hits("/v2/video/list/")[0].body) == {"max_count": 20}
    assert connector(creator).post_metrics("7301") == {
        "views": 42,
        "likes": 5,
        "comments": 2,
        "shares": 1,
    }
    assert json.loads(tiktok.hits("/v2/video/query/")[0].body) == {
        "filters": {"video_ids": ["7301"]}
    }


def test_a_token_near_its_end_is_renewed_and_the_new_pair_kept(tiktok, creator):
    Account.objects.filter(pk=creator.pk).update(
        config={**creator.config, "expires_at": int(time.time()) + 600}
    )
    tiktok.route(
        TOKEN,
        Reply(
            200,
            json.dumps(
                {
                    "access_token": "act.2",
                    "expires_in": 86400,
                    "open_id": "-000OGBl8Fa1",
                    "refresh_expires_in": 31536000,
                    "refresh_token": "rft.2",
                    "scope": "user.info.basic,video.publish",
                    "token_type": "Bearer",
                }
            ),
            {"Content-Type": "application/json"},
        ),
    )
    tiktok.route("/v2/user/info/", documented({"user": {"follower_count": 1}}))
    tiktok.route("/v2/video/list/", documented({"videos": []}))
    made = connector(creator)
    made.metrics()
    assert form(tiktok.hits(TOKEN)[0]) == {
        "grant_type": "refresh_token",
        "refresh_token": "rft.1",
        "client_key": "awtiktokkey",
        "client_secret": "tiktok-secret",
    }
    kept = Account.objects.get(pk=creator.pk).config  # saved at once, for every worker
    assert (kept["access_token"], kept["refresh_token"], kept["open_id"]) == (
        "act.2",
        "rft.2",
        "-000OGBl8Fa1",
    )
    assert made.config["access_token"] == "act.2" and "renewing" not in kept
    made.metrics()
    assert len(tiktok.hits(TOKEN)) == 1  # renewed once, not at every call


def test_reading_asks_tiktok_nothing(tiktok, creator):
    assert connector(creator).fetch(None).items == [] and tiktok.requests == []
    assert "fetch" not in connector(creator).capabilities
    assert "no way to read the comments" in connector(creator).unreadable


def test_connecting_keeps_the_account(alice_client, workspace, tiktok):
    tiktok.route(
        TOKEN,
        Reply(
            200,
            json.dumps(
                {
                    "access_token": "act.1",
                    "expires_in": 86400,
                    "open_id": "-000OGBl8Fa1",
                    "refresh_expires_in": 31536000,
                    "refresh_token": "rft.1",
                    "scope": "user.info.basic",
                    "token_type": "Bearer",
                }
            ),
            {"Content-Type": "application/json"},
        ),
    )
    tiktok.route(
        "/v2/user/info/",
        documented({"user": {"open_id": "-000OGBl8Fa1", "username": "harborstreet"}}),
    )
    response = alice_client.post(reverse("networks:connect_start", args=["tiktok"]))
    sent = parse_qs(urlsplit(response["Location"]).query)
    assert sent["client_key"] == ["awtiktokkey"] and sent["redirect_uri"] == [CALLBACK]
    assert "video.publish" in sent["scope"][0].split(",")
    response = alice_client.get(
        reverse("networks:connect_callback", args=["tiktok"]),
        {"code": "the-code", "state": sent["state"][0]},
    )
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("@harborstreet is connected; TikTok's API gives apps no way")
    assert form(tiktok.hits(TOKEN)[0])["code"] == "the-code"
    account = Account.objects.get(workspace=workspace, network="tiktok")
    assert (account.external_id, account.config["refresh_token"]) == ("-000OGBl8Fa1", "rft.1")


def test_a_refused_code_shows_tiktoks_words_and_connects_nothing(alice_client, workspace, tiktok):
    tiktok.route(
        TOKEN,
        Reply(
            400,
            json.dumps(
                {
                    "error": "invalid_grant",
                    "error_description": "Authorization code is expired.",
                    "log_id": "x",
                }
            ),
            {"Content-Type": "application/json"},
        ),
    )
    response = alice_client.post(reverse("networks:connect_start", args=["tiktok"]))
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    response = alice_client.get(
        reverse("networks:connect_callback", args=["tiktok"]), {"code": "old", "state": state}
    )
    assert (
        "TikTok refused the sign-in: Authorization code is expired. (invalid_grant)"
        in [str(m) for m in get_messages(response.wsgi_request)][0]
    )
    assert not Account.objects.filter(workspace=workspace, network="tiktok").exists()


def test_the_accounts_page_says_tiktok_comments_cannot_be_read(alice_client, tiktok):
    page = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-tiktok"' in page and "no way to read the comments" in page


def test_tiktoks_rate_limit_on_a_post_is_waited_out_not_refused(tiktok, creator):
    tiktok.route(CREATOR, documented({"privacy_level_options": ["SELF_ONLY"]}))
    limited = refused("rate_limit_exceeded", "API rate limit was exceeded.", 429)
    limited.headers["Retry-After"] = "30"
    tiktok.route(INIT, limited)
    with pytest.raises(ConnectorError) as caught:
        connector(creator).publish("Soon", video=VIDEO)
    error = caught.value
    assert not error.permanent and not error.rejected and error.retry_after == 30
    assert len(tiktok.hits(INIT)) == 1


def test_a_refresh_token_near_its_end_warns_the_owners_once(tiktok, creator, alice, mailoutbox):
    Account.objects.filter(pk=creator.pk).update(
        config={**creator.config, "refresh_expires_at": int(time.time()) + 3 * 86400}
    )
    tiktok.route("/v2/user/info/", documented({"user": {"follower_count": 1}}))
    tiktok.route("/v2/video/list/", documented({"videos": []}))
    connector(creator).metrics()
    connector(creator).metrics()
    (mail,) = mailoutbox
    assert mail.to == [alice.email] and mail.subject.startswith(
        "Reconnect @harborstreet on TikTok before"
    )
