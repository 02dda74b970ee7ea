from django.urls import path

from harken.inbox import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bulk/", views.bulk, name="inbox_bulk"),
    path("<int:pk>/", views.conversation, name="inbox_conversation"),
    path("<int:pk>/reply/", views.reply, name="inbox_reply"),
    path("<int:pk>/note/", views.note, name="inbox_note"),
    path("<int:pk>/assign/", views.assign, name="inbox_assign"),
    path("<int:pk>/status/", views.status, name="inbox_status"),
    path("<int:pk>/snooze/", views.snooze, name="inbox_snooze"),
    path("<int:pk>/tag/", views.tag, name="inbox_tag"),
    path("<int:pk>/canned/", views.canned_search, name="inbox_canned_search"),
    path("canned-replies/", views.canned_replies, name="inbox_canned"),
    path("canned-replies/<int:pk>/", views.canned_edit, name="inbox_canned_edit"),
    path("canned-replies/<int:pk>/delete/", views.canned_delete, name="inbox_canned_delete"),
    path("replies/<int:pk>/approve/", views.approve, name="inbox_approve"),
    path("replies/<int:pk>/send-back/", views.send_back, name="inbox_send_back"),
    path("replies/<int:pk>/retry/", views.retry, name="inbox_retry"),
    path("replies/<int:pk>/revise/", views.revise, name="inbox_revise"),
]
