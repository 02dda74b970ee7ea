"""The Instagram connector against a local Graph API answering with the bodies recorded
from the real one (../shared/data/recorded-api/instagram-graph/). Container creation and
``media_publish`` were never recorded (python-facebook's copies are Meta's doc samples):
those answers are the documented ``{"id": ...}``, and the tests say so."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from harken.networks.base import ConnectorError
from harken.networks.instagram.connector import HIDDEN, Instagram
from harken.networks.registry import connector_for
from tests.lib.localserver import Reply
from tests.networks.facebook.graph_local import EMPTY, body, error, path, query, recorded

IG = "17841406338772941"  # the python-facebook authors' account (ikroskun)
MEDIA = "17896622936197745"  # its recorded media with six comments
TOKEN = "page-token"  # noqa: S105


def ig(name: str) -> Reply:
    return body(name, "instagram-graph")


def account(**config) -> Instagram:
    connector = Instagram(
        {"ig_user_id": IG, "username": "ikroskun", "page_id": "1", "page_token": TOKEN, **config}
    )
    connector.sleep = lambda seconds: None  # container polling waits no wall time in tests
    return connector


def comments_page() -> Reply:
    """A comments page holding the two recorded comments that carry their usernames."""
    found = list(json.loads(recorded("ig_comments_by_ids.json", "instagram-graph")).values())
    return Reply(200, json.dumps({"data": found}), {"Content-Type": "application/json"})


@pytest.fixture
def media(meta):
    meta.route(path(IG, "media"), ig("ig_user_media_p1.json"))
    meta.route(path(MEDIA, "comments"), comments_page())
    meta.route(path(IG, "tags"), ig("ig_user_tags.json"))
    return meta


def test_fetch_reads_comments_on_the_accounts_media(media):
    got = account().fetch(None)
    assert [(i.external_id, i.author_handle, i.kind) for i in got.items] == [
        ("17892250648466172", "ikroskun", "comment"),
        ("17858154961981086", "lixiangguodu123", "comment"),
    ]
    first, second = got.items
    assert (second.text, second.in_reply_to, second.conversation_id) == ("Beautiful!", MEDIA, MEDIA)
    assert first.is_own and not second.is_own  # the account's own comment is ours
    assert got.cursor == datetime(2020, 6, 1, 10, 56, 52, tzinfo=UTC).isoformat()
    # Media without comments cost no call.
    assert media.hits(path("17895731045244887", "comments")) == []
    asked = query(media.hits(path(MEDIA, "comments"))[0])
    assert "replies{" in asked["fields"] and "username" in asked["fields"]


def test_tags_without_the_taggers_name_are_skipped_with_the_reason(media):
    got = account().fetch(None)
    tags = json.loads(recorded("ig_user_tags.json", "instagram-graph"))["data"]
    assert got.skipped == [(t["id"], HIDDEN) for t in tags]


def test_a_cursor_returns_only_newer_comments(media):
    cursor = datetime(2020, 3, 1, tzinfo=UTC).isoformat()
    got = account().fetch(cursor)
    assert [i.external_id for i in got.items] == ["17858154961981086"]


def test_replies_thread_under_their_comment(meta):
    """A comments page holding the recorded comment with its replies."""
    full = json.loads(recorded("ig_comment_full.json", "instagram-graph"))
    full["replies"]["data"][0]["username"] = "ikroskun"  # asked for; python-facebook did not
    meta.route(path(IG, "media"), ig("ig_user_media_p1.json"))
    meta.route(path(MEDIA, "comments"), Reply(200, json.dumps({"data": [full]})))
    meta.route(path(IG, "tags"), Reply(200, EMPTY))
    comment, reply = account().fetch(None).items
    assert (reply.kind, reply.in_reply_to, reply.conversation_id) == (
        "reply",
        comment.external_id,
        MEDIA,
    )


def test_a_carousel_goes_container_status_publish(meta):
    """Container and media_publish answers are Meta's documented ``{"id": ...}``."""
    meta.route(path(IG, "content_publishing_limit"), ig("ig_content_publishing_limit.json"))
    meta.route(
        path(IG, "media"),
        Reply(200, '{"id": "c1"}'),
        Reply(200, '{"id": "c2"}'),
        Reply(200, '{"id": "carousel"}'),
    )
    status = recorded("ig_container_status.json", "instagram-graph")
    for container in ("c1", "c2", "carousel"):
        meta.route(path(container), Reply(200, status))
    meta.route(path(IG, "media_publish"), Reply(200, '{"id": "17889114512354744"}'))
    meta.route(path("17889114512354744"), ig("ig_media_carousel_full.json"))
    done = account().publish(
        "Two rings #jewelry", image_urls=["https://cdn.example/a.jpg", "https://cdn.example/b.jpg"]
    )
    assert done.external_id == "17889114512354744"
    assert done.url.startswith("https://www.instagram.com/p/")
    children, _, carousel = (query(seen) for seen in meta.hits(path(IG, "media")))
    assert (children["image_url"], children["is_carousel_item"]) == (
        "https://cdn.example/a.jpg",
        "true",
    )
    assert (carousel["media_type"], carousel["children"], carousel["caption"]) == (
        "CAROUSEL",
        "c1,c2",
        "Two rings #jewelry",
    )
    assert query(meta.hits(path(IG, "media_publish"))[0])["creation_id"] == "carousel"


