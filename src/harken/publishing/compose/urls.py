"""The composer: one post, one variant per account, previews, media, first comments, threads."""

from django.urls import path

from harken.publishing.compose import feed_views, views

urlpatterns = [
    path("", views.compose, name="compose"),
    path("check/", views.check, name="compose_check"),
    path("<int:pk>/", views.compose, name="compose_edit"),
    path("media/<int:pk>/", views.media_file, name="compose_media"),
    path("public/<str:token>/", views.public_media, name="compose_public_media"),
    path("feeds/", feed_views.draft_feeds, name="compose_feeds"),
    path("feeds/<int:pk>/read/", feed_views.read_feed, name="compose_feed_read"),
    path("feeds/<int:pk>/delete/", feed_views.delete_feed, name="compose_feed_delete"),
]
