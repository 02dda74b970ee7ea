from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "harken.analytics"
    label = "analytics"
