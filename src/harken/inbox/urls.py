from django.urls import path

from harken.inbox import assignment_views, conversation_views, saved_views, sla_views, views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bulk/", views.bulk, name="inbox_bulk"),
    path("views/save/", saved_views.save_view, name="inbox_view_save"),
    path("views/<int:pk>/delete/", saved_views.delete_view, name="inbox_view_delete"),
    path("service-level/", sla_views.service_level, name="inbox_sla"),
    path("assignment/", assignment_views.rules, name="inbox_rules"),
    path("assignment/<int:pk>/", assignment_views.rule_edit, name="inbox_rule_edit"),
    path("assignment/<int:pk>/delete/", assignment_views.rule_delete, name="inbox_rule_delete"),
    path("assignment/rerun/", assignment_views.rerun, name="inbox_rules_rerun"),
    path(
        "assignment/members/<int:pk>/availability/",
        assignment_views.availability,
        name="inbox_availability",
    ),
    path("<int:pk>/", views.conversation, name="inbox_conversation"),
    path("<int:pk>/reply/", views.reply, name="inbox_reply"),
    path("<int:pk>/note/", views.note, name="inbox_note"),
    path("<int:pk>/assign/", views.assign, name="inbox_assign"),
    path("<int:pk>/status/", views.status, name="inbox_status"),
    path("<int:pk>/snooze/", views.snooze, name="inbox_snooze"),
    path("<int:pk>/tag/", views.tag, name="inbox_tag"),
    path("<int:pk>/canned/", views.canned_search, name="inbox_canned_search"),
    path("<int:pk>/presence/", conversation_views.beat, name="inbox_presence"),
    path("messages/<int:pk>/correct/", conversation_views.correct, name="inbox_correct"),
    path(
        "messages/<int:pk>/media/<int:index>/",
        conversation_views.thumbnail,
        name="inbox_media",
    ),
    path("canned-replies/", views.canned_replies, name="inbox_canned"),
    path("canned-replies/<int:pk>/", views.canned_edit, name="inbox_canned_edit"),
    path("canned-replies/<int:pk>/delete/", views.canned_delete, name="inbox_canned_delete"),
    path("replies/<int:pk>/approve/", views.approve, name="inbox_approve"),
    path("replies/<int:pk>/send-back/", views.send_back, name="inbox_send_back"),
    path("replies/<int:pk>/retry/", views.retry, name="inbox_retry"),
    path("replies/<int:pk>/revise/", views.revise, name="inbox_revise"),
]
