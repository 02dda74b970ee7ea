from django.urls import include, path

urlpatterns = [
    path("", include("harken.core.urls")),
    path("inbox/", include("harken.inbox.urls")),
    path("listening/", include("harken.listening.urls")),
    path("contacts/", include("harken.contacts.urls")),
    path("networks/", include("harken.networks.urls")),
    path("analysis/", include("harken.analysis.urls")),
    path("calendar/", include("harken.publishing.urls")),
    path("review/", include("harken.publishing.approvals.public_urls")),
]
