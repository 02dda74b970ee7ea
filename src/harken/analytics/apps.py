from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "harken.analytics"
    label = "analytics"

    def ready(self) -> None:
        # Rollups count the business's own days: a new time zone moves every day's edges,
        # so every day is rolled up again (core must not know analytics).
        from django.db.models.signals import pre_save

        from harken.analytics.signals import refill_on_new_time_zone
        from harken.core.models import Workspace

        pre_save.connect(
            refill_on_new_time_zone, sender=Workspace, dispatch_uid="analytics.time_zone"
        )