def test_publishing_waits_for_a_container_in_progress(meta):
    """An IN_PROGRESS status (documented shape) before the recorded FINISHED one."""
    meta.route(path(IG, "content_publishing_limit"), ig("ig_content_publishing_limit.json"))
    meta.route(path(IG, "media"), Reply(200, '{"id": "c1"}'))
    meta.route(
        path("c1"),
        Reply(200, '{"status_code": "IN_PROGRESS", "id": "c1"}'),
        ig("ig_container_status.json"),
    )
    meta.route(path(IG, "media_publish"), Reply(200, '{"id": "m1"}'))
    meta.route(
        path("m1"), Reply(200, '{"permalink": "https://www.instagram.com/p/x/", "id": "m1"}')
    )
    waits: list[float] = []
    connector = account()
    connector.sleep = waits.append
    assert (
        connector.publish("One ring", image_urls=["https://cdn.example/a.jpg"]).external_id == "m1"
    )
    assert waits == [Instagram.status_wait]
    assert len(meta.hits(path(IG, "media_publish"))) == 1


def test_a_container_in_error_is_refused_and_never_published(meta):
    meta.route(path(IG, "content_publishing_limit"), ig("ig_content_publishing_limit.json"))
    meta.route(path(IG, "media"), Reply(200, '{"id": "c1"}'))
    meta.route(
        path("c1"),
        Reply(200, '{"status_code": "ERROR", "status": "Error: unsupported image", "id": "c1"}'),
    )
    with pytest.raises(ConnectorError) as raised:
        account().publish("One ring", image_urls=["https://cdn.example/a.gif"])
    assert raised.value.rejected and "unsupported image" in raised.value.message
    assert meta.hits(path(IG, "media_publish")) == []


def test_the_publishing_limit_is_respected(meta):
    """A quota used up: the recorded limit answer with its usage at the total."""
    limit = json.loads(recorded("ig_content_publishing_limit.json", "instagram-graph"))
    limit["data"][0]["quota_usage"] = limit["data"][0]["config"]["quota_total"]
    meta.route(path(IG, "content_publishing_limit"), Reply(200, json.dumps(limit)))
    with pytest.raises(ConnectorError) as raised:
        account().publish("One ring", image_urls=["https://cdn.example/a.jpg"])
    assert not raised.value.rejected and not raised.value.permanent and raised.value.retry_after
    assert "allows 25 posts" in raised.value.message and meta.hits(path(IG, "media")) == []


@pytest.mark.parametrize(
    ("caption", "words"),
    [
        ("x" * 2201, "at most 2200 characters"),
        (" ".join(f"#t{n}" for n in range(31)), "at most 30 hashtags"),
        (" ".join(f"@p{n}" for n in range(21)), "at most 20 @-mentions"),
    ],
)
def test_a_caption_over_instagrams_limits_is_refused_before_any_call(meta, caption, words):
    with pytest.raises(ConnectorError, match=words) as raised:
        account().publish(caption, image_urls=["https://cdn.example/a.jpg"])
    assert raised.value.rejected and meta.requests == []


