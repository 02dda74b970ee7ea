from django.urls import path

from harken.networks import views

app_name = "networks"

urlpatterns = [
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<int:pk>/disconnect/", views.account_disconnect, name="account_disconnect"),
    path("feeds/new/", views.feed_add, name="feed_add"),
    path("mastodon/connect/", views.mastodon_connect, name="mastodon_connect"),
    path("bluesky/connect/", views.bluesky_connect, name="bluesky_connect"),
    path("<slug:network>/connect-token/", views.token_connect, name="token_connect"),
    path("searches/new/", views.search_add, name="search_add"),
    path("mastodon/callback/", views.mastodon_callback, name="mastodon_callback"),
]
