from django.urls import include, path

from harken.api.mcp.proxy import relay as mcp_relay

urlpatterns = [
    path("", include("harken.core.urls")),
    path("inbox/", include("harken.inbox.urls")),
    path("listening/", include("harken.listening.urls")),
    path("contacts/", include("harken.contacts.urls")),
    path("networks/", include("harken.networks.urls")),
    path("analysis/", include("harken.analysis.urls")),
    path("calendar/", include("harken.publishing.urls")),
    path("analytics/", include("harken.analytics.urls")),
    path("api/", include("harken.api.urls")),
    path("mcp", mcp_relay, name="mcp"),  # `harken serve`'s MCP server for AI assistants
    path("", include("harken.publishing.links.public_urls")),  # /l/<code>, /pledge/<token>/
    path("review/", include("harken.publishing.approvals.public_urls")),
]
