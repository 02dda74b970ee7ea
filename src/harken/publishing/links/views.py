"""Campaign pages: the list, the form, one campaign's clicks and pledges, and the public
progress page. Members see them; managers create and edit (checked on the server)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from harken.core.access import (
    WorkspaceRequest,
    access_object,
    check_role,
    scoped,
    workspace_view,
)
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.publishing.calendar.views import publishing_tabs
from harken.publishing.links import stats
from harken.publishing.links.actions import do_add_link, do_create_campaign, do_update_campaign
from harken.publishing.links.forms import CampaignForm, LinkForm
from harken.publishing.links.money import money
from harken.publishing.links.tracking import short_url
from harken.publishing.models import Campaign, Post

SECTION = "calendar"


def _page(title: str, **context: object) -> dict[str, object]:
    """What every campaign page passes: the section, the title and the publishing tabs."""
    return {"section": SECTION, "title": title, "tabs": publishing_tabs("Campaigns"), **context}


@workspace_view()
def campaign_list(request: WorkspaceRequest) -> HttpResponse:
    campaigns = scoped(request, Campaign).annotate(
        unique=Count(
            "links__clicks",
            filter=Q(links__clicks__is_bot=False, links__clicks__unique_of_day=True),
        ),
        link_count=Count("links", distinct=True),
    )
    rows = [{"campaign": c, "percent": stats.progress_percent(c), **_amounts(c)} for c in campaigns]
    return render(
        request,
        "publishing/links/campaign_list.html",
        _page("Campaigns", rows=rows, can_edit=request.member.can(Role.MANAGER)),
    )


@workspace_view(Role.MANAGER)
def campaign_create(request: WorkspaceRequest) -> HttpResponse:
    form = bind(request, CampaignForm)
    if request.method == "POST":
        if form.is_valid():
            campaign = do_create_campaign(request.workspace, request.user, **form.cleaned_data)
            messages.success(request, f"Created the campaign “{campaign.name}”.")
            return redirect("campaign_detail", campaign.pk)
        return refused(request, form)
    return _form_page(request, form, None)


@workspace_view(Role.MANAGER)
def campaign_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    campaign = access_object(request, Campaign, pk)
    form = bind(request, CampaignForm, campaign=campaign)
    if request.method == "POST":
        if form.is_valid():
            do_update_campaign(campaign, request.user, **form.cleaned_data)
            messages.success(request, f"Saved the campaign “{campaign.name}”.")
            return redirect("campaign_detail", campaign.pk)
        return refused(request, form)
    return _form_page(request, form, campaign)


def _form_page(
    request: WorkspaceRequest, form: CampaignForm, campaign: Campaign | None
) -> HttpResponse:
    title = f"Edit {campaign.name}" if campaign else "New campaign"
    return render(
        request,
        "publishing/links/campaign_form.html",
        _page(title, form=form, campaign=campaign),
    )


@workspace_view()
def campaign_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The campaign's clicks and pledges; a manager's POST adds a tracked link to it."""
    campaign = access_object(request, Campaign, pk)
    link_form = bind(request, LinkForm)
    if request.method == "POST":
        check_role(request, Role.MANAGER)
        if not link_form.is_valid():
            return refused(request, link_form)
        link = do_add_link(campaign, request.user, **link_form.cleaned_data)
        messages.success(request, f"Added the tracked link {short_url(link)}.")
        return redirect("campaign_detail", campaign.pk)
    clicks = stats.campaign_clicks(campaign)
    days = stats.per_day(clicks)
    links = [
        {"link": link, "short": short_url(link)}
        for link in stats.links_with_counts(campaign.links.all())
    ]
    return render(
        request,
        "publishing/links/campaign_detail.html",
        {
            **_page(campaign.name),
            "campaign": campaign,
            "counts": stats.counts(clicks),
            "days": days,
            "chart_width": stats.chart_width(days),
            "chart_height": stats.CHART_HEIGHT,
            "bar": stats.BAR,
            "networks": stats.per_network(clicks),
            "links": links,
            "posts": _posts(campaign),
            "percent": stats.progress_percent(campaign),
            "public_url": settings.BASE_URL
            + reverse("campaign_public", args=[campaign.public_token]),
            "link_form": link_form,
            "can_edit": request.member.can(Role.MANAGER),
            **_amounts(campaign),
        },
    )


#: The campaign page lists its latest posts; older ones are on the calendar.
POSTS_SHOWN = 50


def _posts(campaign: Campaign) -> list[Post]:
    """The campaign's latest posts, each with its variants and their accounts."""
    posts = campaign.posts.prefetch_related("variants__account")
    return list(posts.order_by("-created", "-pk")[:POSTS_SHOWN])


def _amounts(campaign: Campaign) -> dict[str, str]:
    return {
        "pledge": money(campaign.pledge_cents, campaign.currency),
        "pledged": money(campaign.pledged_cents, campaign.currency),
        "cap": money(campaign.cap_cents, campaign.currency),
    }


@require_safe
def campaign_public(request: HttpRequest, token: str) -> HttpResponse:
    """The public progress page: the campaign's name, goal, dates and running total, and
    nothing else of the workspace. No login."""
    if not token or len(token) > 32:
        raise Http404("No such campaign")
    campaign = get_object_or_404(Campaign, public_token=token)
    response = render(
        request,
        "publishing/links/campaign_public.html",
        {
            "campaign": campaign,
            "percent": stats.progress_percent(campaign),
            "today": timezone.localdate(),
            **_amounts(campaign),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response
