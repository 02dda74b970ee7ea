from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from harken.api import schemas as s
from harken.api.operations import campaigns as ops
from harken.api.out import campaign_out, click_out, link_out
from harken.api.routes.common import ERRORS, MAX_ID, WRITE_ERRORS, Id, caller_of

router = Router(tags=["campaigns"])


@router.get("/campaigns", response={200: s.CampaignPage, **ERRORS})
def list_campaigns(
    request: HttpRequest,
    before: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(25, ge=1, le=100),
) -> s.CampaignPage:
    """Campaigns newest first, each with its pledge, running total and cap."""
    page = ops.list_campaigns(caller_of(request), before, limit)
    return s.CampaignPage(items=[campaign_out(c) for c in page.items], next_before=page.next_before)


@router.post("/campaigns", response={201: s.CampaignOut, **WRITE_ERRORS})
def create_campaign(request: HttpRequest, body: s.CampaignIn) -> Status:
    """Create a campaign (managers and owners), by the campaign form's rules."""
    return Status(201, campaign_out(ops.create_campaign(caller_of(request), body.dict())))


@router.get("/campaigns/{pk}", response={200: s.CampaignOut, **ERRORS})
def get_campaign(request: HttpRequest, pk: Id) -> s.CampaignOut:
    return campaign_out(ops.get_campaign(caller_of(request), pk))


@router.get("/links", response={200: s.LinkPage, **ERRORS})
def list_links(
    request: HttpRequest,
    campaign: int | None = Query(None, ge=1, le=MAX_ID),
    network: str = Query("", max_length=32),
    before: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(25, ge=1, le=100),
) -> s.LinkPage:
    """Tracked links newest first, with their unique, human and bot clicks."""
    page = ops.list_links(caller_of(request), campaign, network, before, limit)
    return s.LinkPage(items=[link_out(link) for link in page.items], next_before=page.next_before)


class ClickFilters(Schema):
    campaign: int | None = Field(default=None, ge=1, le=MAX_ID)
    link: int | None = Field(default=None, ge=1, le=MAX_ID)
    network: str = Field(default="", max_length=32)
    since: str | None = Field(default=None, pattern=s.DAY, description="YYYY-MM-DD, UTC")
    until: str | None = Field(default=None, pattern=s.DAY, description="YYYY-MM-DD, included")
    #: true: only bots' previews; false: only people's clicks; left out: both.
    bots: bool | None = None


@router.get("/clicks", response={200: s.ClickPage, **ERRORS})
def list_clicks(
    request: HttpRequest,
    filters: Query[ClickFilters],
    before: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(50, ge=1, le=100),
) -> s.ClickPage:
    """Link clicks newest first, by campaign, link, network and day."""
    page = ops.list_clicks(caller_of(request), filters.dict(), before, limit)
    return s.ClickPage(items=[click_out(c) for c in page.items], next_before=page.next_before)
