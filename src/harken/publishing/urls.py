"""Everything under /calendar/: each part of the publishing app keeps its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("harken.publishing.calendar.urls")),
    path("compose/", include("harken.publishing.compose.urls")),
    path("approvals/", include("harken.publishing.approvals.urls")),
    path("campaigns/", include("harken.publishing.links.urls")),
]
