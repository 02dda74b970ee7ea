"""Turning the links of a variant's text into Harken's tracked short links.

The composer calls, for each variant, before it is saved::

    from harken.publishing.links.tracking import track_links

    variant.text = track_links(
        variant.text,
        workspace=workspace,
        network=account.network,          # "bluesky": the links' utm_source
        campaign=post_campaign,           # or None: utm_campaign is then "harken"
        post=post,                        # optional, for counting clicks per post
        exclude={"https://shop.example/"},  # links the author chose to keep as written
    )

Every ``http(s)://`` link found the way the networks find them
(``harken.networks.counting.URL``: trailing punctuation is not part of it) becomes
``<HARKEN_BASE_URL>/l/<code>``, a new ``Link`` whose destination is the link as written
and whose UTM parameters say the network, ``social`` and the campaign. The same link twice
in one text gets one code. Links already tracked (under ``/l/`` of this Harken) and the
excluded ones are left as they are, so calling it again on its own result changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from harken.core.models import Workspace
from harken.networks.counting import URL
from harken.publishing.models import Campaign, Link, Post, Variant

#: ``utm_campaign`` of links outside any campaign.
DEFAULT_CAMPAIGN = "harken"
_valid_url = URLValidator(schemes=["http", "https"])
_SHORT_PATH = re.compile(r"^/l/([A-Za-z0-9_-]{1,16})$")


def short_url(link: Link) -> str:
    """The public address of ``link``: ``<HARKEN_BASE_URL>/l/<code>``."""
    return f"{settings.BASE_URL}/l/{link.code}"


def utm_for(network: str, campaign: Campaign | None) -> dict[str, str]:
    return {
        "utm_source": network,
        "utm_medium": "social",
        "utm_campaign": campaign.slug if campaign else DEFAULT_CAMPAIGN,
    }


def create_link(
    destination: str,
    *,
    workspace: Workspace,
    network: str = "",
    campaign: Campaign | None = None,
    post: Post | None = None,
    variant: Variant | None = None,
    utm: dict[str, str] | None = None,
) -> Link:
    """A new tracked link to ``destination`` (a new code is drawn in the rare event that
    one is taken)."""
    for _ in range(5):
        try:
            with transaction.atomic():
                return Link.objects.create(
                    workspace=workspace,
                    destination=destination,
                    utm=utm if utm is not None else utm_for(network, campaign),
                    network=network,
                    campaign=campaign,
                    post=post,
                    variant=variant,
                )
        except IntegrityError:
            continue
    raise IntegrityError("No free link code after 5 draws.")


def track_links(
    text: str,
    *,
    workspace: Workspace,
    network: str,
    campaign: Campaign | None = None,
    post: Post | None = None,
    variant: Variant | None = None,
    exclude: Collection[str] = (),
) -> str:
    """``text`` with each of its links replaced by a new tracked short link (see the
    module's note); ``exclude`` holds the links, as written, to leave alone."""
    made: dict[str, str] = {}

    def replace(match: Any) -> str:
        url = match.group(0)
        if url in exclude or not _trackable(url) or _already_tracked(url, workspace):
            return url
        if url not in made:
            link = create_link(
                url,
                workspace=workspace,
                network=network,
                campaign=campaign,
                post=post,
                variant=variant,
            )
            made[url] = short_url(link)
        return made[url]

    return URL.sub(replace, text)


def _already_tracked(url: str, workspace: Workspace) -> bool:
    """A short link of this Harken: under the base URL, or one of the workspace's codes
    under an address Harken had before (``HARKEN_BASE_URL`` changed since)."""
    if url.startswith(f"{settings.BASE_URL}/l/"):
        return True
    found = _SHORT_PATH.match(urlsplit(url).path)
    if found is None:
        return False
    return Link.objects.filter(workspace=workspace, code=found[1]).exists()


def _trackable(url: str) -> bool:
    """A link we can redirect to: a well-formed http(s) address that fits the field."""
    if len(url) > Link._meta.get_field("destination").max_length:  # type: ignore[operator]
        return False
    try:
        _valid_url(url)
    except ValidationError:
        return False
    return True
