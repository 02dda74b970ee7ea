from django.urls import include, path, re_path

from harken.api import views
from harken.api.v1 import api

urlpatterns = [
    path("v1/docs/", views.docs, name="api_docs"),
    path("v1/", api.urls),
    path("tokens/", views.tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke, name="api_token_revoke"),
    path("webhooks/", include("harken.api.webhooks.urls")),
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^.*$", views.not_found),
]
