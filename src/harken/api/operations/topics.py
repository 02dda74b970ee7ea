"""Topics: list and read (every member), create, change and delete (managers), and the
query checked with the parser's position-aware message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from harken.api.caller import Caller
from harken.api.errors import ApiError
from harken.core.access import access_object, scoped
from harken.core.models import Role
from harken.listening.models import Topic
from harken.listening.query import QueryError, parse
from harken.listening.topics import (
    TopicInUse,
    do_create_topic,
    do_delete_topic,
    do_update_topic,
)

RESOURCE = "topics"


@dataclass(frozen=True)
class QueryCheck:
    valid: bool
    message: str
    position: int | None


def _counted(caller: Caller) -> QuerySet[Topic]:
    return scoped(caller.request, Topic).annotate(mention_count=Count("mentions"))


def list_topics(caller: Caller) -> list[Topic]:
    caller.needs(RESOURCE)
    return list(_counted(caller).order_by("name", "pk"))


def get_topic(caller: Caller, pk: int) -> Topic:
    caller.needs(RESOURCE)
    access_object(caller.request, Topic, pk)
    return _counted(caller).get(pk=pk)


def check_query(caller: Caller, query: str) -> QueryCheck:
    caller.needs(RESOURCE)
    try:
        parse(query)
    except QueryError as error:
        return QueryCheck(False, error.message, error.position)
    return QueryCheck(True, "", None)


def create_topic(caller: Caller, values: dict[str, Any]) -> Topic:
    caller.needs(RESOURCE, write=True, role=Role.MANAGER)
    topic = do_create_topic(caller.workspace, caller.member.user, **values)
    return get_topic(caller, topic.pk)


def update_topic(caller: Caller, pk: int, values: dict[str, Any]) -> Topic:
    caller.needs(RESOURCE, write=True, role=Role.MANAGER)
    topic = access_object(caller.request, Topic, pk)
    do_update_topic(topic, caller.member.user, **values)
    return get_topic(caller, pk)


def delete_topic(caller: Caller, pk: int, with_rules: list[int] | None = None) -> list[str]:
    """Delete a topic (its mentions stay). Alert rules watching it are named in a 409
    unless ``with_rules`` lists exactly them, as the page's confirmation does."""
    caller.needs(RESOURCE, write=True, role=Role.MANAGER)
    topic = access_object(caller.request, Topic, pk)
    try:
        return do_delete_topic(topic, caller.member.user, with_rules=with_rules)
    except TopicInUse as in_use:
        rules = [{"id": rule.pk, "name": rule.name} for rule in in_use.rules]
        raise ApiError(409, "topic_in_use", str(in_use), "with_rules", rules=rules) from None
