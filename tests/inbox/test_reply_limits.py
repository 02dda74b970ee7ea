"""The reply box counts against a reply's limit, from the connector's class data: a
YouTube comment holds 10,000 characters and a LinkedIn comment 1,250, whatever a video's
description or a LinkedIn post may hold; elsewhere a reply is a post (X: 280)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from harken.inbox import actions
from harken.networks.counting import count
from harken.networks.models import Account
from tests.inbox.conftest import make_conversation


@pytest.mark.parametrize(
    ("network", "post", "reply"),
    [
        ("youtube", 5000, 10_000),
        ("linkedin", 3000, 1250),
        ("x", 280, 280),
        ("reddit", 10_000, 10_000),
    ],
)
def test_a_reply_has_the_limit_of_a_comment_where_the_network_has_one(network, post, reply):
    assert count(network, "").limit == post
    assert count(network, "", reply=True).limit == reply


def test_a_server_that_says_its_own_limit_keeps_it_for_replies():
    config = {"limits": {"max_chars": 1000}}
    assert count("mastodon", "x" * 900, config, reply=True).over is False
    assert count("mastodon", "x" * 1001, config, reply=True).over is True


def _account(workspace, network: str) -> Account:
    return Account.objects.create(workspace=workspace, network=network, handle=f"@shop-{network}")


def test_a_youtube_answer_longer_than_a_description_is_fine(workspace):
    talk = make_conversation(workspace, network="youtube", handle="viewer")
    account = _account(workspace, "youtube")
    actions.check_reply(talk, account, "x" * 6000)  # a video's description holds 5,000
    with pytest.raises(ValidationError, match="the limit is 10000"):
        actions.check_reply(talk, account, "x" * 10_001)


def test_a_linkedin_answer_is_held_to_a_comment_s_1250(workspace):
    talk = make_conversation(workspace, network="linkedin", handle="buyer")
    account = _account(workspace, "linkedin")
    actions.check_reply(talk, account, "x" * 1250)
    with pytest.raises(ValidationError, match="1251 characters, the limit is 1250"):
        actions.check_reply(talk, account, "x" * 1251)  # a post may hold 3,000


def test_the_reply_box_shows_the_reply_limit(workspace, alice_client):
    _account(workspace, "linkedin")
    talk = make_conversation(workspace, network="linkedin", handle="buyer")
    page = alice_client.get(f"/inbox/{talk.pk}/").content.decode()
    assert 'data-count-limit="1250"' in page and "0 / 1250 characters" in page
