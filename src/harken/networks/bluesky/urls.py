"""Bluesky's public addresses, under ``networks/bluesky/``."""

from django.urls import path

from harken.networks.bluesky import views

urlpatterns = [
    path("client-metadata.json", views.client_metadata, name="bluesky_client_metadata"),
]
