"""The public routes of links and campaigns, at the site's root: no login."""

from django.urls import path, re_path

from harken.publishing.links import redirect, views

urlpatterns = [
    re_path(r"^l/(?P<code>[A-Za-z0-9_-]{1,16})$", redirect.follow, name="link_follow"),
    path("pledge/<str:token>/", views.campaign_public, name="campaign_public"),
]
