from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "harken.core"
    label = "core"
    verbose_name = "Harken core"

    def ready(self) -> None:
        from harken.core import tasks  # noqa: F401  (registers the heartbeat task)
        from harken.core.settle import settle_after_first_request

        settle_after_first_request()
