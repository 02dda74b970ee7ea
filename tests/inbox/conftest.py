"""Conversations to answer, and a Mastodon server on 127.0.0.1 that answers in the shape
of recorded real traffic (Mastodon.py's own cassettes in ../shared/data/recorded-api)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import yaml
from django.utils import timezone

from harken.inbox.models import Conversation
from harken.inbox.priority import reprioritize
from harken.listening.models import Author, Mention
from harken.networks.models import Account
from tests.conftest import shared_data
from tests.lib.localserver import Reply

JSON = {"Content-Type": "application/json; charset=utf-8"}
PARENT = "117020583245459824"  # the recorded status our reply answers
REPLY_ID = "117020583258292382"  # the recorded reply


def recorded_bodies(name: str, method: str, path: str) -> list[str]:
    data = yaml.safe_load(shared_data("recorded-api", "mastodon", name).read_text())
    return [
        i["response"]["body"]["string"]
        for i in data["interactions"]
        if i["request"]["method"] == method and i["request"]["uri"].split("?")[0].endswith(path)
    ]


@pytest.fixture
def mastodon(server, loopback):
    """A local Mastodon answering a status lookup, the instance limits and a reply."""
    posts = recorded_bodies("test_status_reply.yaml", "POST", "/api/v1/statuses")
    instance = recorded_bodies("test_hashtag_tl.yaml", "GET", "/api/v2/instance/")[0]
    server.route(f"/api/v1/statuses/{PARENT}", Reply(200, posts[0], JSON))
    server.route("/api/v2/instance/", Reply(200, instance, JSON))
    server.route("/api/v1/statuses", Reply(200, posts[1], JSON))
    server.reply_body = json.loads(posts[1])
    return server


@pytest.fixture
def account(workspace, mastodon):
    return Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@admin@localhost",
        config={
            "instance": mastodon.base,
            "access_token": "token",
            "account_id": "117020565693913441",
            "version": "4.6.4",
        },
    )


def make_conversation(
    workspace,
    *,
    network: str = "mastodon",
    handle: str = "maya",
    text: str = "Where is my order?",
    external_id: str = "",
    intents: tuple[str, ...] = ("question",),
    sentiment: str = "neutral",
    minutes_ago: int = 30,
    status: str = Conversation.Status.NEW,
) -> Conversation:
    posted = timezone.now() - timedelta(minutes=minutes_ago)
    author, _ = Author.objects.get_or_create(
        workspace=workspace,
        network=network,
        external_id=f"id-{handle}",
        defaults={"handle": handle, "name": handle.title(), "followers": 120},
    )
    ext = external_id or f"{network}-{handle}-{minutes_ago}-{Mention.objects.count()}"
    conversation = Conversation.objects.create(
        workspace=workspace,
        network=network,
        root_external_id=ext,
        status=status,
        subject_external_id=author.external_id,
        subject_handle=handle,
        first_message_at=posted,
        last_activity=posted,
    )
    Mention.objects.create(
        workspace=workspace,
        network=network,
        external_id=ext,
        author=author,
        text=text,
        posted=posted,
        intents=list(intents),
        sentiment=sentiment,
        conversation=conversation,
    )
    reprioritize([conversation.pk])
    conversation.refresh_from_db()
    return conversation


@pytest.fixture
def conversation(workspace, mastodon):
    host = mastodon.base.removeprefix("http://")
    return make_conversation(workspace, external_id=f"{host}/{PARENT}")
