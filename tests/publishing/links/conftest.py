"""A pledging campaign of Harbor Street Jewelers and a tracked link of it."""

from __future__ import annotations

import pytest

from harken.publishing.links.tracking import create_link
from harken.publishing.models import Campaign, Link

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def campaign(workspace) -> Campaign:
    return Campaign.objects.create(
        workspace=workspace,
        name="Rings for a Reason",
        slug="rings-for-a-reason",
        goal="A dollar for the food bank for every click.",
        pledge_cents=100,
        cap_cents=1000,
    )


@pytest.fixture
def link(workspace, campaign) -> Link:
    return create_link(
        "https://harbor.example/rings?colour=gold",
        workspace=workspace,
        network="bluesky",
        campaign=campaign,
    )
