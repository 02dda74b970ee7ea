"""Managing sources: editing a saved search or a web feed, and deleting one.

Who may do it is the workspace's ``may_connect_accounts`` authority, the rule that
adding a feed or a search answers to. Adding one is ``searches.do_add_search`` and
``feeds.do_add_feed``; what changes here:

* a search's query (checked as adding checks it) and how often it is read; a new query
  starts from a blank cursor, so it never inherits the old query's "newer than" point;
* a feed's name and how often it is read (its URL is what the feed *is*: a new URL is a
  new feed, added beside the others);
* deleting keeps every mention the source stored (``Mention.source`` is SET_NULL) and
  stops its polls, the one a worker may be running included (see ``polling``).

Sources that come with an account (its mentions) go away by disconnecting the account;
the live stream and file imports are switched off, not deleted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from harken.core.access import check_authority
from harken.core.actions import audit
from harken.listening import searches
from harken.listening.models import Source

#: The kinds a person adds (on the sources page), and so may edit and delete here.
MANAGED = (Source.Kind.FEED, Source.Kind.SEARCH)


def may_manage_sources(request: HttpRequest) -> bool:
    """The rule that adding feeds and searches answers to (managers and owners by default)."""
    return bool(check_authority(request, "may_connect_accounts"))


def interval_choices(current: int | None = None) -> list[tuple[int, str]]:
    """The offered intervals, with the source's own when it is none of them (set by
    the demo or an older version), so that saving the form unchanged keeps it."""
    choices = list(searches.INTERVALS)
    if current and current not in dict(choices):
        choices.append((current, f"Every {current} seconds (as now)"))
        choices.sort()
    return choices


class SourceForm(forms.Form):
    """A feed's name and interval, or a search's query and interval."""

    name = forms.CharField(label="Name", max_length=200, required=False)
    # Not "required": an empty query gets the same words as when adding a search.
    query = forms.CharField(label="Search for", max_length=searches.MAX_QUERY * 2, required=False)
    interval = forms.TypedChoiceField(label="How often", coerce=int)

    def __init__(self, source: Source, data: Any = None) -> None:
        initial = {"name": source.name, "query": source.query, "interval": source.poll_interval}
        super().__init__(data, initial=initial)
        self.source = source
        self.fields["interval"].choices = interval_choices(source.poll_interval)  # type: ignore[attr-defined]
        if source.kind == Source.Kind.SEARCH:
            del self.fields["name"]  # a search is named after its query
        else:
            del self.fields["query"]

    def clean_query(self) -> str:
        return searches.check_search_query(self.source.network, self.cleaned_data["query"])


def check_managed(source: Source) -> None:
    """Only what a person added here may be changed or deleted here."""
    if source.kind == Source.Kind.ACCOUNT:
        raise ValidationError("This source comes with an account: disconnect the account instead.")
    if source.kind not in MANAGED:
        raise ValidationError("This source cannot be edited or deleted; switch it off instead.")


def do_edit_source(
    source: Source,
    actor: Any,
    *,
    interval: int,
    name: str | None = None,
    query: str | None = None,
) -> dict[str, list[Any]]:
    """Save the new values, audit what changed (old and new), return the changes."""
    check_managed(source)
    changes: dict[str, list[Any]] = {}
    if source.kind == Source.Kind.SEARCH and query is not None:
        _change_query(source, query, changes)
    elif source.kind == Source.Kind.FEED and name is not None:
        name = (name.strip() or urlsplit(source.url).hostname or source.url)[:200]
        _set(source, "name", name, changes)
    if interval != source.poll_interval:
        _change_interval(source, interval, changes)
    if changes:
        source.save(update_fields=sorted(changes))
        audit(source.workspace, actor, "source.edit", source, **_shown(changes))
    return changes


def _change_query(source: Source, raw: str, changes: dict[str, list[Any]]) -> None:
    query = searches.check_search_query(source.network, raw)
    if query == source.query:
        return
    searches.check_unique_search(
        source.workspace, source.network, source.account, query, exclude=source.pk
    )
    _set(source, "query", query, changes)
    _set(source, "name", searches.search_name(source.network, query), changes)
    # The cursor says "newer than the last item the OLD query found": a new query starts
    # afresh. Its errors and backoff were the old query's too; read it at the next tick.
    for field, blank in (("cursor", ""), ("last_error", ""), ("last_error_at", None)):
        _set(source, field, blank, changes)
    _set(source, "failures", 0, changes)
    _set(source, "next_poll", None, changes)


def _change_interval(source: Source, interval: int, changes: dict[str, list[Any]]) -> None:
    if interval not in dict(interval_choices(source.poll_interval)):
        raise ValidationError("Choose one of the offered intervals.")
    _set(source, "poll_interval", interval, changes)
    # A shorter interval takes effect now rather than after the wait already planned;
    # a failing source keeps its backoff.
    soonest = timezone.now() + timedelta(seconds=interval)
    if not source.failures and source.next_poll is not None and source.next_poll > soonest:
        _set(source, "next_poll", soonest, changes)


def _set(source: Source, field: str, value: Any, changes: dict[str, list[Any]]) -> None:
    old = getattr(source, field)
    if old != value:
        changes.setdefault(field, [old, value])
        changes[field][1] = value
        setattr(source, field, value)


#: Fields that are bookkeeping, not a person's choice: saved, but not in the audit log.
_QUIET = {"cursor", "last_error", "last_error_at", "failures", "next_poll"}


def _shown(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    shown = {field: pair for field, pair in changes.items() if field not in _QUIET}
    if "cursor" in changes:
        shown["cursor"] = ["reset", "blank"]
    return shown


def do_delete_source(source: Source, actor: Any) -> int:
    """Delete the source, keep its mentions; returns how many mentions stay."""
    check_managed(source)
    kept = source.mentions.count()
    audit(
        source.workspace,
        actor,
        "source.delete",
        source,
        kind=source.kind,
        network=source.network,
        query=source.query,
        url=source.url,
        mentions_kept=kept,
    )
    source.delete()
    return kept
