"""The newsletter's public pages, under ``networks/newsletter/``."""

from django.urls import path

from harken.networks.newsletter import views

urlpatterns = [
    path("subscribe/<slug:list_id>/", views.subscribe, name="newsletter_subscribe"),
    path("confirm/<str:token>/", views.confirm, name="newsletter_confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="newsletter_unsubscribe"),
    path("import/<int:pk>/", views.import_subscribers, name="newsletter_import"),
]
