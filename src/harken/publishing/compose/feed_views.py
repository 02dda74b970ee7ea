"""The page where a manager names the web feeds whose new items become drafts."""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.actions import audit
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.lib.http import loopback_allowed
from harken.lib.urlguard import UnsafeURL, check_url
from harken.publishing.compose.feeds import do_read_feed
from harken.publishing.compose.views import publishable
from harken.publishing.models import DraftFeed, Post

MANAGER = Role.MANAGER


class DraftFeedForm(forms.Form):
    url = forms.URLField(label="Feed address", max_length=500, assume_scheme="https")
    accounts = forms.MultipleChoiceField(
        label="Draft a post for", widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["accounts"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_url(url, allow_loopback=loopback_allowed())
        except UnsafeURL as error:
            raise forms.ValidationError(str(error)) from None
        return url


@workspace_view(MANAGER)
def draft_feeds(request: WorkspaceRequest) -> HttpResponse:
    accounts = publishable(request)
    choices = [(str(a.pk), a.handle) for a in accounts]
    form = bind(request, DraftFeedForm, choices=choices)
    if request.method == "POST":
        if not form.is_valid():
            return refused(request, form)
        try:
            feed = DraftFeed.objects.create(
                workspace=request.workspace, url=form.cleaned_data["url"]
            )
        except IntegrityError:
            form.add_error("url", "This workspace reads that feed already.")
            return refused(request, form)
        feed.accounts.set([a for a in accounts if str(a.pk) in form.cleaned_data["accounts"]])
        audit(request.workspace, request.user, "draft_feed.add", feed, url=feed.url)
        flash.success(request, "Added. Its new items become drafts; read it now or wait.")
        return redirect("compose_feeds")
    feeds = scoped(request, DraftFeed).prefetch_related("accounts")
    drafts = scoped(request, Post).exclude(source_url="").order_by("-created")[:20]
    return render(
        request,
        "publishing/compose_feeds.html",
        {
            "section": "calendar",
            "title": "Drafts from feeds",
            "form": form,
            "feeds": feeds,
            "drafts": drafts,
            "accounts": accounts,
        },
    )


@require_POST
@workspace_view(MANAGER)
def read_feed(request: WorkspaceRequest, pk: int) -> HttpResponse:
    feed = access_object(request, DraftFeed, pk)
    report = do_read_feed(feed)
    if report.error:
        flash.error(request, f"Could not read the feed: {report.error}")
    else:
        flash.success(request, f"{len(report.made)} new drafts.")
    return redirect("compose_feeds")


@require_POST
@workspace_view(MANAGER)
def delete_feed(request: WorkspaceRequest, pk: int) -> HttpResponse:
    feed = access_object(request, DraftFeed, pk)
    audit(request.workspace, request.user, "draft_feed.delete", feed, url=feed.url)
    feed.delete()
    flash.success(request, "Removed; its drafts stay.")
    return redirect("compose_feeds")
