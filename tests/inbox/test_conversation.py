"""Conversations as threading leaves them: one per root, response times measured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError

from harken.inbox.models import Conversation

pytestmark = pytest.mark.django_db


def test_first_response_seconds_is_measured_from_the_customers_first_message(workspace):
    start = datetime(2026, 11, 20, 9, tzinfo=UTC)
    conversation = Conversation(
        workspace=workspace,
        network="x",
        root_external_id="1",
        first_message_at=start,
        first_response_at=start + timedelta(minutes=7),
    )
    assert conversation.first_response_seconds == 420
    conversation.first_response_at = None
    assert conversation.first_response_seconds is None


def test_a_root_opens_one_conversation_per_workspace_and_network(workspace, other_workspace):
    Conversation.objects.create(workspace=workspace, network="x", root_external_id="1")
    Conversation.objects.create(workspace=workspace, network="mastodon", root_external_id="1")
    Conversation.objects.create(workspace=other_workspace, network="x", root_external_id="1")
    with pytest.raises(IntegrityError):
        Conversation.objects.create(workspace=workspace, network="x", root_external_id="1")


def test_no_index_of_the_conversation_table_repeats_the_start_of_another():
    # A second index on the key's first column (the workspace) only slowed the ingest:
    # PostgreSQL chose it for lookups by root and read a whole workspace for each id.
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "inbox_conversation")
    indexes = [tuple(c["columns"]) for c in constraints.values() if c["index"] or c["unique"]]
    assert ("workspace_id", "network", "root_external_id") in indexes
    for index in indexes:
        longer = [other for other in indexes if other != index and other[: len(index)] == index]
        assert not longer, f"{index} is the start of {longer}"
