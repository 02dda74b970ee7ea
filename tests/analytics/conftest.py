"""Hand-built mentions for the rollup and page tests: each test knows its right answer."""

from __future__ import annotations

import datetime as dt
from itertools import count

import pytest

from harken.listening.models import Author, Mention, Topic

NUMBERS = count(1)


def add_mention(
    workspace,
    posted: dt.datetime,
    *,
    network: str = "mastodon",
    handle: str = "maya",
    followers: int | None = 100,
    sentiment: str = "positive",
    language: str = "en",
    intents: tuple[str, ...] = (),
    phrases: tuple[str, ...] = (),
    topics: tuple[Topic, ...] = (),
    text: str = "a mention",
    **fields,
) -> Mention:
    author, _ = Author.objects.get_or_create(
        workspace=workspace,
        network=network,
        external_id=f"id-{handle}",
        defaults={"handle": handle, "followers": followers},
    )
    mention = Mention.objects.create(
        workspace=workspace,
        network=network,
        external_id=f"m{next(NUMBERS)}",
        author=author,
        text=text,
        posted=posted,
        sentiment=sentiment,
        language=language,
        intents=list(intents),
        key_phrases=list(phrases),
        **fields,
    )
    mention.topics.set(topics)
    return mention


@pytest.fixture
def new_york(workspace):
    workspace.time_zone = "America/New_York"
    workspace.save()
    return workspace


@pytest.fixture
def brand(workspace):
    return Topic.objects.create(workspace=workspace, name="Harbor Street", kind="brand", query="x")


@pytest.fixture
def rival(workspace):
    return Topic.objects.create(
        workspace=workspace, name="Rival Rings", kind="competitor", query="y"
    )
