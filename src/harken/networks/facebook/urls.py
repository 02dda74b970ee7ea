"""The address Meta notifies about the Pages' new posts and comments (no login: each
notification is checked by its signature, see ``harken.networks.meta.webhooks``)."""

from django.urls import path

from harken.networks.meta.webhooks import webhook_view

urlpatterns = [path("webhook/", webhook_view("facebook", "page"), name="facebook_webhook")]
