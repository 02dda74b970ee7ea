"""Stored ids take the form new items have: a feed entry's id names its feed, a Mastodon
status's or account's id names its server.

Before, two feeds that both numbered their entries 1, 2, 3 shared one mention per number
(the second feed's entry was "already stored"), and two Mastodon servers' status 1170...
were one. New items now come with ids that say whose they are (``feeds.connector.item_id``,
``Mastodon.global_id``); this rewrites the stored ones the same way, so a repeat of an
old item is still found as known, and a reply to an old status still joins its thread.

* Feed mentions: an id that is not a URL, ``tag:`` or ``urn:`` becomes
  ``<the source's feed URL>#<id>`` (hashed when longer than 255), with the conversation
  it roots. Mentions whose source was deleted keep their id: no feed of theirs polls.
* Mastodon: mentions (and their ``in_reply_to``), authors and conversation roots become
  ``<host>/<number>``, the host of the account whose source stored them, or of the
  workspace's one Mastodon server. Rows whose server cannot be known keep their id.

Rows already in the new form are left alone, so running it twice changes nothing. The
reverse keeps the new ids: the code before this reads them as opaque ids.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from django.db import migrations

# A copy of feeds.connector's rule as it is at this migration: the code may change later.
_GLOBAL_ID = re.compile(r"(?i)^(?:https?://[^/\s?#]+|tag:[^,\s]+,\d{4}|urn:[a-z0-9][a-z0-9-]*:\S)")
_BATCH = 1000

log = logging.getLogger(__name__)


def feed_id(feed_url: str, ident: str) -> str:
    if _GLOBAL_ID.match(ident) or ident.startswith("sha1:"):
        return ident  # global already; or hashed from an id no longer known
    scoped = f"{feed_url}#{ident}"
    if len(scoped) <= 255:
        return scoped
    return "sha1:" + hashlib.sha1(scoped.encode(), usedforsecurity=False).hexdigest()


def mastodon_host(instance: Any) -> str:
    value = str(instance or "").strip().rstrip("/")
    if value and "://" not in value:
        value = "https://" + value
    return urlsplit(value).netloc.lower()


def server_id(host: str, ident: str) -> str:
    return ident if not ident or "/" in ident else f"{host}/{ident}"


def rewrite(apps: Any, schema_editor: Any) -> None:
    _rewrite_feeds(apps)
    _rewrite_mastodon(apps)


def _rewrite_feeds(apps: Any) -> None:
    Source = apps.get_model("listening", "Source")
    Mention = apps.get_model("listening", "Mention")
    Conversation = apps.get_model("inbox", "Conversation")
    for source in Source.objects.filter(network="feed").exclude(url="").iterator():
        rows = Mention.objects.filter(source=source, network="feed")
        renamed = {}
        for pk, ext, conversation in rows.values_list("pk", "external_id", "conversation_id"):
            new = feed_id(source.url, ext)
            if new != ext:
                renamed[ext] = (pk, new, conversation)
        taken = _taken(
            Mention, source.workspace_id, "feed", [new for _, new, _ in renamed.values()]
        )
        mentions, roots = [], []
        for ext, (pk, new, conversation) in renamed.items():
            if new in taken:
                continue  # stored again already under its new id: leave the old row be
            mentions.append(Mention(pk=pk, external_id=new))
            roots.append((conversation, ext, new))
        Mention.objects.bulk_update(mentions, ["external_id"], batch_size=_BATCH)
        for conversation, old, new in roots:
            if conversation is not None:
                Conversation.objects.filter(pk=conversation, root_external_id=old).update(
                    root_external_id=new
                )


def _rewrite_mastodon(apps: Any) -> None:
    Account = apps.get_model("networks", "Account")
    Source = apps.get_model("listening", "Source")
    Mention = apps.get_model("listening", "Mention")
    Author = apps.get_model("listening", "Author")
    Conversation = apps.get_model("inbox", "Conversation")

    account_host: dict[int, str] = {}
    for pk in Account.objects.filter(network="mastodon").values_list("pk", flat=True):
        try:  # decrypting happens as the row is read
            host = mastodon_host((Account.objects.get(pk=pk).config or {}).get("instance"))
        except Exception:
            log.warning("Mastodon account %s: config unreadable, its ids stay as they are", pk)
            continue
        if host:
            account_host[pk] = host
    source_host = {
        pk: account_host[account]
        for pk, account in Source.objects.filter(
            network="mastodon", account__isnull=False
        ).values_list("pk", "account_id")
        if account in account_host
    }
    workspace_hosts: dict[int, set[str]] = defaultdict(set)
    for workspace, account in Source.objects.filter(
        network="mastodon", account__isnull=False
    ).values_list("workspace_id", "account_id"):
        if account in account_host:
            workspace_hosts[workspace].add(account_host[account])

    mentions, author_host, conversation_host = [], {}, {}
    rows = Mention.objects.filter(network="mastodon").values_list(
        "pk",
        "workspace_id",
        "source_id",
        "external_id",
        "in_reply_to",
        "author_id",
        "conversation_id",
    )
    for pk, workspace, source, ext, reply_to, author, conversation in rows.iterator():
        host = source_host.get(source) if source is not None else None
        if host is None and len(workspace_hosts.get(workspace, ())) == 1:
            host = next(iter(workspace_hosts[workspace]))
        if host is None:
            continue
        author_host.setdefault(author, host)
        if conversation is not None:
            conversation_host.setdefault(conversation, host)
        new, new_reply = server_id(host, ext), server_id(host, reply_to)
        if (new, new_reply) != (ext, reply_to):
            mentions.append(Mention(pk=pk, external_id=new, in_reply_to=new_reply))
    Mention.objects.bulk_update(mentions, ["external_id", "in_reply_to"], batch_size=_BATCH)

    authors = []
    for pk, ext in Author.objects.filter(pk__in=list(author_host)).values_list("pk", "external_id"):
        new = server_id(author_host[pk], ext)
        if new != ext:
            authors.append(Author(pk=pk, external_id=new))
    Author.objects.bulk_update(authors, ["external_id"], batch_size=_BATCH)

    conversations = []
    for pk, root, subject in Conversation.objects.filter(
        pk__in=list(conversation_host)
    ).values_list("pk", "root_external_id", "subject_external_id"):
        host = conversation_host[pk]
        new_root, new_subject = server_id(host, root), server_id(host, subject)
        if (new_root, new_subject) != (root, subject):
            conversations.append(
                Conversation(pk=pk, root_external_id=new_root, subject_external_id=new_subject)
            )
    Conversation.objects.bulk_update(
        conversations, ["root_external_id", "subject_external_id"], batch_size=_BATCH
    )


def _taken(model: Any, workspace: int, network: str, ids: list[str]) -> set[str]:
    taken: set[str] = set()
    for start in range(0, len(ids), _BATCH):
        taken.update(
            model.objects.filter(
                workspace_id=workspace, network=network, external_id__in=ids[start : start + _BATCH]
            ).values_list("external_id", flat=True)
        )
    return taken


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0001_initial"),
        ("inbox", "0001_initial"),
        ("networks", "0001_initial"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop, elidable=True)]
