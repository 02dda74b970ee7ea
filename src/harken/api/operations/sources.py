"""Sources: list with their health (every member), pause, resume and poll now (those whose
authority lets them run sources, as on the Sources page)."""

from __future__ import annotations

from harken.api.caller import Caller
from harken.core.access import access_object
from harken.core.actions import audit
from harken.listening.models import Source
from harken.listening.polling import POLLED
from harken.listening.views.sources import (
    check_may_run_sources,
    do_set_source_enabled,
    sources_with_health,
)

RESOURCE = "sources"


def list_sources(caller: Caller) -> list[Source]:
    caller.needs(RESOURCE)
    return list(sources_with_health(caller.request))


def get_source(caller: Caller, pk: int) -> Source:
    caller.needs(RESOURCE)
    access_object(caller.request, Source, pk)
    return sources_with_health(caller.request).get(pk=pk)


def set_enabled(caller: Caller, pk: int, enabled: bool) -> Source:
    caller.needs(RESOURCE, write=True)
    source = access_object(caller.request, Source, pk)
    check_may_run_sources(caller.request)
    if source.enabled != enabled:
        do_set_source_enabled(source, caller.member.user, enabled)
    return get_source(caller, pk)


def poll_now(caller: Caller, pk: int) -> Source:
    """Queue a poll of the source now (run inline when the queue is immediate)."""
    from harken.listening.tasks import poll_source_task

    caller.needs(RESOURCE, write=True)
    source = access_object(caller.request, Source, pk, kind__in=POLLED)
    check_may_run_sources(caller.request)
    audit(source.workspace, caller.member.user, "source.poll_now", source)
    poll_source_task(source.pk, force=True)
    return get_source(caller, pk)
