"""The project's URLs with the analysis app's, as the lead includes them (under analysis/)."""

from django.urls import include, path

from harken.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("analysis/", include("harken.analysis.urls")),
]
