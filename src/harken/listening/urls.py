from django.urls import path

from harken.core import views as core_views

# The listening issue replaces this placeholder with the stream, topics and sources.
urlpatterns = [
    path("", core_views.section, {"section": "listening"}, name="listening"),
]
