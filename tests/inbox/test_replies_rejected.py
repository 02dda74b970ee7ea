"""A reply the network refuses for its content fails at once in the network's words and
leaves the account connected; a refused token still asks for a reconnect."""

from __future__ import annotations

import json

import pytest

from harken.core.models import Member
from harken.inbox import actions
from harken.inbox.states import State
from harken.networks.models import Account
from tests.inbox.conftest import make_conversation
from tests.lib.localserver import Reply
from tests.networks.test_x import USER_CONFIG

pytestmark = pytest.mark.django_db

JSON = {"Content-Type": "application/json"}
TOO_LONG = "Validation failed: Text character limit of 500 exceeded"


def member(user, workspace) -> Member:
    return Member.objects.select_related("workspace", "user").get(user=user, workspace=workspace)


def test_a_mastodon_422_fails_the_reply_and_leaves_the_account_alone(
    workspace, bob, account, conversation, mastodon
):
    mastodon.route("/api/v1/statuses", Reply(422, json.dumps({"error": TOO_LONG}), JSON))
    message = actions.do_reply(conversation, member(bob, workspace), "Too much to say.")
    assert message.state == State.FAILED
    assert TOO_LONG in message.error and "HTTP 422" in message.error
    assert len(mastodon.hits("/api/v1/statuses")) == 1
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    assert account.last_error == ""  # the text was refused, not the account


def test_an_expired_token_on_a_reply_still_asks_to_reconnect(
    workspace, bob, account, conversation, mastodon
):
    said = json.dumps({"error": "The access token is invalid"})
    mastodon.route("/api/v1/statuses", Reply(401, said, JSON))
    message = actions.do_reply(conversation, member(bob, workspace), "Hello again.")
    assert message.state == State.FAILED
    assert "The access token is invalid" in message.error
    account.refresh_from_db()
    assert account.status == Account.Status.RECONNECT


def test_an_x_duplicate_reply_fails_without_asking_to_reconnect(
    workspace, bob, server, loopback, settings
):
    settings.X_API_URL = server.base
    x_account = Account.objects.create(
        workspace=workspace, network="x", handle="Twitter", config={**USER_CONFIG}
    )
    duplicate = "You are not allowed to create a Tweet with duplicate content."
    body = {"detail": duplicate, "type": "about:blank", "title": "Forbidden", "status": 403}
    server.route("/2/tweets", Reply(403, json.dumps(body), JSON))
    conversation = make_conversation(workspace, network="x", external_id="1578516295611748353")
    message = actions.do_reply(conversation, member(bob, workspace), "We're on it")
    assert message.state == State.FAILED
    assert message.error == f"X refused the post: {duplicate}"
    x_account.refresh_from_db()
    assert x_account.status == Account.Status.ACTIVE
