"""Publishing to Reddit: a text post with a title in a subreddit, from the composer's
fields through the tick, against Reddit's recorded answer to a text post (PRAW's cassette,
``fixtures/reddit_submit_selftext.json``)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from harken.networks.base import ConnectorError
from harken.networks.models import Account
from harken.networks.reddit.connector import Reddit
from harken.publishing.engine import do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from harken.publishing.validation import check_variant
from tests.networks.recorded import replay
from tests.networks.test_reddit import CONFIG
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db

SUBMIT = Path(__file__).parent / "fixtures" / "reddit_submit_selftext.json"
COMPOSE = "/calendar/compose/"


@pytest.fixture
def submit_cassette(tmp_path) -> Path:
    """PRAW's betamax recording as a vcrpy cassette (headers as lists, bodies as strings)."""
    interactions = []
    for item in json.loads(SUBMIT.read_text())["http_interactions"]:
        request, response = item["request"], item["response"]
        interactions.append(
            {
                "request": {
                    "method": request["method"],
                    "uri": request["uri"],
                    "body": request["body"]["string"],
                    "headers": {k: [v] for k, v in request["headers"].items()},
                },
                "response": {
                    "status": response["status"],
                    "headers": {k: [v] for k, v in response["headers"].items()},
                    "body": {"string": response["body"]["string"]},
                },
            }
        )
    target = tmp_path / "submit.json"
    target.write_text(json.dumps({"version": 1, "interactions": interactions}))
    return target


@pytest.fixture
def reddit_account(workspace) -> Account:
    return Account.objects.create(
        workspace=workspace, network="reddit", handle="u/harborjewel", config=dict(CONFIG)
    )


def _form(sent) -> dict[str, list[str]]:
    body = sent.body
    return parse_qs(body.decode() if isinstance(body, bytes) else body)


def test_a_text_post_goes_to_its_subreddit_with_its_title(submit_cassette):
    with replay(submit_cassette, serializer="json") as (sent, _):
        published = Reddit(CONFIG).publish("Test text.", title="Test Title", subreddit="r/jewelry")
    assert published.external_id == "t3_4bbe4b"
    # PRAW keeps only the new post's id from the answer; any slug resolves to it.
    assert published.url == "https://www.reddit.com/comments/4bbe4b/"
    form = _form(sent[-1])
    assert (form["kind"], form["title"], form["text"]) == (["self"], ["Test Title"], ["Test text."])
    assert form["sr"] == ["jewelry"]  # "r/" is how people write it, not part of the name


def test_a_post_without_title_or_subreddit_is_refused_before_any_request():
    with pytest.raises(ConnectorError, match="needs a title and a subreddit") as caught:
        Reddit(CONFIG).publish("Body only")
    assert caught.value.rejected


def test_the_tick_publishes_a_reddit_variant_and_keeps_its_id(reddit_account, submit_cassette):
    variant = make_variant(reddit_account, "Test text.")
    Variant.objects.filter(pk=variant.pk).update(
        post_options={"title": "Test Title", "subreddit": "jewelry"}
    )
    with replay(submit_cassette, serializer="json") as (sent, _):
        report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.published == [variant.pk]
    assert (variant.state, variant.external_id) == (State.PUBLISHED, "t3_4bbe4b")
    assert _form(sent[-1])["title"] == ["Test Title"]


def test_a_reddit_variant_needs_a_title_and_a_real_subreddit_name(reddit_account):
    variant = make_variant(reddit_account, "Our winter window is open.", state=State.DRAFT)
    rules = {p.rule for p in check_variant(variant)}
    assert {"title", "subreddit"} <= rules
    variant.post_options = {"title": "x" * 301, "subreddit": "r/no spaces allowed"}
    found = {p.rule: p.message for p in check_variant(variant)}
    assert "allows 300. Shorten it by 1." in found["title"]
    assert "is not a subreddit's name" in found["subreddit"]
    variant.post_options = {"title": "Winter window", "subreddit": "r/jewelry"}
    assert not {"title", "subreddit"} & {p.rule for p in check_variant(variant)}


def test_the_body_counts_against_a_text_posts_limit_not_a_comments(reddit_account):
    variant = make_variant(reddit_account, "word " * 3000, state=State.DRAFT)  # 15,000
    variant.post_options = {"title": "Long read", "subreddit": "jewelry"}
    assert "length" not in {p.rule for p in check_variant(variant)}
    variant.text = "w" * 40_001
    assert "Shorten it by 1" in " ".join(p.message for p in check_variant(variant))


def test_the_composer_shows_title_and_subreddit_and_saves_them(alice_client, reddit_account):
    html = alice_client.get(COMPOSE).content.decode()
    pk = reddit_account.pk
    assert f'name="title_{pk}"' in html and f'name="subreddit_{pk}"' in html
    assert 'data-count-limit="300"' in html and 'data-count-limit="40000"' in html
    data = {
        "accounts": [str(pk)],
        "text": "Our winter window is open.",
        "stage": "awareness",
        "category": "educational",
        "action": "draft",
        f"title_{pk}": "Winter window <b>open</b>",
        f"subreddit_{pk}": "r/jewelry",
    }
    assert alice_client.post(COMPOSE, data).status_code == 302
    variant = Variant.objects.get()
    assert variant.post_options == {
        "title": "Winter window <b>open</b>",
        "subreddit": "r/jewelry",
        "kind": "",  # left empty: a text post
    }
    again = alice_client.get(f"{COMPOSE}{variant.post_id}/").content.decode()
    assert "Winter window &lt;b&gt;open&lt;/b&gt;" in again


def test_the_live_check_counts_the_title_and_names_a_bad_subreddit(alice_client, reddit_account):
    pk = reddit_account.pk
    data = {
        "accounts": [str(pk)],
        "text": "Our winter window is open.",
        "stage": "awareness",
        "category": "educational",
        f"title_{pk}": "Winter window",
        f"subreddit_{pk}": "r/x",
    }
    html = alice_client.post("/calendar/compose/check/", data).content.decode()
    assert "Title: 13 / 300 characters" in html
    assert "is not a subreddit" in html
