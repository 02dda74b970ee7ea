"""Adding a web feed: a feed is a listening Source, not an account; it is added on
Listening › Sources (with ``FeedForm``) and renamed there (``sources``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError

from harken.core.actions import audit
from harken.lib.http import loopback_allowed
from harken.lib.urlguard import UnsafeURL, check_url
from harken.listening.models import Source


class FeedForm(forms.Form):
    url = forms.CharField(label="Feed address", max_length=2000)
    name = forms.CharField(label="Name", max_length=200, required=False)


def check_feed_url(raw: str) -> str:
    """The URL, or a ``ValidationError`` in words the person who typed it can act on."""
    url = raw.strip()
    if url and "://" not in url:
        url = "https://" + url
    try:
        return check_url(url, allow_loopback=loopback_allowed())
    except UnsafeURL as exc:
        raise ValidationError(str(exc)) from None


def do_add_feed(workspace: Any, actor: Any, url: str, name: str = "") -> Source:
    """Create the feed source (once per URL in a workspace) and audit it."""
    url = check_feed_url(url)
    existing = Source.objects.filter(workspace=workspace, kind=Source.Kind.FEED, url=url).first()
    if existing is not None:
        raise ValidationError(f"This workspace already follows that feed as “{existing.name}”.")
    source = Source.objects.create(
        workspace=workspace,
        name=(name.strip() or urlsplit(url).hostname or url)[:200],
        kind=Source.Kind.FEED,
        network="feed",
        url=url,
    )
    audit(workspace, actor, "source.add_feed", source, url=url)
    return source
