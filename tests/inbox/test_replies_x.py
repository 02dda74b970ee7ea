"""A reply on X through its connector, against X's recorded answer (tweepy's cassette)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from harken.core.models import Member
from harken.inbox import actions
from harken.inbox.models import Message
from harken.inbox.states import State
from harken.networks.models import Account
from tests.inbox.conftest import make_conversation
from tests.networks.recorded import recorded, replay
from tests.networks.test_x import USER_CONFIG

pytestmark = pytest.mark.django_db


@pytest.fixture
def x_account(workspace):
    return Account.objects.create(
        workspace=workspace, network="x", handle="Twitter", config={**USER_CONFIG}
    )


def test_a_reply_on_x_names_the_post_it_answers_and_is_recorded(workspace, bob, x_account):
    conversation = make_conversation(workspace, network="x", external_id="1578516295611748353")
    bob_member = Member.objects.select_related("workspace").get(user=bob)
    with replay(recorded("x-tweepy", "test_client_create_and_delete_tweet.yaml")) as (sent, _):
        message = actions.do_reply(conversation, bob_member, "We're on it")
    assert message.state == State.SENT
    assert message.external_id == "1456012973835788293"
    assert message.url == "https://x.com/Twitter/status/1456012973835788293"
    assert json.loads(sent[0].body)["reply"] == {"in_reply_to_tweet_id": "1578516295611748353"}


def test_x_refuses_what_weighs_more_than_280_before_anything_is_sent(workspace, bob, x_account):
    conversation = make_conversation(workspace, network="x", external_id="1")
    bob_member = Member.objects.select_related("workspace").get(user=bob)
    with pytest.raises(ValidationError, match="282 characters, the limit is 280"):
        actions.do_reply(conversation, bob_member, "日" * 141)
    assert not Message.objects.exists()
