from django.urls import path

from harken.api.webhooks import views

urlpatterns = [
    path("", views.endpoints, name="webhooks"),
    path("<int:pk>/", views.endpoint, name="webhook"),
    path("<int:pk>/toggle/", views.toggle, name="webhook_toggle"),
    path("<int:pk>/secret/", views.roll_secret, name="webhook_secret"),
    path("<int:pk>/test/", views.send_test, name="webhook_test"),
    path(
        "<int:pk>/deliveries/<int:delivery>/redeliver/", views.redeliver, name="webhook_redeliver"
    ),
]
