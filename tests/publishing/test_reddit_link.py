"""Reddit link posts: a title and the variant's one link, from the composer's Reddit
fields through the tick to a local Reddit answering ``/api/submit`` as PRAW's recording of
a submission did."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from harken.networks.base import ConnectorError
from harken.networks.models import Account
from harken.networks.reddit.connector import Reddit
from harken.publishing.engine import do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from harken.publishing.validation import check_variant
from tests.lib.localserver import Reply
from tests.networks.test_reddit_oauth import JSON, TOKEN_PATH, recorded_token
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db

LINK = "https://harbor.example/winter"
ANSWER = {"url": LINK, "id": "4bbe4c", "name": "t3_4bbe4c"}


@pytest.fixture
def reddit(monkeypatch, settings, loopback, server):
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_ID", "reddit-client")
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_SECRET", "reddit-secret")
    settings.REDDIT_URL = settings.REDDIT_OAUTH_URL = server.base
    server.route(TOKEN_PATH, Reply(200, recorded_token(), headers=JSON))
    body = json.dumps({"json": {"errors": [], "data": ANSWER}})
    server.route("/api/submit/", Reply(200, body, headers=JSON))
    return server


@pytest.fixture
def account(workspace) -> Account:
    return Account.objects.create(
        workspace=workspace,
        network="reddit",
        handle="u/harborjewel",
        config={"refresh_token": "placeholder", "username": "harborjewel"},
    )


def _form(server) -> dict[str, list[str]]:
    (sent,) = server.hits("/api/submit/")
    return parse_qs(sent.body.decode())


def test_a_link_post_sends_the_title_and_the_url_and_no_body(reddit):
    published = Reddit({"refresh_token": "x"}).publish(
        f" {LINK} ", title="Winter window", subreddit="r/jewelry", kind="Link"
    )
    assert published.external_id == "t3_4bbe4c"
    form = _form(reddit)
    assert (form["kind"], form["url"], form["title"]) == (["link"], [LINK], ["Winter window"])
    assert "text" not in form


def test_a_link_post_whose_text_is_not_one_link_is_refused_before_any_request(reddit):
    with pytest.raises(ConnectorError, match="address alone") as caught:
        Reddit({"refresh_token": "x"}).publish(
            f"Look: {LINK}", title="Winter window", subreddit="jewelry", kind="link"
        )
    assert caught.value.rejected
    assert reddit.hits("/api/submit/") == []


def test_scheduling_checks_the_kind_and_a_link_posts_text(account):
    variant = make_variant(account, f"Look: {LINK}", state=State.DRAFT)
    variant.post_options = {"title": "Winter window", "subreddit": "jewelry", "kind": "link"}
    found = " ".join(p.message for p in check_variant(variant))
    assert "address alone" in found
    variant.text = LINK
    assert check_variant(variant) == []
    variant.post_options["kind"] = "image"
    assert "kind" in {p.rule for p in check_variant(variant)}


def test_the_tick_publishes_a_link_variant(reddit, account):
    variant = make_variant(account, LINK)
    Variant.objects.filter(pk=variant.pk).update(
        post_options={"title": "Winter window", "subreddit": "jewelry", "kind": "link"}
    )
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.published == [variant.pk]
    assert (variant.state, variant.external_id) == (State.PUBLISHED, "t3_4bbe4c")
    assert _form(reddit)["url"] == [LINK]


def test_the_composer_offers_the_post_kind_and_keeps_it(alice_client, account):
    pk = account.pk
    assert f'name="kind_{pk}"' in alice_client.get("/calendar/compose/").content.decode()
    data = {
        "accounts": [str(pk)],
        "text": LINK,
        "stage": "awareness",
        "category": "educational",
        "action": "draft",
        f"title_{pk}": "Winter window",
        f"subreddit_{pk}": "r/jewelry",
        f"kind_{pk}": "link",
    }
    assert alice_client.post("/calendar/compose/", data).status_code == 302
    assert Variant.objects.get().post_options["kind"] == "link"
