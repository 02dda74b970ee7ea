"""The X connector against traffic recorded from the real X API v2 by tweepy's test suite."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import yaml
from django.utils import timezone

from harken.networks.base import ConnectorError
from harken.networks.models import XUsage
from harken.networks.x import budget
from harken.networks.x.connector import X, created_from_id
from tests.networks.recorded import recorded, replay

# The account whose mentions tweepy's test suite recorded (@Twitter).
CONFIG = {"bearer_token": "placeholder", "user_id": "783214", "handle": "Twitter"}
USER_CONFIG = {
    **CONFIG,
    "consumer_key": "ck",
    "consumer_secret": "cs",
    "access_token": "at",
    "access_token_secret": "ats",
}


@pytest.fixture
def x(workspace) -> X:
    return X(CONFIG, workspace=workspace)


def test_mentions_become_items_oldest_first(x):
    with replay(recorded("x-tweepy", "test_client_get_users_mentions.yaml")) as (sent, _):
        page = x.fetch(None)
    assert len(page.items) == 10
    ids = [int(item.external_id) for item in page.items]
    assert ids == sorted(ids)
    first = page.items[-1]
    assert first.external_id == "1578516295611748353"
    assert first.text.startswith("@Twitter @TwitterSupport this is my ENTIRE feed")
    assert first.url.endswith("/status/1578516295611748353")
    # The recording has no created_at: the time comes from the snowflake id.
    assert first.created == created_from_id("1578516295611748353")
    assert first.created.date() == datetime(2022, 10, 7, tzinfo=UTC).date()
    assert page.cursor == "1578516295611748353"
    assert page.has_more is False


def test_it_asks_x_for_authors_and_thread_fields(x):
    with replay(recorded("x-tweepy", "test_client_get_users_mentions.yaml")) as (sent, _):
        x.fetch("1578516000000000000")
    query = sent.query(0)
    assert sent.paths() == ["/2/users/783214/mentions"]
    assert query["since_id"] == ["1578516000000000000"]
    assert query["expansions"] == ["author_id"]
    assert "public_metrics" in query["user.fields"][0]
    for field in (
        "created_at",
        "lang",
        "conversation_id",
        "in_reply_to_user_id",
        "referenced_tweets",
    ):
        assert field in query["tweet.fields"][0]


def test_a_second_page_keeps_the_old_cursor_until_the_last_page(x):
    with replay(recorded("x-tweepy", "test_client_get_users_mentions.yaml")) as (sent, _):
        page = x.fetch("1578516000000000000")
        assert page.has_more is True
        state = json.loads(page.cursor)
        assert state == {
            "since": "1578516000000000000",
            "token": "7140dibdnow9c7btw423i3sy3u5zupmkcpofxcsmxj48j",
            "newest": "1578516295611748353",
        }
        x.fetch(page.cursor)
    assert sent.query(1)["pagination_token"] == [state["token"]]
    assert sent.query(1)["since_id"] == ["1578516000000000000"]


def test_recent_search_reads_the_query(workspace):
    x = X(CONFIG, query="Tweepy", workspace=workspace)
    with replay(recorded("x-tweepy", "test_client_search_recent_tweets.yaml")) as (sent, _):
        page = x.fetch(None)
    assert sent.paths() == ["/2/tweets/search/recent"]
    assert sent.query(0)["query"] == ["Tweepy"]
    assert [item.text for item in page.items][-1] == "2022-10-07 22:42:12.637103 tweepy"
    assert page.cursor == "1578516068309794817"


def test_reads_are_counted_and_priced_as_they_happen(x, workspace, monkeypatch):
    monkeypatch.setenv("HARKEN_X_PRICE_PER_READ", "0.005")
    with replay(recorded("x-tweepy", "test_client_get_users_mentions.yaml")):
        x.fetch(None)
        x.fetch(None)
    usage = XUsage.objects.get(workspace=workspace)
    assert usage.posts_read == 20
    assert usage.cost == Decimal("0.1000")
    assert usage.reserved == 0
    assert budget.usage_for(workspace).posts_read == 20


def test_max_results_shrinks_to_what_the_budget_allows(x, workspace, monkeypatch):
    monkeypatch.setenv("HARKEN_X_PRICE_PER_READ", "0.005")
    monkeypatch.setenv("HARKEN_X_PRICE_PER_USER_READ", "0.010")
    budget.set_monthly_cap(workspace.pk, Decimal("0.12"))  # 8 posts with their authors
    with replay(recorded("x-tweepy", "test_client_get_users_mentions.yaml")) as (sent, _):
        x.fetch(None)
    assert sent.query(0)["max_results"] == ["8"]


def test_reading_stops_at_the_cap_before_any_request(x, workspace, tmp_path):
    budget.set_monthly_cap(workspace.pk, Decimal("5.00"))
    XUsage.objects.create(
        workspace=workspace, month=budget.month_key(), posts_read=1000, cost=Decimal("4.99")
    )
    empty = tmp_path / "no_traffic.yaml"
    empty.write_text(yaml.safe_dump({"version": 1, "interactions": []}))
    with replay(empty) as (sent, cass), pytest.raises(ConnectorError) as caught:
        x.fetch(None)
    assert len(sent) == 0 and cass.play_count == 0
    assert caught.value.permanent is False
    assert "X monthly spend cap of $5.00 reached: reading stops until" in caught.value.message
    assert XUsage.objects.get(workspace=workspace).reserved == 0


def test_usage_is_kept_per_workspace(x, workspace, other_workspace):
    with replay(recorded("x-tweepy", "test_client_get_users_mentions.yaml")):
        x.fetch(None)
    assert budget.usage_for(other_workspace).posts_read == 0
    assert budget.usage_for(workspace).cap == Decimal(budget.DEFAULT_MONTHLY_CAP)


def test_publish_creates_a_post(workspace):
    x = X(USER_CONFIG, workspace=workspace)
    with replay(recorded("x-tweepy", "test_client_create_and_delete_tweet.yaml")) as (sent, _):
        published = x.publish("Test Tweet")
    assert published.external_id == "1456012973835788293"
    assert published.url == "https://x.com/Twitter/status/1456012973835788293"
    assert json.loads(sent[0].body) == {"text": "Test Tweet"}
    assert sent[0].headers["Authorization"].startswith("OAuth ")


def test_reply_names_the_post_it_answers(workspace):
    x = X(USER_CONFIG, workspace=workspace)
    with replay(recorded("x-tweepy", "test_client_create_and_delete_tweet.yaml")) as (sent, _):
        x.reply("1578516295611748353", "We're on it")
    assert json.loads(sent[0].body) == {
        "text": "We're on it",
        "reply": {"in_reply_to_tweet_id": "1578516295611748353"},
    }


def _with_response(source, target, status: int, body: dict, headers: dict) -> None:
    """The recorded request, answered as X answers a revoked token or a rate limit."""
    cassette = yaml.safe_load(source.read_text())
    interaction = cassette["interactions"][0]
    interaction["response"] = {
        "status": {"code": status, "message": body["title"]},
        "headers": {"content-type": ["application/json; charset=utf-8"], **headers},
        "body": {"string": json.dumps(body)},
    }
    target.write_text(yaml.safe_dump({"version": 1, "interactions": [interaction]}))


def test_a_revoked_token_is_permanent_and_keeps_xs_words(x, workspace, tmp_path):
    cassette = tmp_path / "unauthorized.yaml"
    # X API v2's problem body for a bad token (docs.x.com, "Response codes and errors").
    body = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    _with_response(
        recorded("x-tweepy", "test_client_get_users_mentions.yaml"), cassette, 401, body, {}
    )
    with replay(cassette) as (sent, _), pytest.raises(ConnectorError) as caught:
        x.fetch(None)
    assert caught.value.permanent is True
    assert "Unauthorized" in caught.value.message
    assert len(sent) == 1  # not retried
    assert XUsage.objects.get(workspace=workspace).reserved == 0


def test_a_rate_limit_is_transient_with_xs_reset_time(x, tmp_path):
    cassette = tmp_path / "rate_limited.yaml"
    body = {
        "title": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
        "detail": "Too Many Requests",
    }
    reset = int(datetime.now(UTC).timestamp()) + 900
    headers = {"x-rate-limit-remaining": ["0"], "x-rate-limit-reset": [str(reset)]}
    _with_response(
        recorded("x-tweepy", "test_client_get_users_mentions.yaml"), cassette, 429, body, headers
    )
    with replay(cassette) as (sent, _), pytest.raises(ConnectorError) as caught:
        x.fetch(None)
    assert caught.value.permanent is False
    assert 800 < caught.value.retry_after <= 902
    assert len(sent) == 1  # a 15-minute wait is left to the scheduler, not slept through


def test_two_workers_reading_at_once_cannot_pass_the_cap_together(workspace, monkeypatch):
    monkeypatch.setenv("HARKEN_X_PRICE_PER_READ", "0.005")
    monkeypatch.setenv("HARKEN_X_PRICE_PER_USER_READ", "0.010")
    budget.set_monthly_cap(workspace.pk, Decimal("0.30"))  # 20 posts with their authors
    first = budget.reserve(workspace.pk, 5, 100)
    assert first.max_results == 20
    with pytest.raises(ConnectorError, match="cap of \\$0.30 reached"):
        budget.reserve(workspace.pk, 5, 100)  # the first request is still in flight
    budget.settle(first, posts=10, users=0)  # it returned 10 posts by authors already known
    assert budget.reserve(workspace.pk, 5, 100).max_results == 16  # $0.25 left


def test_posts_sent_are_counted_on_the_bill(workspace, monkeypatch):
    monkeypatch.setenv("HARKEN_X_PRICE_PER_CREATE", "0.015")
    with replay(recorded("x-tweepy", "test_client_create_and_delete_tweet.yaml")):
        X(USER_CONFIG, workspace=workspace).publish("Test Tweet")
    usage = XUsage.objects.get(workspace=workspace)
    assert (usage.posts_created, usage.cost, usage.posts_read) == (1, Decimal("0.0150"), 0)


def test_a_price_that_is_not_a_number_fails_loudly(workspace, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("HARKEN_X_PRICE_PER_READ", "five cents")
    with pytest.raises(ImproperlyConfigured, match="HARKEN_X_PRICE_PER_READ='five cents'"):
        budget.price_per_read()


def test_a_since_id_older_than_a_week_restarts_from_the_newest_posts(workspace, tmp_path):
    source = recorded("x-tweepy", "test_client_search_recent_tweets.yaml")
    cassette = yaml.safe_load(source.read_text())
    recorded_page = cassette["interactions"][0]
    refused = json.loads(json.dumps(recorded_page, default=str))
    # X API v2's answer to a since_id beyond recent search's seven days (an invalid-request problem).
    refused["response"] = {
        "status": {"code": 400, "message": "Bad Request"},
        "headers": {"content-type": ["application/json; charset=utf-8"]},
        "body": {
            "string": json.dumps(
                {
                    "errors": [
                        {
                            "parameters": {"since_id": ["1500000000000000000"]},
                            "message": "Invalid 'since_id':'1500000000000000000'. 'since_id' "
                            "must be a tweet id created after 2022-09-30T22:43:19Z.",
                        }
                    ],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                }
            )
        },
    }
    target = tmp_path / "stale_since.yaml"
    target.write_text(yaml.safe_dump({"version": 1, "interactions": [refused, recorded_page]}))
    x = X(CONFIG, query="Tweepy", workspace=workspace)
    with replay(target, repeats=False) as (sent, _):
        page = x.fetch("1500000000000000000")
    assert sent.query(0)["since_id"] == ["1500000000000000000"]
    assert "since_id" not in sent.query(1)
    assert page.cursor == "1578516068309794817" and page.has_more is False
    assert len(page.items) == 10


def test_money_held_by_a_worker_that_died_is_released_later(workspace, monkeypatch):
    monkeypatch.setenv("HARKEN_X_PRICE_PER_READ", "0.005")
    monkeypatch.setenv("HARKEN_X_PRICE_PER_USER_READ", "0.010")
    budget.set_monthly_cap(workspace.pk, Decimal("0.30"))
    dead = budget.reserve(workspace.pk, 5, 100)  # its worker is killed: never settled
    with pytest.raises(ConnectorError, match="reached"):
        budget.reserve(workspace.pk, 5, 100)
    long_ago = timezone.now() - budget.STALE_RESERVATION - timedelta(seconds=1)
    XUsage.objects.filter(pk=dead.usage_id).update(reserved_at=long_ago)
    budget._drop_stale_reservations(dead.usage_id)
    budget.release(dead)  # a release after the drop does not make the balance negative
    assert XUsage.objects.get(pk=dead.usage_id).reserved == Decimal("0")
    assert budget.reserve(workspace.pk, 5, 100).max_results == 20


def test_the_registry_serves_this_connector():
    from harken.networks.registry import connector_class

    assert connector_class("x") is X


def test_without_any_token_it_says_what_to_set(workspace, monkeypatch):
    monkeypatch.delenv("HARKEN_X_BEARER_TOKEN", raising=False)
    with pytest.raises(ConnectorError, match="HARKEN_X_BEARER_TOKEN") as caught:
        X({"user_id": "783214"}, workspace=workspace)
    assert caught.value.permanent is True
