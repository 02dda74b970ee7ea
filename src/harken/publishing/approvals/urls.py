"""Approvals, under /calendar/approvals/: the queue and the post page."""

from django.urls import path

from harken.publishing.approvals import views

urlpatterns = [
    path("", views.queue, name="approvals"),
    path("posts/<int:pk>/", views.post_detail, name="approvals_post"),
]
