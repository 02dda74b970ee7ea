from django.urls import path

from harken.listening.views import sources, stream

# The stream and source health (listening/views/stream.py, sources.py).
urlpatterns = [
    path("", stream.stream, name="listening"),
    path("mentions/<int:pk>/correct/", stream.mention_correct, name="mention_correct"),
    path("sources/", sources.source_list, name="source_list"),
    path("sources/firehose/", sources.source_firehose, name="source_firehose"),
    path("sources/x-cap/", sources.source_x_cap, name="source_x_cap"),
    path("sources/feeds/new/", sources.feed_add, name="source_feed_add"),
    path("sources/searches/new/", sources.search_add, name="source_search_add"),
    path("sources/<int:pk>/toggle/", sources.source_toggle, name="source_toggle"),
    path("sources/<int:pk>/poll/", sources.source_poll, name="source_poll"),
    path("sources/<int:pk>/edit/", sources.source_edit, name="source_edit"),
    path("sources/<int:pk>/delete/", sources.source_delete, name="source_delete"),
]

# Alert rules (listening/views/alerts.py)
from harken.listening.views import alerts as alert_views  # noqa: E402

urlpatterns += [
    path("alerts/", alert_views.alert_rule_list, name="alert_rule_list"),
    path("alerts/new/", alert_views.alert_rule_create, name="alert_rule_create"),
    path("alerts/<int:pk>/", alert_views.alert_rule_detail, name="alert_rule_detail"),
    path("alerts/<int:pk>/edit/", alert_views.alert_rule_edit, name="alert_rule_edit"),
    path("alerts/<int:pk>/delete/", alert_views.alert_rule_delete, name="alert_rule_delete"),
    path("alerts/<int:pk>/test/", alert_views.alert_rule_test, name="alert_rule_test"),
    path(
        "alerts/deliveries/<int:pk>/retry/",
        alert_views.alert_delivery_retry,
        name="alert_delivery_retry",
    ),
]

# Topics (listening/views/topics.py)
from harken.listening.views import topics as topic_views  # noqa: E402

urlpatterns += [
    path("topics/", topic_views.topic_list, name="topic_list"),
    path("topics/new/", topic_views.topic_create, name="topic_create"),
    path("topics/validate/", topic_views.topic_validate, name="topic_validate"),
    path("topics/preview/", topic_views.topic_preview, name="topic_preview"),
    path("topics/<int:pk>/", topic_views.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/delete/", topic_views.topic_delete, name="topic_delete"),
]
