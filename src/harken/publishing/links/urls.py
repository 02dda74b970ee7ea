"""Campaigns, under /calendar/campaigns/ (the public routes are in ``public_urls``)."""

from django.urls import path

from harken.publishing.links import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
]
