"""The address Meta notifies about the Instagram accounts' new comments and mentions (no
login: each notification is checked by its signature, see
``harken.networks.meta.webhooks``)."""

from django.urls import path

from harken.networks.meta.webhooks import webhook_view

urlpatterns = [path("webhook/", webhook_view("instagram", "instagram"), name="instagram_webhook")]
