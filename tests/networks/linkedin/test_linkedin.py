"""The LinkedIn page connector and its connect flow against a local LinkedIn. Errors are
served as recorded (../shared/data/recorded-api/linkedin/); posts, comments, statistics,
page lists and tokens follow LinkedIn's Community Management API reference (documented
shapes: ``elements`` lists, ``x-restli-id`` on a created post), as nothing was recorded."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from harken.networks.base import ConnectorError, MediaFile
from harken.networks.models import Account
from harken.networks.registry import connector_for
from tests.lib.localserver import Reply
from tests.networks.linkedin.linkedin_local import (
    ACTIVITY,
    CLIENT_ID,
    CLIENT_SECRET,
    COMMENT,
    ORG,
    POST,
    REPLY,
    cassette,
    documented,
    page_account,
    query,
    rest,
)

POSTS = {
    "elements": [
        {"id": POST, "author": ORG, "commentary": "Spring rings", "createdAt": 1700000000000}
    ]
}
COMMENTS = {
    "elements": [
        {
            "actor": "urn:li:person:B3_x",
            "commentUrn": COMMENT,
            "id": "6844786025693421568",
            "message": {"text": "Do you ship to Canada?"},
            "created": {"actor": "urn:li:person:B3_x", "time": 1700000100000},
            "object": ACTIVITY,
            "commentsSummary": {"aggregatedTotalComments": 1},
        }
    ]
}
REPLIES = {
    "elements": [
        {
            "actor": ORG,
            "commentUrn": REPLY,
            "message": {"text": "We do!"},
            "created": {"actor": ORG, "time": 1700000200000},
            "object": ACTIVITY,
            "parentComment": COMMENT,
        }
    ]
}
CALLBACK = "http://testserver/networks/connect/linkedin/callback/"
TOKENS = {
    "access_token": "access-2",
    "expires_in": 5184000,
    "scope": "r_organization_social,w_organization_social,rw_organization_admin",
}


@pytest.fixture
def page(linkedin, workspace):
    return page_account(workspace)


def connector(account: Account):
    return connector_for(Account.objects.get(pk=account.pk))


def test_fetch_reads_comments_and_replies_on_the_pages_posts(linkedin, page):
    linkedin.route("/rest/posts", documented(POSTS))
    linkedin.route(rest("socialActions", POST, "comments"), documented(COMMENTS))
    linkedin.route(rest("socialActions", COMMENT, "comments"), documented(REPLIES))
    got = connector(page).fetch(None)
    (posts,) = linkedin.hits("/rest/posts")
    assert query(posts)["author"] == ORG and query(posts)["q"] == "author"
    assert posts.headers["linkedin-version"] == "202511"
    assert posts.headers["x-restli-protocol-version"] == "2.0.0"
    assert f"author={ORG.replace(':', '%3A')}" in posts.path  # the URN encoded whole
    comment, reply = got.items
    assert (comment.kind, comment.text, comment.author_id) == (
        "comment",
        "Do you ship to Canada?",
        "urn:li:person:B3_x",
    )
    assert (comment.in_reply_to, comment.conversation_id) == (POST, POST)
    assert (reply.kind, reply.in_reply_to, reply.is_own) == ("reply", COMMENT, True)
    assert got.cursor == datetime.fromtimestamp(1700000200, UTC).isoformat()
    later = connector(page).fetch(got.cursor)
    assert [i.external_id for i in later.items] == [REPLY]  # its own second, for the dedupe


def test_reply_comments_as_the_page_under_the_comment(linkedin, page):
    linkedin.route(
        rest("socialActions", COMMENT, "comments"), documented(REPLIES["elements"][0], 201)
    )
    made = connector(page).reply(COMMENT, "We do!")
    (sent,) = linkedin.hits(rest("socialActions", COMMENT, "comments"))
    assert json.loads(sent.body) == {
        "actor": ORG,
        "message": {"text": "We do!"},
        "object": ACTIVITY,
        "parentComment": COMMENT,
    }
    assert made.external_id == REPLY


def test_publish_posts_as_the_page_with_the_api_version(linkedin, page):
    linkedin.route("/rest/posts", documented({}, 201, **{"x-restli-id": "urn:li:share:7000"}))
    made = connector(page).publish(
        "New rings (spring)", link="https://harbor.example/rings", title="Rings"
    )
    (sent,) = linkedin.hits("/rest/posts")
    body = json.loads(sent.body)
    assert body["author"] == ORG and body["commentary"] == "New rings \\(spring\\)"
    assert body["content"] == {
        "article": {"source": "https://harbor.example/rings", "title": "Rings"}
    }
    assert body["lifecycleState"] == "PUBLISHED" and body["visibility"] == "PUBLIC"
    assert sent.headers["linkedin-version"] == "202511"
    assert made.external_id == "urn:li:share:7000"


def test_a_long_post_is_refused_before_linkedin_is_asked(linkedin, page):
    with pytest.raises(ConnectorError) as caught:
        connector(page).publish("x" * 3001)
    assert caught.value.rejected and linkedin.requests == []


def test_find_published_finds_the_post_by_its_text(linkedin, page):
    linkedin.route(
        "/rest/posts",
        documented(
            {
                "elements": [
                    {
                        "id": "urn:li:share:7000",
                        "commentary": "New rings \\(spring\\)",
                        "createdAt": 1700000000000,
                    }
                ]
            }
        ),
    )
    since = datetime.fromtimestamp(1699999999, UTC)
    assert (
        connector(page).find_published("k", "New rings (spring)", since).external_id
        == "urn:li:share:7000"
    )
    assert connector(page).find_published("k", "Other", since) is None


def test_metrics_read_followers_and_share_statistics(linkedin, page):
    linkedin.route(rest("networkSizes", ORG), documented({"firstDegreeSize": 1523}))
    stats = {
        "elements": [
            {
                "totalShareStatistics": {
                    "impressionCount": 9000,
                    "clickCount": 120,
                    "likeCount": 80,
                    "engagement": 0.02,
                }
            }
        ]
    }
    linkedin.route("/rest/organizationalEntityShareStatistics", documented(stats))
    found = connector(page).metrics()
    assert found.followers == 1523
    assert found.extra == {
        "impressionCount": 9000,
        "clickCount": 120,
        "likeCount": 80,
        "engagement": 0.02,
    }


def test_the_recorded_invalid_token_answer_means_reconnect(linkedin, page):
    linkedin.route("/rest/posts", cassette("v2_organizations_get_401_invalid_token.yaml"))
    with pytest.raises(ConnectorError) as caught:
        connector(page).fetch(None)
    assert caught.value.permanent
    assert "Invalid access token (code 65600)" in caught.value.message


def test_the_recorded_permission_refusal_is_permanent(linkedin, page):
    linkedin.route("/rest/posts", cassette("v2_me_403_unpermitted_fields.yaml"))
    with pytest.raises(ConnectorError) as caught:
        connector(page).fetch(None)
    assert (
        caught.value.permanent and "Unpermitted fields present in PARAMETER" in caught.value.message
    )


def test_the_recorded_server_error_is_transient(linkedin, page):
    linkedin.route("/rest/posts", cassette("v2_people_url_500.yaml"))
    with pytest.raises(ConnectorError) as caught:
        connector(page).fetch(None)
    assert not caught.value.permanent and len(linkedin.hits("/rest/posts")) == 3


def test_an_unrenewable_token_warns_the_owners_once_a_week_before(
    linkedin, workspace, alice, mailoutbox
):
    account = page_account(workspace, expires_at=int(time.time()) + 3 * 24 * 3600)
    linkedin.route("/rest/posts", documented({"elements": []}))
    connector(account).fetch(None)
    connector(account).fetch(None)
    (mail,) = mailoutbox
    assert (
        mail.to == [alice.email] and "Reconnect Harbor Street Jewelers on LinkedIn" in mail.subject
    )


def test_a_refreshable_token_is_renewed_before_it_ends(linkedin, workspace, mailoutbox):
    account = page_account(workspace, expires_at=int(time.time()) + 3600, refresh_token="refresh-1")
    linkedin.route(
        "/oauth/v2/accessToken",
        documented({**TOKENS, "refresh_token": "refresh-1", "refresh_token_expires_in": 31000000}),
    )
    linkedin.route("/rest/posts", documented({"elements": []}))
    made = connector(account)
    made.fetch(None)
    (renewal,) = linkedin.hits("/oauth/v2/accessToken")
    assert (
        query(renewal)["grant_type"] == "refresh_token"
        and query(renewal)["client_secret"] == CLIENT_SECRET
    )
    assert made.config_changed and made.config["access_token"] == "access-2"
    assert linkedin.hits("/rest/posts")[0].headers["authorization"] == "Bearer access-2"
    assert mailoutbox == []


# --- connecting --------------------------------------------------------------------


def start(client, page: str = "") -> dict[str, list[str]]:
    response = client.post(
        reverse("networks:connect_start", args=["linkedin"]), {"linkedin-page": page}
    )
    assert response.status_code == 302, response.content
    return parse_qs(urlsplit(response["Location"]).query)


def admin_routes(linkedin) -> None:
    acls = {"elements": [{"role": "ADMINISTRATOR", "state": "APPROVED", "organization": ORG}]}
    linkedin.route("/rest/organizationAcls", documented(acls))
    linkedin.route(
        "/rest/organizations/2414183",
        documented(
            {
                "id": 2414183,
                "localizedName": "Harbor Street Jewelers",
                "vanityName": "harbor-street",
            }
        ),
    )


def test_connecting_keeps_the_administered_page(alice_client, workspace, linkedin):
    linkedin.route("/oauth/v2/accessToken", documented(TOKENS))
    admin_routes(linkedin)
    sent = start(alice_client)
    assert sent["client_id"] == [CLIENT_ID] and sent["redirect_uri"] == [CALLBACK]
    assert sent["scope"] == ["r_organization_social w_organization_social rw_organization_admin"]
    response = alice_client.get(
        reverse("networks:connect_callback", args=["linkedin"]),
        {"code": "c", "state": sent["state"][0]},
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Harbor Street Jewelers is connected; Harken reads its mentions."
    ]
    (acl,) = linkedin.hits("/rest/organizationAcls")
    assert query(acl) == {"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED"}
    account = Account.objects.get(workspace=workspace, network="linkedin")
    assert (account.external_id, account.config["access_token"]) == (ORG, "access-2")
    assert account.config["expires_at"] > time.time() + 59 * 24 * 3600


def test_the_recorded_unavailable_token_endpoint_connects_nothing(
    alice_client, workspace, linkedin
):
    linkedin.route("/oauth/v2/accessToken", cassette("oauth2_accessToken_503.yaml"))
    sent = start(alice_client)
    response = alice_client.get(
        reverse("networks:connect_callback", args=["linkedin"]),
        {"code": "c", "state": sent["state"][0]},
    )
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "503" in message and not Account.objects.filter(workspace=workspace).exists()


def test_the_accounts_page_says_linkedin_has_no_search(alice_client, linkedin):
    page = alice_client.get(reverse("networks:accounts")).content.decode()
    assert (
        'id="connect-linkedin"' in page
        and "LinkedIn has no search API" in page
        and CALLBACK in page
    )


def test_images_are_uploaded_then_posted_by_urn_with_alt_text(linkedin, page):
    """No image upload was recorded: ``initializeUpload``'s answer, the PUT and the
    post's ``media`` / ``multiImage`` content follow LinkedIn's Images API and Posts API
    reference (learn.microsoft.com › linkedin › marketing › community-management ›
    shares › images-api, posts-api)."""
    linkedin.route(
        "/rest/images",
        documented(
            {
                "value": {
                    "uploadUrlExpiresAt": 1700003600000,
                    "uploadUrl": linkedin.url("/dms-uploads/one"),
                    "image": "urn:li:image:C4E10AQ1",
                }
            }
        ),
        documented(
            {
                "value": {
                    "uploadUrlExpiresAt": 1700003600000,
                    "uploadUrl": linkedin.url("/dms-uploads/two"),
                    "image": "urn:li:image:C4E10AQ2",
                }
            }
        ),
    )
    linkedin.route("/dms-uploads/one", Reply(201))
    linkedin.route("/dms-uploads/two", Reply(201))
    linkedin.route("/rest/posts", documented({}, 201, **{"x-restli-id": "urn:li:share:7001"}))
    one = MediaFile(b"\xff\xd8one", "image/jpeg", "A garnet ring on slate.")
    two = MediaFile(b"\x89PNGtwo", "image/png", "")
    made = connector(page).publish("Two rings", media=[one, two])
    first, second = linkedin.hits("/rest/images")
    assert "action=initializeUpload" in first.path
    assert json.loads(first.body) == {"initializeUploadRequest": {"owner": ORG}}
    (put,) = linkedin.hits("/dms-uploads/one")
    assert put.method == "PUT" and put.body == b"\xff\xd8one"
    assert put.headers["authorization"].startswith("Bearer ")
    assert put.headers["content-type"] == "image/jpeg"
    body = json.loads(linkedin.hits("/rest/posts")[0].body)
    assert body["content"] == {
        "multiImage": {
            "images": [
                {"id": "urn:li:image:C4E10AQ1", "altText": "A garnet ring on slate."},
                {"id": "urn:li:image:C4E10AQ2", "altText": ""},
            ]
        }
    }
    assert made.external_id == "urn:li:share:7001"
    connector(page).publish("One ring", media=[one])
    assert json.loads(linkedin.hits("/rest/posts")[1].body)["content"] == {
        "media": {"id": "urn:li:image:C4E10AQ2", "altText": "A garnet ring on slate."}
    }


def test_a_refused_upload_is_linkedins_refusal(linkedin, page):
    linkedin.route(
        "/rest/images",
        documented(
            {"value": {"uploadUrl": linkedin.url("/dms-uploads/x"), "image": "urn:li:image:X"}}
        ),
    )
    linkedin.route("/dms-uploads/x", documented({"message": "Unsupported media type"}, 400))
    with pytest.raises(ConnectorError) as caught:
        connector(page).publish("Ring", media=[MediaFile(b"x", "image/jpeg", "A ring.")])
    assert caught.value.rejected and "Unsupported media type" in caught.value.message
    assert linkedin.hits("/rest/posts") == []
