"""The client metadata document of "Sign in with Bluesky" (atproto OAuth)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from harken.networks.base import ConnectorError
from harken.networks.bluesky import oauth


def client_metadata(request: HttpRequest) -> HttpResponse:
    """The document Bluesky's servers fetch: public, no login. A loopback install has
    none (its client_id carries the metadata)."""
    try:
        client = oauth.oauth_client()
    except ConnectorError:
        raise Http404("Bluesky sign-in needs HARKEN_BASE_URL on https.") from None
    if client.loopback:
        raise Http404("A loopback install needs no client metadata document.")
    response = JsonResponse(oauth.client_metadata(client))
    response["Cache-Control"] = "public, max-age=300"
    return response
