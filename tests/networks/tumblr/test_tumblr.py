"""The Tumblr connector and its connect flow against a local Tumblr API. The blog's posts
and info are recorded (../shared/data/recorded-api/tumblr/); notes, user info, tokens, an
NPF post's creation and the errors follow Tumblr's API reference (github.com/tumblr/docs
api.md: ``/notes`` with ``mode=conversation``, ``/user/info``, ``POST /posts`` answering
``201 {"id": ...}``, OAuth 2.0's ``/v2/oauth2/token``), as no recording exists."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from harken.networks.base import ConnectorError, MediaFile
from harken.networks.models import Account
from harken.networks.registry import connector_for
from tests.lib.localserver import Reply
from tests.networks.tumblr.tumblr_local import (
    BLOG,
    BLOG_UUID,
    CLIENT_ID,
    CLIENT_SECRET,
    TOKEN,
    answer,
    blog_account,
    blog_info,
    error,
    posts,
    query,
)

NOTES = f"/v2/blog/{BLOG}/notes"
POSTS = f"/v2/blog/{BLOG}/posts"
FIRST_POST = "22383005154"  # the newest recorded post
CALLBACK = "http://testserver/networks/connect/tumblr/callback/"
TOKENS = Reply(
    200,
    json.dumps(
        {
            "access_token": "access-2",
            "expires_in": 2520,
            "token_type": "bearer",
            "scope": "basic write offline_access",
            "refresh_token": "refresh-2",
        }
    ),
)


def notes(*found: dict, before: int | None = None, **totals: int) -> Reply:
    links = {}
    if before is not None:
        links = {
            "next": {
                "method": "GET",
                "query_params": {"mode": "conversation", "before_timestamp": before},
            }
        }
    return answer({"notes": list(found), "_links": links, **totals})


REPLY = {
    "type": "reply",
    "timestamp": 1700000100,
    "blog_name": "ringlover",
    "blog_uuid": "t:ringlover",
    "blog_url": "https://ringlover.tumblr.com/",
    "reply_text": "Where can I buy the blue one?",
}
REBLOG = {
    "type": "reblog",
    "timestamp": 1700000050,
    "blog_name": "gemfan",
    "blog_uuid": "t:gemfan",
    "blog_url": "https://gemfan.tumblr.com/",
    "post_id": "7300000000000",
    "added_text": "this shop is lovely",
}
LIKE = {"type": "like", "timestamp": 1700000000, "blog_name": "quiet", "blog_uuid": "t:quiet"}


@pytest.fixture
def blog(tumblr, workspace):
    return blog_account(workspace)


def connector(account: Account):
    return connector_for(Account.objects.get(pk=account.pk))


def test_fetch_reads_replies_and_reblogs_with_words_under_their_post(tumblr, blog):
    tumblr.route(POSTS, posts())
    tumblr.route(NOTES, notes(REPLY, REBLOG, LIKE), notes())
    page = connector(blog).fetch(None)
    first = tumblr.hits(NOTES)[0]
    assert query(first) == {"id": FIRST_POST, "mode": "conversation"}
    assert len(tumblr.hits(NOTES)) == 10  # the ten newest posts with notes
    assert [i.text for i in page.items] == ["this shop is lovely", "Where can I buy the blue one?"]
    reblog, reply = page.items
    assert (reply.external_id, reply.author_handle) == (
        f"{FIRST_POST}:t:ringlover:1700000100",
        "ringlover",
    )
    assert (reply.in_reply_to, reply.conversation_id) == (FIRST_POST, FIRST_POST)
    assert (
        reply.url
        == "http://staff.tumblr.com/post/22383005154/joey-the-ministry-of-design-has-a-flag-now"
    )
    assert reblog.external_id == "7300000000000"
    assert reblog.url == "https://gemfan.tumblr.com/post/7300000000000"
    assert page.cursor == datetime.fromtimestamp(1700000100, UTC).isoformat()


def test_fetch_from_a_cursor_pages_back_to_it(tumblr, blog):
    tumblr.route(POSTS, posts())
    tumblr.route(NOTES, notes(REPLY, before=1700000100), notes(REBLOG, before=1700000050), notes())
    since = datetime.fromtimestamp(1700000060, UTC)
    page = connector(blog).fetch(since.isoformat())
    assert [i.text for i in page.items] == ["Where can I buy the blue one?"]
    assert query(tumblr.hits(NOTES)[1])["before_timestamp"] == "1700000100"


def test_publish_sends_an_npf_text_and_link_post(tumblr, blog):
    tumblr.route(POSTS, answer({"id": "1234567891234567", "state": "published"}, 201, "Created"))
    made = connector(blog).publish(
        "New rings.\n\nCome and see.", link="https://harbor.example/rings", tags=["#rings"]
    )
    (sent,) = tumblr.hits(POSTS)
    assert sent.method == "POST" and sent.headers["authorization"] == "Bearer access-1"
    assert json.loads(sent.body) == {
        "content": [
            {"type": "text", "text": "New rings."},
            {"type": "text", "text": "Come and see."},
            {"type": "link", "url": "https://harbor.example/rings"},
        ],
        "state": "published",
        "tags": "rings",
    }
    assert made.external_id == "1234567891234567"
    assert made.url == "https://www.tumblr.com/staff/1234567891234567"


def test_a_refused_post_is_rejected_in_tumblrs_words(tumblr, blog):
    tumblr.route(POSTS, error(400, "Bad Request", "Posts need content."))
    with pytest.raises(ConnectorError) as caught:
        connector(blog).publish("x")
    assert caught.value.rejected and "Posts need content. (HTTP 400)" in caught.value.message


def test_find_published_matches_the_posts_text_since_the_crash(tumblr, blog):
    post = {
        "id_string": "99",
        "timestamp": 1700000000,
        "post_url": "https://staff.tumblr.com/post/99",
        "content": [
            {"type": "text", "text": "New rings."},
            {"type": "text", "text": "Come and see."},
        ],
    }
    tumblr.route(POSTS, answer({"posts": [post]}))
    since = datetime.fromtimestamp(1699999999, UTC)
    found = connector(blog).find_published("k", "New rings. Come and see.", since)
    assert found is not None and found.external_id == "99"
    assert connector(blog).find_published("k", "Something else", since) is None


def test_metrics_read_followers_and_posts(tumblr, blog):
    tumblr.route(f"/v2/blog/{BLOG}/info", blog_info())
    tumblr.route(f"/v2/blog/{BLOG}/followers", answer({"total_users": 2817, "users": []}))
    found = connector(blog).metrics()
    assert (found.followers, found.posts) == (2817, 1682)


def test_post_metrics_count_notes(tumblr, blog):
    tumblr.route(NOTES, notes(LIKE, total_notes=1408, total_likes=1000, total_reblogs=408))
    assert connector(blog).post_metrics(FIRST_POST) == {
        "notes": 1408,
        "likes": 1000,
        "reblogs": 408,
    }


def test_an_expired_token_is_renewed_once_and_the_new_pair_kept(tumblr, blog):
    tumblr.route(
        f"/v2/blog/{BLOG}/info",
        error(401, "Unauthorized", "Unable to authorize", 1016),
        blog_info(),
    )
    tumblr.route(f"/v2/blog/{BLOG}/followers", answer({"total_users": 1}))
    tumblr.route(TOKEN, TOKENS)
    connector(blog).metrics()
    (renewal,) = tumblr.hits(TOKEN)
    assert (
        query(renewal)["refresh_token"] == "refresh-1"
        and query(renewal)["client_secret"] == CLIENT_SECRET
    )
    blog.refresh_from_db()
    assert (blog.config["access_token"], blog.config["refresh_token"]) == ("access-2", "refresh-2")


def test_a_refused_token_means_reconnect(tumblr, workspace):
    account = blog_account(workspace, refresh_token="")
    tumblr.route(f"/v2/blog/{BLOG}/info", error(401, "Unauthorized", "Unable to authorize", 1016))
    with pytest.raises(ConnectorError) as caught:
        connector(account).metrics()
    assert caught.value.permanent and "Unable to authorize (HTTP 401)" in caught.value.message


def test_the_daily_allowance_stops_calls_until_its_reset(tumblr, blog):
    tumblr.route(
        POSTS,
        answer(
            {"posts": []},
            **{"X-Ratelimit-Perday-Remaining": "0", "X-Ratelimit-Perday-Reset": "600"},
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        connector(blog).fetch(None)
    assert not caught.value.permanent and caught.value.retry_after == 600


# --- connecting --------------------------------------------------------------------


def start(client, blog: str = "") -> dict[str, list[str]]:
    response = client.post(
        reverse("networks:connect_start", args=["tumblr"]), {"tumblr-blog": blog}
    )
    assert response.status_code == 302, response.content
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://www.tumblr.test/oauth2/authorize"
    return parse_qs(url.query)


def user_info() -> Reply:
    blogs = [
        {"name": "harborstreet", "uuid": "t:harbor", "primary": True},
        {"name": BLOG, "uuid": BLOG_UUID, "primary": False},
    ]
    return answer({"user": {"name": "alice", "blogs": blogs}})


def test_connecting_keeps_the_chosen_blog_and_its_tokens(alice_client, workspace, tumblr):
    tumblr.route(TOKEN, TOKENS)
    tumblr.route("/v2/user/info", user_info())
    sent = start(alice_client, blog="STAFF")
    assert sent["client_id"] == [CLIENT_ID] and sent["redirect_uri"] == [CALLBACK]
    assert sent["scope"] == ["basic write offline_access"]
    response = alice_client.get(
        reverse("networks:connect_callback", args=["tumblr"]),
        {"code": "c", "state": sent["state"][0]},
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "staff is connected; Harken reads its mentions."
    ]
    (exchange,) = tumblr.hits(TOKEN)
    assert (
        query(exchange)["grant_type"] == "authorization_code"
        and query(exchange)["redirect_uri"] == CALLBACK
    )
    account = Account.objects.get(workspace=workspace, network="tumblr")
    assert (account.external_id, account.handle) == (BLOG_UUID, BLOG)
    assert account.config["refresh_token"] == "refresh-2"


def test_a_blog_the_person_does_not_have_is_refused(alice_client, workspace, tumblr):
    tumblr.route(TOKEN, TOKENS)
    tumblr.route("/v2/user/info", user_info())
    sent = start(alice_client, blog="rival")
    response = alice_client.get(
        reverse("networks:connect_callback", args=["tumblr"]),
        {"code": "c", "state": sent["state"][0]},
    )
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "no Tumblr blog called “rival”; yours are: harborstreet, staff" in message
    assert not Account.objects.filter(workspace=workspace).exists()


def test_the_accounts_page_offers_tumblr(alice_client, tumblr):
    page = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-tumblr"' in page and CALLBACK in page


def test_images_go_up_with_the_post_as_npf_image_blocks(tumblr, blog):
    """No upload was recorded (../shared/data/recorded-api/tumblr/ holds posts and blog
    info): the multipart form (a ``json`` part, each file a part named by its media
    object's ``identifier``) follows Tumblr's API docs (github.com/tumblr/docs, api.md
    "Creating a post" and npf-spec.md "Content Block Type: Image")."""
    tumblr.route(POSTS, answer({"id": "1234567891234568", "state": "published"}, 201, "Created"))
    ring = MediaFile(b"\xff\xd8ring", "image/jpeg", "A garnet ring on slate.")
    chain = MediaFile(b"\x89PNGchain", "image/png", "")
    made = connector(blog).publish("New rings.", media=[ring, chain])
    (sent,) = tumblr.hits(POSTS)
    form = message_from_bytes(
        f"Content-Type: {sent.headers['content-type']}\r\n\r\n".encode() + sent.body,
        policy=default,
    )
    parts = {
        part.get_param("name", header="content-disposition"): part for part in form.iter_parts()
    }
    assert json.loads(parts["json"].get_content()) == {
        "content": [
            {
                "type": "image",
                "media": [{"type": "image/jpeg", "identifier": "image0"}],
                "alt_text": "A garnet ring on slate.",
            },
            {"type": "image", "media": [{"type": "image/png", "identifier": "image1"}]},
            {"type": "text", "text": "New rings."},
        ],
        "state": "published",
    }
    assert parts["image0"].get_content() == b"\xff\xd8ring"
    assert parts["image0"].get_content_type() == "image/jpeg"
    assert parts["image1"].get_content() == b"\x89PNGchain"
    assert made.external_id == "1234567891234568"