def test_a_post_without_an_image_is_refused(meta):
    with pytest.raises(ConnectorError) as raised:
        account().publish("Only words")
    assert raised.value.rejected and meta.requests == []


def test_find_published_finds_the_media_with_the_caption(meta):
    meta.route(path(IG, "media"), ig("ig_user_media_p2.json"))
    media = json.loads(recorded("ig_user_media_p2.json", "instagram-graph"))["data"]
    mine = next(m for m in media if m.get("caption"))
    since = datetime.fromisoformat(mine["timestamp"].replace("+0000", "+00:00"))
    found = account().find_published("key", mine["caption"], since)
    assert found is not None and found.external_id == mine["id"]
    assert account().find_published("key", "never posted", since) is None


def test_reply_answers_the_comment_a_reply_hangs_from(meta):
    """Meta's documented ``{"id": ...}`` answer to POST /{comment}/replies."""
    meta.route(
        path("17845747489952795"),
        Reply(200, '{"id": "17845747489952795", "parent_id": "17892250648466172"}'),
    )
    meta.route(path("17892250648466172", "replies"), Reply(200, '{"id": "17900000000000001"}'))
    done = account().reply("17845747489952795", "Thank you!")
    assert done.external_id == "17900000000000001"
    assert query(meta.hits(path("17892250648466172", "replies"))[0])["message"] == "Thank you!"


def test_metrics_read_followers_insights_and_the_publishing_limit(meta):
    meta.route(path("17841407673135339"), ig("ig_user.json"))
    meta.route(path("17841407673135339", "insights"), ig("ig_user_insights_total_value.json"))
    meta.route(
        path("17841407673135339", "content_publishing_limit"),
        ig("ig_content_publishing_limit.json"),
    )
    got = account(ig_user_id="17841407673135339").metrics()
    assert (got.followers, got.posts) == (64363, 427)
    assert got.extra["reach"] == 14516883
    assert (got.extra["publishing_used"], got.extra["publishing_limit"]) == (0, 25)


def test_media_metrics_read_likes_comments_reach_and_saves(meta):
    meta.route(
        path("17846368219941692"),
        Reply(200, '{"like_count": 3, "comments_count": 6, "id": "17846368219941692"}'),
    )
    meta.route(path("17846368219941692", "insights"), ig("ig_media_insights.json"))
    got = account().post_metrics("17846368219941692")
    assert (got["likes"], got["comments"], got["reach"], got["saved"]) == (3, 6, 5, 0)


def test_an_unknown_path_keeps_instagrams_words(meta):
    meta.route(
        path(IG, "media"),
        Reply(400, recorded("ig_error_2500_unknown_path.json", "instagram-graph")),
    )
    with pytest.raises(ConnectorError, match="Unknown path components") as raised:
        account().fetch(None)
    assert not raised.value.permanent


def test_an_expired_token_needs_a_reconnect(meta):
    """Meta's documented 190 error shape."""
    meta.route(
        path(IG, "media"),
        error(
            190,
            "Error validating access token: The session has been invalidated because the user changed their password.",
            subcode=460,
        ),
    )
    with pytest.raises(ConnectorError, match="the password was changed") as raised:
        account().fetch(None)
    assert raised.value.permanent


def test_the_registry_serves_it_with_its_limits():
    assert isinstance(
        connector_for(network="instagram", config={"ig_user_id": IG, "page_token": TOKEN}),
        Instagram,
    )
    assert (Instagram.max_chars, Instagram.max_hashtags, Instagram.max_mentions) == (2200, 30, 20)
    assert Instagram.needs_media and Instagram.image_types == frozenset({"image/jpeg"})


def test_media_instagram_cannot_fetch_refuses_the_post_not_the_account(meta):
    """Meta's documented error 9004 ("Media download has failed") on creating a container."""
    meta.route(path(IG, "content_publishing_limit"), ig("ig_content_publishing_limit.json"))
    meta.route(
        path(IG, "media"),
        error(9004, "Only photo or video can be accepted as media type.", subcode=2207052),
    )
    with pytest.raises(ConnectorError) as raised:
        account().publish("One ring", image_urls=["https://cdn.example/a.jpg"])
    assert raised.value.rejected and not raised.value.permanent
    assert "Instagram refused the post" in raised.value.message
