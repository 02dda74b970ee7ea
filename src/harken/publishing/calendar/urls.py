"""The content calendar: month, week and list views, events, recurring series, queues,
import and export. Mounted at /calendar/ (the Calendar tab)."""

from django.urls import path

from harken.publishing.calendar import (
    bulk_views,
    event_views,
    queue_views,
    series_views,
    views,
)

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("variants/<int:pk>/move/", views.move_variant, name="calendar_move"),
    path("posts/<int:pk>/move/", views.move_post, name="calendar_move_post"),
    path("variants/<int:pk>/queue/", queue_views.add_to_queue, name="calendar_add_to_queue"),
    path("events/", event_views.event_list, name="calendar_events"),
    path("events/<int:pk>/", event_views.event_detail, name="calendar_event"),
    path("settings/", event_views.calendar_settings, name="calendar_settings"),
    path("settings/feed/", event_views.feed_token, name="calendar_feed_token"),
    path("series/", series_views.series_list, name="calendar_series"),
    path("series/<int:pk>/", series_views.series_detail, name="calendar_series_detail"),
    path("queues/", queue_views.queues, name="calendar_queues"),
    path("queues/slots/<int:pk>/delete/", queue_views.slot_delete, name="calendar_slot_delete"),
    path("import/", bulk_views.bulk, name="calendar_bulk"),
    path("export.csv", bulk_views.export_csv, name="calendar_export"),
    path("feed/<str:token>.ics", bulk_views.feed, name="calendar_feed"),
]
