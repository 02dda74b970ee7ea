from django.urls import path

from harken.networks import views

app_name = "networks"

urlpatterns = [
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<int:pk>/disconnect/", views.account_disconnect, name="account_disconnect"),
    path("mastodon/connect/", views.mastodon_connect, name="mastodon_connect"),
    path("bluesky/connect/", views.bluesky_connect, name="bluesky_connect"),
    path("<slug:network>/connect-token/", views.token_connect, name="token_connect"),
    path("mastodon/callback/", views.mastodon_callback, name="mastodon_callback"),
    path("bluesky/oauth/start/", views.bluesky_oauth_start, name="bluesky_oauth_start"),
    path("bluesky/oauth/callback/", views.bluesky_oauth_callback, name="bluesky_oauth_callback"),
    path(
        "bluesky/client-metadata.json",
        views.bluesky_client_metadata,
        name="bluesky_client_metadata",
    ),
    path("x/connect/", views.x_connect, name="x_connect"),
    path("x/callback/", views.x_callback, name="x_callback"),
    path("reddit/connect/", views.reddit_connect, name="reddit_connect"),
    path("reddit/callback/", views.reddit_callback, name="reddit_callback"),
]
