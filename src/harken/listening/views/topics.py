"""Topic pages: the list (every member), create, edit, delete (managers and owners), and
the two htmx helpers of the form: the query checked as it is typed, and a preview of what
it would have matched among the workspace's latest mentions.

Every row is reached through ``harken.core.access``: another workspace's topic is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST

from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.listening.forms import TopicForm
from harken.listening.models import Topic
from harken.listening.query import QueryError, parse
from harken.listening.topics import (
    EDITABLE,
    TopicInUse,
    dependent_rules,
    do_create_topic,
    do_delete_topic,
    do_update_topic,
    preview_matches,
)

SECTION = "listening"


@workspace_view()
def topic_list(request: WorkspaceRequest) -> HttpResponse:
    topics = scoped(request, Topic).annotate(mention_count=Count("mentions")).order_by("name")
    by_kind: dict[str, list[Topic]] = {kind.value: [] for kind in Topic.Kind}
    for topic in topics:
        topic.query_error = _query_error(topic.query)  # type: ignore[attr-defined]
        by_kind.setdefault(topic.kind, []).append(topic)
    groups = [(kind.label, kind.value, by_kind[kind.value]) for kind in Topic.Kind]
    can_edit = request.member.can(Role.MANAGER)
    context = {"groups": groups, "can_edit": can_edit, "section": SECTION}
    return render(request, "listening/topics.html", context)


def _query_error(query: str) -> QueryError | None:
    # A query saved before a change to the language (or around the form) may not parse:
    # the matcher skips it, so the list must say so rather than look fine.
    try:
        parse(query)
    except QueryError as error:
        return error
    return None


@workspace_view(Role.MANAGER)
def topic_create(request: WorkspaceRequest) -> HttpResponse:
    form = bind(request, TopicForm)
    if request.method == "POST":
        if form.is_valid():
            workspace = request.workspace
            topic = do_create_topic(workspace, request.user, **form.cleaned_data)
            messages.success(request, f"Created the topic “{topic.name}”.")
            return redirect("topic_list")
        return refused(request, form)
    return _form_page(request, form, None)


@workspace_view(Role.MANAGER)
def topic_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    topic = access_object(request, Topic, pk)
    form = bind(request, TopicForm, instance=Topic(pk=topic.pk, **_fields(topic)))
    if request.method == "POST":
        if form.is_valid():
            do_update_topic(topic, request.user, **form.cleaned_data)
            messages.success(request, f"Saved the topic “{topic.name}”.")
            return redirect("topic_list")
        return refused(request, form)
    return _form_page(request, form, topic)


def _fields(topic: Topic) -> dict[str, object]:
    # The form edits a detached copy: the stored row changes only in do_update_topic,
    # which compares old and new values for the audit log.
    return {f: getattr(topic, f) for f in EDITABLE}


def _form_page(request: WorkspaceRequest, form: TopicForm, topic: Topic | None) -> HttpResponse:
    """The form: empty, or (after a refusal, see ``harken.core.refused``) as it was sent."""
    context: dict[str, object] = {"form": form, "topic": topic, "section": SECTION}
    if form.is_bound and "query" in form.errors:
        # The kept errors are not re-validated, so where the query fails is found again
        # (parsing is deterministic) to mark the very character, as the form did when sent.
        query = form.data.get("query", "").strip()
        if (error := _query_error(query)) is not None:
            context.update(_status_context(query, error))
    return render(request, "listening/topic_form.html", context)


@workspace_view(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def topic_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """GET asks, naming the alert rules that watch the topic; POST deletes.

    A topic watched by alert rules is deleted only with them, when the POST names them
    (the second button of the question); otherwise the question comes back, with 409.
    """
    topic = access_object(request, Topic, pk)
    if request.method != "POST":
        return _delete_question(request, topic)
    name = topic.name
    try:
        rules = do_delete_topic(topic, request.user, with_rules=_ids(request.POST))
    except TopicInUse:
        return _delete_question(request, topic, status=409)
    if request.htmx:
        return HttpResponse("")  # the row is swapped for nothing
    gone = f" and its alert rule{pluralize(len(rules))} {', '.join(rules)}" if rules else ""
    messages.success(request, f"Deleted the topic “{name}”{gone}. Its mentions stay.")
    return redirect("topic_list")


def _delete_question(request: WorkspaceRequest, topic: Topic, status: int = 200) -> HttpResponse:
    context = {
        "topic": topic,
        "rules": dependent_rules(topic),
        "kept": topic.mentions.count(),
        "refused": status != 200,
        "section": SECTION,
    }
    template = "_topic_delete_row" if request.htmx else "topic_delete"
    return render(request, f"listening/{template}.html", context, status=status)


def _ids(data: QueryDict) -> list[int]:
    return [int(value) for value in data.getlist("rule") if value.isdigit()]


@workspace_view(Role.MANAGER)
@require_POST
def topic_validate(request: WorkspaceRequest) -> HttpResponse:
    """The query's status as it is typed: OK with how it was understood, or where it fails."""
    query = request.POST.get("query", "")
    context: dict[str, object]
    try:
        understood = str(parse(query)) if query.strip() else ""
        context = {"query": query, "understood": understood}
    except QueryError as error:
        context = _status_context(query, error)
    return render(request, "listening/_topic_query_status.html", context)


def _status_context(query: str, error: QueryError) -> dict[str, object]:
    at = max(0, min(error.position - 1, len(query)))
    return {
        "query": query,
        "error": error,
        "before": query[:at],
        "at": query[at : at + 1] or " ",
        "after": query[at + 1 :],
    }


@workspace_view(Role.MANAGER)
@require_POST
def topic_preview(request: WorkspaceRequest) -> HttpResponse:
    """How many of the last 1,000 stored mentions the query matches, and the first few."""
    query = request.POST.get("query", "")
    try:
        preview = preview_matches(request.workspace, query)
    except QueryError as error:
        return render(request, "listening/_topic_query_status.html", _status_context(query, error))
    return render(request, "listening/_topic_preview.html", {"preview": preview, "query": query})
