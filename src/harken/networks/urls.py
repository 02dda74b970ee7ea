from django.urls import path

from harken.networks import views

app_name = "networks"

urlpatterns = [
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<int:pk>/disconnect/", views.account_disconnect, name="account_disconnect"),
    path("feeds/new/", views.feed_add, name="feed_add"),
    path("mastodon/connect/", views.mastodon_connect, name="mastodon_connect"),
    path("mastodon/callback/", views.mastodon_callback, name="mastodon_callback"),
]
