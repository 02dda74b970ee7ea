"""Hand-built authors, conversations and mentions whose answers are known."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from django.utils import timezone

from harken.contacts.linking import link_authors
from harken.contacts.models import Contact
from harken.core.models import Workspace
from harken.inbox.models import Conversation
from harken.listening.models import Author, Mention

NOW = timezone.now().replace(microsecond=0)
_ids = count(1)


def author(workspace: Workspace, handle: str, network: str = "mastodon", **extra) -> Author:
    return Author.objects.create(
        workspace=workspace,
        network=network,
        external_id=extra.pop("external_id", f"id-{handle}"),
        handle=handle,
        name=extra.pop("name", handle.title()),
        **extra,
    )


def conversation(workspace: Workspace, answered: datetime | None = None) -> Conversation:
    return Conversation.objects.create(
        workspace=workspace,
        network="mastodon",
        root_external_id=f"root-{next(_ids)}",
        first_response_at=answered,
    )


def mention(
    who: Author,
    sentiment: str,
    hours_ago: float,
    text: str = "",
    conversation: Conversation | None = None,
    **extra,
) -> Mention:
    n = next(_ids)
    return Mention.objects.create(
        workspace_id=who.workspace_id,
        network=who.network,
        external_id=f"m-{n}",
        author=who,
        text=text or f"{sentiment} message {n}",
        posted=NOW - timedelta(hours=hours_ago),
        sentiment=sentiment,
        conversation=conversation,
        **extra,
    )


def contact_of(who: Author) -> Contact:
    link_authors(Workspace.objects.get(pk=who.workspace_id))
    return Contact.objects.get(identities__author=who)


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)
