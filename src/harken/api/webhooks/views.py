"""Settings › Webhooks (managers and owners): the endpoints, their delivery logs, a test
event, redelivery, and disabling."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from harken.api.webhooks import actions
from harken.api.webhooks.forms import EndpointForm
from harken.api.webhooks.models import EVENTS, Delivery, Endpoint
from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.listening.models import Topic

#: The session key that carries a new endpoint's secret to the page that shows it.
NEW_SECRET = "new_webhook_secret"  # noqa: S105 - a session key, not a secret
LOG_ROWS = 50


def _topics(request: WorkspaceRequest) -> list[tuple[int, str]]:
    return list(scoped(request, Topic).order_by("name").values_list("pk", "name"))


def _page(request: WorkspaceRequest, template: str, **context: object) -> HttpResponse:
    base = {"title": "Settings", "section": "settings", "tab": "webhooks", "events": EVENTS}
    return render(request, template, {**base, **context})


@workspace_view(Role.MANAGER)
def endpoints(request: WorkspaceRequest) -> HttpResponse:
    form = bind(request, EndpointForm, topics=_topics(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                made = actions.do_create_endpoint(
                    request.member,
                    form.cleaned_data["url"],
                    form.cleaned_data["description"],
                    form.cleaned_data["events"],
                    form.topic_ids(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                return refused(request, form)
            request.session[NEW_SECRET] = made.pk
            return redirect("webhook", pk=made.pk)
        return refused(request, form)
    rows = scoped(request, Endpoint).order_by("-created", "-id")
    return _page(request, "api/webhooks/list.html", endpoints=list(rows), form=form)


@workspace_view(Role.MANAGER)
def endpoint(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_object(request, Endpoint, pk)
    initial = {
        "url": found.url,
        "description": found.description,
        "events": found.events,
        "topics": [str(t) for t in found.topic_ids],
    }
    form = bind(request, EndpointForm, topics=_topics(request), initial=initial)
    if request.method == "POST":
        if form.is_valid():
            actions.do_update_endpoint(
                found,
                request.member,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                events=form.cleaned_data["events"],
                topic_ids=form.topic_ids(),
            )
            messages.success(request, "Saved the webhook.")
            return redirect("webhook", pk=found.pk)
        return refused(request, form)
    log = Delivery.objects.filter(endpoint=found).order_by("-created", "-id")[:LOG_ROWS]
    shown = request.session.pop(NEW_SECRET, None) == found.pk
    return _page(
        request,
        "api/webhooks/endpoint.html",
        endpoint=found,
        form=form,
        log=list(log),
        secret=found.secret if shown else None,
    )


@require_POST
@workspace_view(Role.MANAGER)
def toggle(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_object(request, Endpoint, pk)
    actions.do_set_enabled(found, request.member, not found.enabled)
    messages.success(request, "Enabled the webhook." if not found.enabled else "Disabled it.")
    return redirect("webhook", pk=found.pk)


@require_POST
@workspace_view(Role.MANAGER)
def roll_secret(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_object(request, Endpoint, pk)
    actions.do_roll_secret(found, request.member)
    request.session[NEW_SECRET] = found.pk
    return redirect("webhook", pk=found.pk)


@require_POST
@workspace_view(Role.MANAGER)
def send_test(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_object(request, Endpoint, pk)
    actions.do_send_test(found, request.member)
    messages.success(request, "Sent a test event: it shows in the log below.")
    return redirect("webhook", pk=found.pk)


@require_POST
@workspace_view(Role.MANAGER)
def redeliver(request: WorkspaceRequest, pk: int, delivery: int) -> HttpResponse:
    found = access_object(request, Endpoint, pk)
    row = get_object_or_404(Delivery, pk=delivery, endpoint=found)
    actions.do_redeliver(row, request.member)
    messages.success(request, "Sending it again, with the same webhook-id.")
    return redirect("webhook", pk=found.pk)
