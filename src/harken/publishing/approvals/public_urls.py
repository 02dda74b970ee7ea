"""The client's review page, outside the workspace (no login): /review/<token>/."""

from django.urls import path

from harken.publishing.approvals import public

urlpatterns = [
    path("<str:token>/", public.review_page, name="publishing_review"),
    path("<str:token>/media/<int:pk>/", public.review_media, name="publishing_review_media"),
]
