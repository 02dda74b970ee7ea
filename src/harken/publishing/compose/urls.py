"""The composer: one post, one variant per account, previews, media, first comments, threads."""

from django.urls import path

from harken.publishing.compose import views

urlpatterns = [
    path("", views.compose, name="compose"),
    path("check/", views.check, name="compose_check"),
    path("<int:pk>/", views.compose, name="compose_edit"),
    path("media/<int:pk>/", views.media_file, name="compose_media"),
]
